// Feeds the activity log: from the core's event stream (what happened) and from the dispatch layer
// (who asked for it). Main process, Electron-free.

import { activityOf, isCommandName, type AccountSummary, type ActivityActor, type BulkResult, type CommandName, type EventMessage, type PairingState, type Result } from '../../../shared/contract'
import { conditionLine } from '../doctor/words'
import type { AccountId } from '../../../shared/ids'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { describeChange, describePasskey, type ActivityLog } from './activity-log'

/**
 * Records every change the session events carry (status changes, conditions, and the passkey check's
 * steps from the pairing state); returns the unsubscribe function. `recordsHere` says
 * whether the event being emitted is to be written by this process (a fleet server writes only what
 * happened on it: the others' events reach it relayed, and they write those themselves; what every
 * server shows for itself, a lapsed lease, none of them writes).
 */
export function watchSessions(
  events: EventBus,
  log: ActivityLog,
  initial: readonly AccountSummary[],
  logger: Logger,
  recordsHere: (message: EventMessage) => boolean = () => true,
): () => void {
  const last = new Map<AccountId, AccountSummary>(initial.map((a) => [a.id, a]))
  // What the log last said a pairing shows (QR codes or a linking code), until the pairing ends.
  const showing = new Map<AccountId, 'qr' | 'code'>()
  const lastPairing = new Map<AccountId, PairingState>()
  /** Says once per pairing what it shows: QR codes, or a linking code (never the code itself: it links a device while valid). */
  function notePairingShown(message: EventMessage, pairing: PairingState): void {
    const now = pairing.method === 'code' ? (pairing.code ? 'code' : null) : pairing.qr ? 'qr' : null
    if (!now || showing.get(pairing.id) === now) return
    showing.set(pairing.id, now)
    const said = now === 'code' ? `Showing a linking code to type on the phone${pairing.phone ? ` +${pairing.phone}` : ''}` : 'Showing QR codes to scan'
    if (recordsHere(message)) log.record({ account: pairing.id, kind: 'pairing', message: said, actor: 'system' })
  }

  return events.subscribe((message) => {
    try {
      if (message.event === 'accounts:qr') {
        const state = message.payload as PairingState
        if (recordsHere(message)) {
          for (const entry of describePasskey(lastPairing.get(state.id), state)) log.record({ ...entry, account: state.id, actor: 'system' })
        }
        lastPairing.set(state.id, state)
        notePairingShown(message, state)
      } else if (message.event === 'accounts:changed') {
        const summary = message.payload as AccountSummary
        if (recordsHere(message)) {
          for (const entry of describeChange(last.get(summary.id), summary)) log.record({ ...entry, account: summary.id, actor: 'system' })
        }
        last.set(summary.id, summary)
        if (summary.status !== 'pairing') showing.delete(summary.id)
      } else if (message.event === 'accounts:condition') {
        // Each condition that begins, changes or ends is a line: the account page's condition history.
        const { id, condition, previous } = message.payload
        if (recordsHere(message)) log.record({ account: id, kind: 'condition', message: conditionLine(condition, previous), actor: 'system' })
      } else if (message.event === 'accounts:removed') {
        const { id } = message.payload as { id: AccountId }
        last.delete(id)
        lastPairing.delete(id)
        showing.delete(id)
        if (recordsHere(message)) log.forget(id)
      }
    } catch (error) {
      // The log is a record, not a gate: failing to write it must never break the session it describes.
      logger.warn({ err: error }, 'could not write the activity log')
    }
  })
}

export interface CommandOutcome {
  command: CommandName
  input: unknown
  caller: ActivityActor
  result: Result<unknown>
}

/** The commands the observer writes a line for (their `activity` declaration): their answer waits until that line has landed. */
export function recordsCommand(command: string): boolean {
  return isCommandName(command) && activityOf(command) !== null
}

/** A command over many accounts: one entry per account it reached, as its single command would have written. */
function recordResults(log: ActivityLog, kind: 'command' | 'transfer', say: string, caller: ActivityActor, result: Result<unknown>): void {
  if (!result.ok) return // refused as a whole (bad input): no account was touched
  for (const entry of result.value as BulkResult[]) {
    // An unknown id has no log to write to.
    if (entry.error?.code === 'not-found') continue
    log.record(
      entry.ok
        ? { account: entry.id, kind, message: `${say}: done`, actor: caller }
        : { account: entry.id, kind: 'error', message: `${say}: failed (${entry.error?.message ?? 'unknown error'})`, actor: caller },
    )
  }
}

/** The dispatch layer's observer: one entry per account command, with who asked and how it ended. */
export function commandObserver(log: ActivityLog, logger: Logger): (outcome: CommandOutcome) => void {
  return function recordCommand({ command, input, caller, result }) {
    const activity = activityOf(command)
    if (!activity) return
    if (activity.accounts === 'results') {
      try {
        recordResults(log, activity.kind, activity.say(input), caller, result)
      } catch (error) {
        logger.warn({ err: error, command }, 'could not write the activity log')
      }
      return
    }
    const fields = (input ?? {}) as Record<string, unknown>
    // New accounts (add, import) get their id from the answer; the others name it in the input.
    const value = result.ok ? (result.value as { id?: unknown; account?: { id?: unknown } }) : null
    const id = (fields.id ?? value?.id ?? value?.account?.id) as AccountId | undefined
    if (typeof id !== 'string') return
    const say = activity.say(input)
    try {
      log.record(
        result.ok
          ? { account: id, kind: activity.kind, message: `${say}: done`, actor: caller }
          : { account: id, kind: 'error', message: `${say}: failed (${result.error.message})`, actor: caller },
      )
    } catch (error) {
      logger.warn({ err: error, command }, 'could not write the activity log')
    }
  }
}

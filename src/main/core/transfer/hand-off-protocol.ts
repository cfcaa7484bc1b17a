// The two-phase hand-off of an account from this server (the source) to another (the target), and the
// target's side of it. Main process, Electron-free.
//
//   1. The source journals the hand-off (id, target, token), marks the account moved and sends the
//      bundle with the hand-off id. The target imports it and holds it pending: stopped, not started.
//   2. The source journals "confirming" and asks the target to confirm; the target starts the account.
//   3. The source journals "forgetting" and tells the target it will never ask about the hand-off again,
//      so the target drops its record; then the source drops its own.
//
// Every step is journaled on its side before it is acted upon. After a crash of either side, the source
// settles each open hand-off as soon as the target answers, without an operator: pending there →
// confirm; started there → done; unknown there → abort there (a tombstone, so a late import of it is
// refused) and take the account back here, running again if it ran. The account never runs in two
// places: the target starts only on confirmation, and the source takes back only after the target has
// promised never to start it. The target drops a started record only when told to (step 3: a source
// that asked again after it was dropped would hear "unknown", abort, and run the account twice), and an
// aborted one (a tombstone) once no import carrying its id can still arrive.

import { AppError } from '../../../shared/errors'
import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { Logger } from '../logger'
import type { SessionManager } from '../sessions/session-manager'
import type { HandOffJournal, IncomingHandOff, OutgoingHandOff } from './hand-off-journal'
import { parseRemoteServer, remoteHandOff, type HandOffAction, type RemoteHandOffState } from './remote-server'

/** Places where a test may have the process killed (IRISH_TEST_CRASH_AT), to prove recovery from each. */
export const CRASH_POINTS = ['source:after-mark-moved', 'source:after-send', 'source:after-confirm', 'target:after-import', 'target:after-confirm'] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]

/** How long an aborted hand-off's tombstone is kept: far longer than an import request can live (2 min). */
export const ABORTED_TOMBSTONE_MS = 60 * 60_000

export interface HandOffProtocolDeps {
  sessions: SessionManager
  journal: HandOffJournal
  logger: Logger
  fetch: typeof fetch
  now: () => number
  crashPoint: (point: CrashPoint) => void
  /**
   * Resolves once the account rows changed so far are in the database (they land with the turn's write
   * batch): what the journal records next must not be on disk before what it depends on.
   */
  settled?: () => Promise<void>
  /** Retry delays for settling a hand-off whose other side does not answer: base, doubling to max. */
  retry?: { baseMs: number; maxMs: number }
}

export interface HandOffProtocol {
  // Source side
  begin(record: Omit<OutgoingHandOff, 'phase' | 'createdAt'>): OutgoingHandOff
  /** The target imported it (pending there): from now on only confirming is right. */
  sent(record: OutgoingHandOff): OutgoingHandOff
  /** Confirms at the target and closes the record; throws when the target did not answer. */
  confirm(record: OutgoingHandOff): Promise<AccountSummary | null>
  forget(id: string): void
  /** Settles `record` in the background, retrying until the target answers. */
  schedule(record: OutgoingHandOff): void
  /** Schedules every open hand-off (after a restart). */
  resume(): void
  // Target side (the caller serialises these with imports)
  checkIncoming(id: string): AccountSummary | null
  recordIncoming(id: string, source: string, account: AccountSummary, created: boolean): void
  settleIncoming(id: string, action: HandOffAction): Promise<{ state: RemoteHandOffState; account: AccountSummary | null }>
  close(): void
}

export function createHandOffProtocol(deps: HandOffProtocolDeps): HandOffProtocol {
  const { sessions, journal, now } = deps
  const log = deps.logger.child({ component: 'hand-off' })
  const retry = deps.retry ?? { baseMs: 1_000, maxMs: 30_000 }
  const timers = new Map<string, NodeJS.Timeout>()
  const settling = new Set<string>()
  let closed = false

  const summary = (id: AccountId | null): AccountSummary | null => (id ? (sessions.list().find((a) => a.id === id) ?? null) : null)

  async function ask(record: OutgoingHandOff, action: HandOffAction): Promise<RemoteHandOffState> {
    const server = parseRemoteServer(record.target)
    return (await remoteHandOff(server, { fetch: deps.fetch, token: record.token }, record.id, action)).state
  }

  /** Brings the account back here: the target has promised never to start it. */
  async function takeBack(record: OutgoingHandOff): Promise<void> {
    await sessions.cancelMove(record.accountId as AccountId)
    if (record.wasRunning) {
      await sessions.start(record.accountId as AccountId).catch((error: unknown) => log.warn({ err: error, account: record.accountId }, 'account taken back but did not start'))
    }
    log.warn({ account: record.accountId, handOff: record.id }, 'hand-off called off; the account is back here')
  }

  /**
   * Step 3: the account runs at the target. Journaled first, so that from now on this side only ever
   * repeats "forget", never asks where the hand-off stands (the target may have dropped it already).
   * Throws when the target did not answer; the record stays, and settle() tells it again.
   */
  async function finish(record: OutgoingHandOff): Promise<void> {
    const forgetting: OutgoingHandOff = { ...record, phase: 'forgetting' }
    journal.saveOutgoing(forgetting)
    await forgetAtTarget(forgetting)
  }

  async function forgetAtTarget(record: OutgoingHandOff): Promise<void> {
    try {
      await ask(record, 'forget')
    } catch (error) {
      // A target from before this step refuses the action (invalid-input): it keeps its record, as it always did.
      if (!(error instanceof AppError && error.code === 'invalid-input')) throw error
    }
    journal.deleteOutgoing(record.id)
  }

  /** One attempt to settle: true when settled, false to try again later. */
  async function settle(record: OutgoingHandOff): Promise<boolean> {
    if (record.phase === 'forgetting') {
      await forgetAtTarget(record)
      return true
    }
    const here = summary(record.accountId as AccountId)
    if (!here) {
      journal.deleteOutgoing(record.id)
      return true
    }
    // Still sending and never marked moved: the bundle never left (it is sent only after the mark).
    if (record.phase === 'sending' && here.status !== 'moved') {
      journal.deleteOutgoing(record.id)
      return true
    }
    let state = await ask(record, 'status')
    if (state === 'pending') state = await ask(record, 'confirm')
    if (state === 'unknown') state = await ask(record, 'abort')
    if (state === 'started') {
      log.info({ account: record.accountId, handOff: record.id, target: record.target }, 'hand-off settled: the account runs at the target')
      await finish(record)
      return true
    }
    if (state === 'aborted') {
      await takeBack(record)
      journal.deleteOutgoing(record.id)
      return true
    }
    return false
  }

  function schedule(record: OutgoingHandOff, attempt = 0): void {
    if (closed || timers.has(record.id)) return
    const delay = attempt === 0 ? 0 : Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1))
    const timer = setTimeout(() => {
      timers.delete(record.id)
      if (closed || settling.has(record.id)) return
      // The journal, not `record`, says where it stands: an earlier attempt may have moved it on.
      const current = journal.outgoing().find((r) => r.id === record.id)
      if (!current) return
      settling.add(record.id)
      settle(current)
        .catch((error: unknown) => {
          log.warn({ err: error, handOff: record.id, target: record.target, attempt }, 'hand-off not settled yet; will try again')
          return false
        })
        .then((done) => {
          settling.delete(record.id)
          if (!done) schedule(record, attempt + 1)
        })
        .catch(() => undefined)
    }, delay)
    timer.unref()
    timers.set(record.id, timer)
  }

  return {
    begin(partial) {
      const record: OutgoingHandOff = { ...partial, phase: 'sending', createdAt: now() }
      journal.saveOutgoing(record)
      return record
    },
    sent(record) {
      const next: OutgoingHandOff = { ...record, phase: 'confirming' }
      journal.saveOutgoing(next)
      deps.crashPoint('source:after-send')
      return next
    },
    async confirm(record) {
      const server = parseRemoteServer(record.target)
      const answer = await remoteHandOff(server, { fetch: deps.fetch, token: record.token }, record.id, 'confirm')
      deps.crashPoint('source:after-confirm')
      if (answer.state !== 'started') throw new AppError('unavailable', `${record.target} did not start the account (it says ${answer.state}).`)
      await finish(record).catch((error: unknown) => {
        // The account runs there all the same; telling the target it may drop its record is retried.
        log.warn({ err: error, handOff: record.id, target: record.target }, 'hand-off done; the target will be told to drop its record later')
        schedule(record, 1)
      })
      return answer.account
    },
    forget: (id) => journal.deleteOutgoing(id),
    schedule: (record) => schedule(record),
    resume() {
      journal.pruneAborted(now() - ABORTED_TOMBSTONE_MS)
      for (const record of journal.outgoing()) schedule(record)
    },

    checkIncoming(id) {
      const record = journal.incoming(id)
      if (!record) return null
      if (record.state === 'aborted') {
        throw new AppError('conflict', 'This hand-off was called off by the sending server, which runs the account again. Export it again if it should move.')
      }
      return summary(record.accountId as AccountId)
    },
    recordIncoming(id, source, account, created) {
      journal.pruneAborted(now() - ABORTED_TOMBSTONE_MS)
      journal.saveIncoming({ id, source, accountId: account.id, state: 'pending', created, at: now() })
      deps.crashPoint('target:after-import')
    },
    async settleIncoming(id, action) {
      journal.pruneAborted(now() - ABORTED_TOMBSTONE_MS)
      const record: IncomingHandOff | null = journal.incoming(id)
      const account = summary((record?.accountId ?? null) as AccountId | null)
      if (action === 'status') return { state: record?.state ?? 'unknown', account }
      if (action === 'forget') {
        if (record?.state === 'pending') {
          throw new AppError('conflict', 'This hand-off is still pending here: confirm or abort it before forgetting it.')
        }
        // A tombstone stays for its hour (an import carrying its id may still be on its way); a started
        // record is no longer needed: the source has promised never to ask about it again.
        if (record?.state === 'started') journal.deleteIncoming(id)
        return { state: record?.state ?? 'unknown', account }
      }
      if (action === 'confirm') {
        if (!record || record.state === 'aborted' || !record.accountId) {
          throw new AppError('conflict', 'There is no pending hand-off with this id here: it was never received, or it was called off.')
        }
        if (record.state === 'pending') {
          // Started first, recorded after: a crash in between leaves it wanted running (it starts on
          // restart) and "pending", which the source confirms again.
          await sessions.start(record.accountId as AccountId).catch((error: unknown) => {
            if (!(error instanceof AppError && error.code === 'conflict')) log.warn({ err: error, account: record.accountId }, 'handed-off account did not start')
          })
          await deps.settled?.()
          journal.saveIncoming({ ...record, state: 'started', at: now() })
          deps.crashPoint('target:after-confirm')
        }
        return { state: 'started', account: summary(record.accountId as AccountId) }
      }
      if (record?.state === 'started') return { state: 'started', account }
      if (record?.state === 'pending' && record.accountId && record.created) {
        // Never started here; the source runs it again. A replaced account keeps its row (stopped).
        await sessions.remove(record.accountId as AccountId).catch((error: unknown) => log.warn({ err: error, account: record.accountId }, 'removing an aborted hand-off failed'))
      }
      journal.saveIncoming({ id, source: record?.source ?? 'unknown', accountId: null, state: 'aborted', created: false, at: now() })
      return { state: 'aborted', account: null }
    },
    close() {
      closed = true
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
    },
  }
}

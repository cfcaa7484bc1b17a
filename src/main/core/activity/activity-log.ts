// Each account's activity log: a bounded, persisted list of what happened to it and who asked.
// Fed from two places and nowhere else: the session events (status changes with reason and code,
// reconnect attempts, pairing, moves: see watchSessions) and the dispatch layer, which knows the
// caller (UI, API, CLI: see commandObserver). The session manager knows nothing of it.
// Main process, Electron-free. Only what the operator already sees is written: no secrets.

import type { AccountSummary, ActivityActor, ActivityEntry, ActivityKind, PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'

/** Entries kept per account; older ones are dropped as new ones arrive. */
export const ACTIVITY_PER_ACCOUNT = 200

export interface NewActivity {
  account: AccountId
  kind: ActivityKind
  message: string
  code?: number | null
  actor: ActivityActor
}

/**
 * Two homes: the SQLite database (one server, the desktop app: sqlite-activity-log.ts) and PostgreSQL
 * (a fleet: pg-activity-log.ts).
 * Recording never blocks the session it describes: PostgreSQL writes land in the background, in order,
 * and a list waits for this process's own writes first.
 */
export interface ActivityLog {
  record(entry: NewActivity): void
  /** Newest first. */
  list(account: AccountId, limit?: number): Promise<ActivityEntry[]>
  forget(account: AccountId): void
  /** Resolves when every entry recorded so far has landed (before the database closes). */
  settled(): Promise<void>
}

const STATUS_WORDS: Record<AccountSummary['status'], string> = {
  new: 'New',
  // QR codes or a linking code: which one the log says when it shows (wiring.ts, from accounts:qr).
  pairing: 'Waiting to be paired',
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Connection lost; reconnecting',
  stopped: 'Stopped',
  'logged-out': 'Logged out',
  replaced: 'Replaced by another client',
  moved: 'Moved',
  failed: 'Failed',
  moving: 'Reconnecting on another server',
}

/**
 * What one summary says happened since the previous one of the same account: a status change (with
 * the reason and code when it went wrong), a new reconnect attempt, a completed pairing.
 */
export function describeChange(before: AccountSummary | undefined, after: AccountSummary): Array<Omit<NewActivity, 'account' | 'actor'>> {
  const out: Array<Omit<NewActivity, 'account' | 'actor'>> = []
  if (before && after.reconnectCount > before.reconnectCount) {
    out.push({ kind: 'reconnect', message: `Reconnect attempt ${after.reconnectCount}`, code: after.lastDisconnectCode })
  }
  if (!before && after.pairedAt !== null) {
    // New here and already paired: it came in a bundle (an import, a hand-off from another server).
    out.push({ kind: 'transfer', message: `Imported${after.phone ? ` (paired as +${after.phone})` : ''}` })
  } else if (before?.pairedAt == null && after.pairedAt !== null) {
    out.push({ kind: 'pairing', message: `Paired${after.phone ? ` as +${after.phone}` : ''}` })
  }
  if (before?.status !== after.status) {
    const bad = ['reconnecting', 'logged-out', 'replaced', 'failed'].includes(after.status)
    const reason = bad && after.lastError ? `: ${after.lastError}` : ''
    const where = after.status === 'moved' && after.movedTo ? ` to ${after.movedTo.target}` : ''
    out.push({
      kind: after.status === 'pairing' ? 'pairing' : after.status === 'moved' ? 'transfer' : 'status',
      message: `${STATUS_WORDS[after.status]}${where}${reason}`,
      code: bad ? after.lastDisconnectCode : null,
    })
  }
  return out
}

/**
 * What one pairing state says happened to the passkey check since the previous one of the same account:
 * WhatsApp asked for one, accepted the passkey (the code is showing), or the check failed. Never the
 * code, the options or the link. How it ended when a person ended it (confirmed, cancelled) is the
 * command's own line.
 */
export function describePasskey(before: PairingState | undefined, after: PairingState): Array<Omit<NewActivity, 'account' | 'actor'>> {
  const out: Array<Omit<NewActivity, 'account' | 'actor'>> = []
  const was = before?.passkey?.phase ?? null
  const is = after.passkey?.phase ?? null
  if (is === 'required' && was !== 'required') out.push({ kind: 'pairing', message: 'WhatsApp asks for a passkey check before it links this device' })
  if (is === 'confirm' && was !== 'confirm') out.push({ kind: 'pairing', message: 'Passkey accepted; showing the confirmation code to compare with the phone' })
  if (after.passkeyError !== null && after.passkeyError !== (before?.passkeyError ?? null)) out.push({ kind: 'error', message: `Passkey check failed: ${after.passkeyError}` })
  return out
}

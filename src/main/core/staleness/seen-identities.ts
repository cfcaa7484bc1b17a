// Older state is refused: every write of an account's creds is counted (auth_creds.writes), and this
// store remembers the most writes it has seen for each linked device, also after the account left
// (exported, removed, replaced). An import or a restore carrying fewer writes for the same device is
// older state: WhatsApp sessions would fail to decrypt, and WhatsApp may refuse its credentials. It is
// refused with a clear message, or done anyway when the operator allows older state (after a warning).
// Main process, Electron-free. The rows are the SeenIdentities port: sqlite-seen-identities.ts and
// pg-seen-identities.ts.

import { AppError } from '../../../shared/errors'

export interface Seen {
  writes: number
  /** The account that held it then. */
  accountId: string
}

export interface SeenIdentities {
  /** The most writes this store has seen of the device: remembered, or held by an account's creds now. */
  seen(device: string): Promise<Seen | null>
  /** Remembers the writes of the device (keeps the larger). */
  record(device: string, writes: number, accountId: string): Promise<void>
  /** Remembers what an account's creds hold now, before they go (an export, a remove, a replace). */
  remember(accountId: string): Promise<void>
}

/** What is being brought in: the wording names it. */
export type Incoming = 'bundle' | 'backup'

/** The older state, or null when it is not older (or cannot be told: a bundle written before counts). */
export function olderState(incoming: { device: string | null; writes: number | null }, seen: Seen | null): { writes: number; seen: Seen } | null {
  if (incoming.device === null || incoming.writes === null || seen === null) return null
  return incoming.writes < seen.writes ? { writes: incoming.writes, seen } : null
}

export function describeOlderState(what: Incoming, device: string, older: { writes: number; seen: Seen }): string {
  const phone = device.split(':')[0]
  return (
    `This ${what} holds older state of +${phone} (device ${device}): its credentials were written ${older.writes} time(s), and this store has seen ` +
    `${older.seen.writes} writes of them (account ${older.seen.accountId}). Old state makes WhatsApp sessions fail to decrypt, and WhatsApp may refuse the credentials. ` +
    `Use the newest copy; only if you know this one is right, allow older state (${what === 'bundle' ? 'allowOlder, irish import --allow-older' : 'irish restore --allow-older'}).`
  )
}

export function olderStateError(what: Incoming, device: string, older: { writes: number; seen: Seen }): AppError {
  return new AppError('conflict', describeOlderState(what, device, older))
}

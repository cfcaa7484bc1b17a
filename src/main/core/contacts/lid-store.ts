// The port through which an account's LID ↔ phone mappings are kept (docs/session-doctor.md, "LIDs"):
// sqlite-lid-store.ts and pg-lid-store.ts beside this file implement it. WhatsApp addresses more and more
// senders by a LID (`…@lid`) that hides their number; once an account learns the number behind one, it
// keeps it, so its messages show the phone after a restart too. Main process, Electron-free.

import type { AccountId } from '../../../shared/ids'

/** One mapping: digits on both sides (no `@server`, no device). */
export interface LidMappingRow {
  lid: string
  pn: string
}

export interface LidStore {
  /** Every mapping the account learned. */
  load(account: AccountId): Promise<LidMappingRow[]>
  /**
   * Keeps a mapping (a newer phone for the same LID replaces the older one). Never throws into the
   * session: SQLite writes at once, PostgreSQL in the background, in order; a failure is logged.
   */
  save(account: AccountId, mapping: LidMappingRow, at: number): void
  /** Drops the account's mappings (the account was removed). */
  forget(account: AccountId): void
  /** Resolves when every write made so far has landed (before the database closes). */
  settled(): Promise<void>
}

// The auth store contract from the seed (Irish's four callbacks), plus the admin operations the app needs.
// Main process, Electron-free. Values are opaque: a store persists and returns them verbatim.

import type { AuthenticationCreds, SignalDataTypeMap } from '@whiskeysockets/baileys'
import type { AccountId } from '../../../shared/ids'

export type { AuthenticationCreds }

/** Baileys' key types, plus any string: Baileys adds types between releases and a store keeps them all. */
export type KeyType = keyof SignalDataTypeMap | (string & {})

/** Opaque to the store: whatever Baileys hands it, Buffers and Uint8Arrays included. */
export type KeyValue = unknown

/** One `set` call: per type, per id, a value to write or `null` to delete. Atomic. */
export type KeyData = { [type: string]: Record<string, KeyValue | null> | undefined }

/** The seed's contract. One store is scoped to one account. */
export interface AuthStore {
  readonly account: AccountId
  /** null when the account was never paired (no creds saved). */
  loadCreds(): Promise<AuthenticationCreds | null>
  saveCreds(creds: AuthenticationCreds): Promise<void>
  /** Missing ids are absent from the result (never present with `undefined`). */
  get(type: KeyType, ids: string[]): Promise<Record<string, KeyValue>>
  /** All of it lands or none of it. `null` deletes. */
  set(data: KeyData): Promise<void>
}

/** Everything an account's store holds, as one value: what export and import move. */
export interface AuthSnapshot {
  creds: AuthenticationCreds
  keys: Record<string, Record<string, KeyValue>>
  /**
   * How many times the creds were written where the snapshot was taken (database stores): an import or
   * a restore carrying fewer than a store has seen for the same device is older state.
   */
  writes?: number
}

/** What the app needs beyond the seed's four calls. Built-in stores implement it. */
export interface ManagedAuthStore extends AuthStore {
  /** Key counts by type (creds not included). */
  counts(): Promise<Record<string, number>>
  /** Deletes creds and every key of this account, atomically. */
  clear(): Promise<void>
  /** null when there are no creds. */
  exportSnapshot(): Promise<AuthSnapshot | null>
  /** Replaces everything this account holds with the snapshot, atomically. */
  importSnapshot(snapshot: AuthSnapshot): Promise<void>
}

/** Opens the store for one account. */
export interface AuthStoreFactory {
  open(account: AccountId): ManagedAuthStore
  /** Releases resources (database handles). Stores opened from it must not be used afterwards. */
  close(): Promise<void>
}

// The skeleton every database auth store shares: check the input, seal the values, hand sealed rows to
// the backend, and on the way back open what it read. A backend (sqlite-store.ts, pg-store.ts) is its
// row access alone (SealedRows): where the bytes go, in which transaction. Main process, Electron-free.
// Sealing happens before the backend is called, so a value that cannot be stored changes nothing; an
// import's keys are sealed as the backend writes them, inside its transaction, which a value that cannot
// be stored rolls back.

import type { AccountId } from '../../../shared/ids'
import type { Sealer } from '../crypto/sealer'
import { identityOf } from './identity'
import { createValueSealing, type SealedWrite } from './sealing'
import type { AuthSnapshot, AuthStoreFactory, KeyData, KeyValue, ManagedAuthStore } from './types'
import { assertAccountId, assertCreds, assertIds, assertKeyType, assertSnapshot, flattenKeyData } from './validate'

export type { SealedWrite }

/** A synchronous backend (better-sqlite3) answers at once; an asynchronous one (pg) with a promise. */
type Maybe<T> = T | Promise<T>

export interface SealedKeyRow {
  type: string
  id: string
  value: Buffer
}

/**
 * One backend's row access, by account. Every write is atomic; a failure throws an AppError that says
 * what was not written. Values arrive sealed and leave sealed.
 */
export interface SealedRows {
  /** Throws `unavailable` once the store or its database was closed. */
  ensureOpen(): void
  readCreds(account: AccountId): Maybe<Buffer | null>
  /** Writes the creds and counts the write; `identity` is the linked device they belong to (identity.ts). */
  writeCreds(account: AccountId, sealed: Buffer, identity: string | null): Maybe<void>
  /** The stored rows among `ids` (one id or many) of one type. */
  readKeys(account: AccountId, type: string, ids: string[]): Maybe<Iterable<{ id: string; value: Buffer }>>
  /** Upserts and deletes (`sealed: null`) in one transaction; never called with none. */
  writeKeys(account: AccountId, writes: SealedWrite[]): Maybe<void>
  countKeys(account: AccountId): Maybe<Iterable<{ type: string; n: number }>>
  /** Deletes the creds and every key, in one transaction. */
  clear(account: AccountId): Maybe<void>
  /** The creds (with their write count) and every key as of one moment, or null when there are no creds. */
  readAll(account: AccountId): Maybe<{ creds: Buffer; writes: number; keys: Iterable<SealedKeyRow> } | null>
  /**
   * Replaces everything the account holds with these creds and keys, in one transaction, the creds'
   * write count set to the snapshot's. `writes` seals each key as it is read: read it once, inside the
   * transaction (it throws for a value that cannot be stored).
   */
  replaceAll(account: AccountId, creds: Buffer, writes: Iterable<SealedWrite>, state: { writes: number; identity: string | null }): Maybe<void>
  close(): Promise<void>
}

/** Awaits only a promise: a synchronous backend's hot path (one key per message) keeps no extra tick. */
async function settle<T>(value: Maybe<T>): Promise<T> {
  return value instanceof Promise ? await value : value
}

export function sealedStoreFactory(rows: SealedRows, sealer: Sealer): AuthStoreFactory {
  const { openKey, openCreds, sealWrites, sealCreds, sealKey } = createValueSealing(sealer)

  /** A snapshot's keys, each sealed only when the backend asks for it: a 60 MB snapshot never exists twice. */
  function* sealedOneByOne(account: AccountId, keys: unknown): Generator<SealedWrite> {
    for (const w of flattenKeyData(keys)) yield { type: w.type, id: w.id, sealed: sealKey(account, w.type, w.id, w.value) }
  }

  function open(account: AccountId): ManagedAuthStore {
    assertAccountId(account)
    rows.ensureOpen()

    return {
      account,

      async loadCreds() {
        rows.ensureOpen()
        const sealed = rows.readCreds(account)
        const value = sealed instanceof Promise ? await sealed : sealed
        return value ? openCreds(account, value) : null
      },

      async saveCreds(creds) {
        assertCreds(creds)
        rows.ensureOpen()
        const sealed = sealCreds(account, creds)
        // Awaited only when the backend answers later: a synchronous one's promise is settled on return,
        // which is how the telemetry tells the store's own time from the loop's (instrument-store.ts).
        const written = rows.writeCreds(account, sealed, identityOf(creds))
        if (written instanceof Promise) await written
      },

      async get(type, ids) {
        assertKeyType(type)
        assertIds(ids, type)
        rows.ensureOpen()
        const out: Record<string, KeyValue> = {}
        if (ids.length === 0) return out
        const read = rows.readKeys(account, type, ids)
        for (const row of read instanceof Promise ? await read : read) out[row.id] = openKey(account, type, row.id, row.value)
        return out
      },

      async set(data: KeyData) {
        const writes = sealWrites(account, data)
        rows.ensureOpen()
        if (writes.length === 0) return
        const written = rows.writeKeys(account, writes)
        if (written instanceof Promise) await written
      },

      async counts() {
        rows.ensureOpen()
        const counted: Record<string, number> = {}
        for (const row of await settle(rows.countKeys(account))) counted[row.type] = row.n
        return counted
      },

      async clear() {
        rows.ensureOpen()
        await settle(rows.clear(account))
      },

      async exportSnapshot(): Promise<AuthSnapshot | null> {
        rows.ensureOpen()
        const all = await settle(rows.readAll(account))
        if (!all) return null
        const keys: Record<string, Record<string, KeyValue>> = {}
        for (const row of all.keys) {
          const bucket = (keys[row.type] ??= {})
          bucket[row.id] = openKey(account, row.type, row.id, row.value)
        }
        return { creds: openCreds(account, all.creds), keys, writes: all.writes }
      },

      async importSnapshot(snapshot) {
        assertSnapshot(snapshot)
        const creds = sealCreds(account, snapshot.creds)
        rows.ensureOpen()
        const state = { writes: snapshot.writes ?? 0, identity: identityOf(snapshot.creds) }
        await settle(rows.replaceAll(account, creds, sealedOneByOne(account, snapshot.keys), state))
      },
    }
  }

  return { open, close: () => rows.close() }
}

// The default auth store: many accounts in one SQLite database, every value sealed with AES-256-GCM.
// Main process, Electron-free. This file is the row access alone; checking, sealing and opening are
// sealed-store.ts's, shared with PostgreSQL. Hot paths (get, upsert, delete) are raw better-sqlite3
// prepared statements; admin operations go through Drizzle. One `set` = one SQLite transaction.

import { count, eq } from 'drizzle-orm'
import type { Statement } from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import { openDatabase, type OpenDatabaseOptions, type OpenedDatabase } from '../db/open-database'
import { authCreds, authKeys } from '../db/schema'
import { sealedStoreFactory, type SealedRows, type SealedWrite } from './sealed-store'
import type { AuthStoreFactory } from './types'

interface Statements {
  getOne: Statement<[string, string, string], { value: Buffer }>
  getMany: Statement<[string, string, string], { id: string; value: Buffer }>
  upsert: Statement<[string, string, string, Buffer]>
  remove: Statement<[string, string, string]>
  getCreds: Statement<[string], { value: Buffer; writes: number }>
  upsertCreds: Statement<[string, Buffer, number, string | null]>
  replaceCreds: Statement<[string, Buffer, number, number, string | null]>
  allKeys: Statement<[string], { type: string; id: string; value: Buffer }>
}

/** Opens (and on close, closes) its own database. */
export function openSqliteAuthStoreFactory(options: OpenDatabaseOptions): AuthStoreFactory {
  const database = openDatabase(options)
  return makeFactory(database, true)
}

/** Uses a database the caller opened and keeps open (e.g. shared with the accounts and settings tables). */
export function sqliteAuthStoreFactory(database: OpenedDatabase): AuthStoreFactory {
  if (typeof database !== 'object' || database === null || !database.sqlite || !database.sealer) {
    throw new AppError('invalid-input', 'sqliteAuthStoreFactory needs a database from openDatabase().')
  }
  return makeFactory(database, false)
}

function makeFactory(database: OpenedDatabase, ownsDatabase: boolean): AuthStoreFactory {
  const { sqlite, db, sealer } = database
  const stmts: Statements = {
    getOne: sqlite.prepare('SELECT value FROM auth_keys WHERE account_id = ? AND type = ? AND id = ?'),
    // One statement for any number of ids: the ids travel as one JSON array, so no per-size statement cache.
    getMany: sqlite.prepare(
      'SELECT id, value FROM auth_keys WHERE account_id = ? AND type = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    upsert: sqlite.prepare(
      'INSERT INTO auth_keys (account_id, type, id, value) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (account_id, type, id) DO UPDATE SET value = excluded.value',
    ),
    remove: sqlite.prepare('DELETE FROM auth_keys WHERE account_id = ? AND type = ? AND id = ?'),
    getCreds: sqlite.prepare('SELECT value, writes FROM auth_creds WHERE account_id = ?'),
    // Every write is counted (the staleness check of imports and restores: transfer/staleness.ts).
    upsertCreds: sqlite.prepare(
      'INSERT INTO auth_creds (account_id, value, updated_at, writes, identity) VALUES (?, ?, ?, 1, ?) ' +
        'ON CONFLICT (account_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, writes = auth_creds.writes + 1, identity = excluded.identity',
    ),
    replaceCreds: sqlite.prepare(
      'INSERT INTO auth_creds (account_id, value, updated_at, writes, identity) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (account_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, writes = excluded.writes, identity = excluded.identity',
    ),
    allKeys: sqlite.prepare('SELECT type, id, value FROM auth_keys WHERE account_id = ?'),
  }
  let closed = false

  function applyWrites(account: string, writes: Iterable<SealedWrite>): void {
    for (const w of writes) {
      if (w.sealed === null) stmts.remove.run(account, w.type, w.id)
      else stmts.upsert.run(account, w.type, w.id, w.sealed)
    }
  }

  // Built once: wrapping a new function per call costs more than the insert itself on the hot path.
  // IMMEDIATE takes the write lock at BEGIN, so a busy database fails before any statement runs.
  const runInTransaction = sqlite.transaction((fn: () => void) => fn())

  function inTransaction(account: string, what: string, fn: () => void): void {
    inStatement(account, what, () => runInTransaction.immediate(fn))
  }

  function inStatement(account: string, what: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      if (err instanceof AppError) throw err
      const code = (err as { code?: unknown }).code
      if (code === 'SQLITE_BUSY') {
        throw new AppError('unavailable', `The database is busy (another process holds it); ${what} for account ${account} was not applied. Retry.`, {
          cause: err,
        })
      }
      throw new AppError('internal', `${what} for account ${account} failed and was rolled back; nothing was written.`, {
        cause: err,
      })
    }
  }

  const rows: SealedRows = {
    ensureOpen() {
      if (closed || !sqlite.open) {
        throw new AppError('unavailable', 'The auth store was closed; reopen the database before using accounts.')
      }
    },
    readCreds: (account) => stmts.getCreds.get(account)?.value ?? null,
    writeCreds(account, sealed, identity) {
      inStatement(account, 'Saving creds', () => {
        stmts.upsertCreds.run(account, sealed, Date.now(), identity)
      })
    },
    readKeys(account, type, ids) {
      if (ids.length === 1) {
        const id = ids[0] as string
        const row = stmts.getOne.get(account, type, id)
        return row ? [{ id, value: row.value }] : []
      }
      return stmts.getMany.iterate(account, type, JSON.stringify(ids))
    },
    writeKeys(account, writes) {
      // A lone statement is already its own atomic transaction in SQLite; skipping BEGIN/COMMIT
      // saves ~2 µs on the hottest path (one session or sender key per message).
      if (writes.length === 1) inStatement(account, 'Writing keys', () => applyWrites(account, writes))
      else inTransaction(account, 'Writing keys', () => applyWrites(account, writes))
    },
    countKeys: (account) =>
      db
        .select({ type: authKeys.type, n: count() })
        .from(authKeys)
        .where(eq(authKeys.accountId, account))
        .groupBy(authKeys.type)
        .all(),
    clear(account) {
      inTransaction(account, 'Clearing the auth state', () => {
        db.delete(authKeys).where(eq(authKeys.accountId, account)).run()
        db.delete(authCreds).where(eq(authCreds.accountId, account)).run()
      })
    },
    readAll(account) {
      // One read transaction, so creds and keys come from the same moment.
      return sqlite.transaction(() => {
        const credsRow = stmts.getCreds.get(account)
        return credsRow ? { creds: credsRow.value, writes: credsRow.writes, keys: stmts.allKeys.all(account) } : null
      })()
    },
    replaceAll(account, creds, writes, state) {
      inTransaction(account, 'Importing the snapshot', () => {
        db.delete(authKeys).where(eq(authKeys.accountId, account)).run()
        stmts.replaceCreds.run(account, creds, Date.now(), state.writes, state.identity)
        applyWrites(account, writes)
      })
    },
    async close() {
      closed = true
      if (ownsDatabase) database.close()
    },
  }
  return sealedStoreFactory(rows, sealer)
}

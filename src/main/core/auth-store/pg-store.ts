// The auth store on PostgreSQL: many accounts of a fleet in one database, every value sealed with
// AES-256-GCM exactly as in SQLite (the same skeleton, sealed-store.ts: this file is the row access
// alone). Main process, Electron-free.
// Reads are single named (server-side prepared) statements. Every write is one transaction that first
// takes a per-account transaction lock, so concurrent writes to one account apply one after another,
// and, when a fence is set, checks this server's lease epoch in the same transaction: a server whose
// lease was taken over writes nothing.

import type pg from 'pg'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { sealedStoreFactory, type SealedKeyRow, type SealedRows, type SealedWrite } from './sealed-store'
import type { AuthStoreFactory } from './types'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import { checkout, storeError } from '../db/postgres/pg-errors'

/** Who may write an account: this server, at the lease epoch it holds. */
export interface FenceToken {
  owner: string
  epoch: number
}

export interface WriteFence {
  /** The token this server holds for the account, or null when it holds no lease. */
  token(account: AccountId): FenceToken | null
  /** Called once a write was refused because the lease moved on: the caller closes the account's socket. */
  fenced(account: AccountId, error: AppError): void
}

export interface PgAuthStoreOptions {
  /** Without a fence every write goes through (one server, tests, the SQLite-to-PostgreSQL move). */
  fence?: WriteFence
  /**
   * Tests only: runs inside every key write's transaction, after the fence check, so a test can hold a
   * write there and pause the process with its transaction open (the fleet's fault tests).
   */
  holdWrite?: (account: AccountId, what: string) => Promise<void>
}

const SQL = {
  getOne: 'SELECT value FROM auth_keys WHERE account_id = $1 AND type = $2 AND id = $3',
  getMany: 'SELECT id, value FROM auth_keys WHERE account_id = $1 AND type = $2 AND id = ANY($3::text[])',
  getCreds: 'SELECT value, writes FROM auth_creds WHERE account_id = $1',
  allKeys: 'SELECT type, id, value FROM auth_keys WHERE account_id = $1',
  counts: 'SELECT type, count(*)::int AS n FROM auth_keys WHERE account_id = $1 GROUP BY type',
  upsert:
    'INSERT INTO auth_keys (account_id, type, id, value) SELECT $1, t, i, v FROM unnest($2::text[], $3::text[], $4::bytea[]) AS w(t, i, v) ' +
    'ON CONFLICT (account_id, type, id) DO UPDATE SET value = excluded.value',
  remove: 'DELETE FROM auth_keys k USING unnest($2::text[], $3::text[]) AS w(t, i) WHERE k.account_id = $1 AND k.type = w.t AND k.id = w.i',
  // Every write is counted (the staleness check of imports and restores: transfer/staleness.ts).
  upsertCreds:
    'INSERT INTO auth_creds (account_id, value, updated_at, writes, identity) VALUES ($1, $2, $3, 1, $4) ' +
    'ON CONFLICT (account_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, writes = auth_creds.writes + 1, identity = excluded.identity',
  replaceCreds:
    'INSERT INTO auth_creds (account_id, value, updated_at, writes, identity) VALUES ($1, $2, $3, $4, $5) ' +
    'ON CONFLICT (account_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, writes = excluded.writes, identity = excluded.identity',
  clearKeys: 'DELETE FROM auth_keys WHERE account_id = $1',
  clearCreds: 'DELETE FROM auth_creds WHERE account_id = $1',
} as const

// Each write also takes pg_advisory_xact_lock(hashtextextended(account, 0)): a 64-bit lock key per
// account (a collision only makes two accounts wait on each other), and with a fence checks
// leases (account, owner, epoch) FOR KEY SHARE, so a takeover (FOR UPDATE) cannot commit while a write is
// in flight and fences the next; the owner's renewals (FOR NO KEY UPDATE) do not conflict with it. A
// write left open by a paused process ends with its session (idle_in_transaction_session_timeout).

/** Uses a database the caller opened and keeps open (shared with accounts, settings and leases). */
export function pgAuthStoreFactory(database: OpenedPostgres, options: PgAuthStoreOptions = {}): AuthStoreFactory {
  if (typeof database !== 'object' || database === null || !database.pool || !database.sealer) {
    throw new AppError('invalid-input', 'pgAuthStoreFactory needs a database from openPostgres().')
  }
  const { pool } = database
  const fence = options.fence
  let closed = false

  function ensureOpen(): void {
    if (closed) throw new AppError('unavailable', 'The auth store was closed; reopen the database before using accounts.')
  }

  async function read<R extends pg.QueryResultRow>(name: keyof typeof SQL, values: unknown[], what: string, account: string): Promise<R[]> {
    try {
      return (await pool.query<R>({ name: `irish_${name}`, text: SQL[name], values })).rows
    } catch (err) {
      throw storeError(err, what, account)
    }
  }

  /** BEGIN; per-account lock; fence; fn; COMMIT. Any failure rolls everything back. */
  async function write(account: AccountId, what: string, fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    ensureOpen()
    // Taken before the transaction: a write must not start under a lease this server already knows it lost.
    const token = fence ? fence.token(account) : null
    if (fence && !token) throw notLeased(account, what)
    let client: pg.PoolClient
    try {
      client = await checkout(pool)
    } catch (err) {
      throw storeError(err, what, account)
    }
    let broken = false
    try {
      // BEGIN, the lock and the fence in one round trip (a simple query may hold several statements, but
      // no parameters: the account id is validated and the owner is this server's own id, both quoted).
      const lit = (value: string): string => client.escapeLiteral(value)
      const head = [`BEGIN`, `SELECT pg_advisory_xact_lock(hashtextextended(${lit(account)}, 0))`]
      if (token) {
        head.push(`SELECT epoch FROM leases WHERE account_id = ${lit(account)} AND owner = ${lit(token.owner)} AND epoch = ${Number(token.epoch)} FOR KEY SHARE`)
      }
      const results = (await client.query(head.join('; '))) as unknown as pg.QueryResult[]
      if (token) {
        const held = results[2]
        if (!held || held.rowCount === 0) {
          const error = fencedError(account, what, token)
          fence?.fenced(account, error)
          throw error
        }
      }
      if (options.holdWrite) await options.holdWrite(account, what)
      await fn(client)
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw storeError(err, what, account)
    } finally {
      client.release(broken)
    }
  }

  async function applyWrites(client: pg.PoolClient, account: string, writes: SealedWrite[]): Promise<void> {
    // Sorted, so two writers that touch the same keys lock them in the same order (no deadlock).
    const sorted = [...writes].sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1))
    const removes = sorted.filter((w) => w.sealed === null)
    const upserts = sorted.filter((w) => w.sealed !== null)
    if (removes.length > 0) {
      await client.query({ name: 'irish_remove', text: SQL.remove, values: [account, removes.map((w) => w.type), removes.map((w) => w.id)] })
    }
    if (upserts.length > 0) {
      await client.query({
        name: 'irish_upsert',
        text: SQL.upsert,
        values: [account, upserts.map((w) => w.type), upserts.map((w) => w.id), upserts.map((w) => w.sealed)],
      })
    }
  }

  async function readAll(account: AccountId): Promise<{ creds: Buffer; writes: number; keys: SealedKeyRow[] } | null> {
    // One REPEATABLE READ transaction, so creds and keys come from the same moment.
    let client: pg.PoolClient
    try {
      client = await checkout(pool)
    } catch (err) {
      throw storeError(err, 'Exporting the snapshot', account)
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const credsRow = (await client.query<{ value: Buffer; writes: string }>(SQL.getCreds, [account])).rows[0]
      const keyRows = credsRow ? (await client.query<SealedKeyRow>(SQL.allKeys, [account])).rows : []
      await client.query('COMMIT')
      return credsRow ? { creds: credsRow.value, writes: Number(credsRow.writes), keys: keyRows } : null
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw storeError(err, 'Exporting the snapshot', account)
    } finally {
      client.release()
    }
  }

  const rows: SealedRows = {
    ensureOpen,
    async readCreds(account) {
      return (await read<{ value: Buffer }>('getCreds', [account], 'Loading creds', account))[0]?.value ?? null
    },
    async writeCreds(account, sealed, identity) {
      await write(account, 'Saving creds', async (client) => {
        await client.query({ name: 'irish_upsertCreds', text: SQL.upsertCreds, values: [account, sealed, Date.now(), identity] })
      })
    },
    readKeys: (account, type, ids) =>
      ids.length === 1
        ? read<{ id: string; value: Buffer }>('getOne', [account, type, ids[0]], 'Reading keys', account).then((found) => found.map((row) => ({ id: ids[0]!, value: row.value })))
        : read<{ id: string; value: Buffer }>('getMany', [account, type, ids], 'Reading keys', account),
    writeKeys: (account, writes) => write(account, 'Writing keys', (client) => applyWrites(client, account, writes)),
    countKeys: (account) => read<{ type: string; n: number }>('counts', [account], 'Counting keys', account),
    clear: (account) =>
      write(account, 'Clearing the auth state', async (client) => {
        await client.query(SQL.clearKeys, [account])
        await client.query(SQL.clearCreds, [account])
      }),
    readAll,
    replaceAll(account, creds, writes, state) {
      // Sealed in full before the transaction: one statement takes them all (and a retried transaction reads them again).
      const all = [...writes]
      return write(account, 'Importing the snapshot', async (client) => {
        await client.query(SQL.clearKeys, [account])
        await client.query({ name: 'irish_replaceCreds', text: SQL.replaceCreds, values: [account, creds, Date.now(), state.writes, state.identity] })
        await applyWrites(client, account, all)
      })
    },
    async close() {
      // The pool belongs to whoever opened the database; stores opened from here stop working.
      closed = true
    },
  }
  return sealedStoreFactory(rows, database.sealer)
}

function notLeased(account: string, what: string): AppError {
  return new AppError('conflict', `${what} for account ${account} was refused: this server holds no lease on it (another server runs it). Nothing was written.`)
}

function fencedError(account: string, what: string, token: FenceToken): AppError {
  return new AppError(
    'conflict',
    `${what} for account ${account} was refused: this server's lease (epoch ${token.epoch}) was taken over by another server. ` +
      'Nothing was written; this server stops running the account.',
  )
}

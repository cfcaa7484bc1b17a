// Moves a SQLite data dir (one server, or the desktop app) into a fleet's PostgreSQL database:
// accounts, settings, creds and every key, validated and all or nothing. Main process, Electron-free.
//
// Both databases seal values with the same data key and the same AAD (account, type, id), so sealed
// bytes move verbatim; each is opened first, so a damaged row stops the move before anything is written.
// The PostgreSQL side is one transaction. Afterwards the SQLite accounts are marked moved (to the
// database, password left out), so the old data dir never starts them again: two copies of one session
// would break it.

import type Database from 'better-sqlite3'
import type pg from 'pg'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { createValueSealing } from '../auth-store/sealing'
import { acquireDataDirLock } from '../data-dir-lock'
import { DATABASE_FILE, openDatabase } from '../db/open-database'
import { openPostgres } from '../db/postgres/open-postgres'
import { storeError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'

export interface MoveOptions {
  dataDir: string
  databaseUrl: string
  dataKey: Buffer
  logger: Logger
  /** better-sqlite3 binding for another ABI, as in createCore. */
  sqliteBinding?: string
}

export interface MoveReport {
  accounts: number
  keys: number
  settings: number
  /** Where the accounts went (no password): what the SQLite side now says they moved to. */
  target: string
}

type AccountRow = Record<string, unknown> & { id: string }

const BATCH = 2000

export async function moveSqliteToPostgres(options: MoveOptions): Promise<MoveReport> {
  const lock = acquireDataDirLock(options.dataDir)
  try {
    const source = openDatabase({
      file: join(options.dataDir, DATABASE_FILE),
      dataKey: options.dataKey,
      ...(options.sqliteBinding ? { nativeBinding: options.sqliteBinding } : {}),
    })
    try {
      const target = await openPostgres({ url: options.databaseUrl, dataKey: options.dataKey, logger: options.logger })
      try {
        const report = await copyAll(source.sqlite, source.sealer, target.pool, target.where)
        markMoved(source.sqlite, report.target)
        return report
      } finally {
        await target.close()
      }
    } finally {
      source.close()
    }
  } finally {
    lock.release()
  }
}

async function copyAll(sqlite: Database.Database, sealer: Parameters<typeof createValueSealing>[0], pool: pg.Pool, where: string): Promise<MoveReport> {
  const sealing = createValueSealing(sealer)
  const accounts = sqlite.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as AccountRow[]
  const moving = accounts.filter((a) => a.moved_to === null)
  if (moving.length === 0) throw new AppError('not-found', 'This data dir has no account to move (none, or all already moved).')
  // Validated up front, before the transaction: every value opens under the key at its own place.
  let keys = 0
  for (const account of moving) {
    const creds = sqlite.prepare('SELECT value FROM auth_creds WHERE account_id = ?').get(account.id) as { value: Buffer } | undefined
    if (creds) sealing.openCreds(account.id, creds.value)
    for (const row of sqlite.prepare('SELECT type, id, value FROM auth_keys WHERE account_id = ?').iterate(account.id) as Iterable<KeyRow>) {
      sealing.openKey(account.id, row.type, row.id, row.value)
      keys += 1
    }
  }

  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const ids = moving.map((a) => a.id)
    const taken = (await client.query<{ id: string }>('SELECT id FROM accounts WHERE id = ANY($1::text[]) UNION SELECT account_id FROM auth_creds WHERE account_id = ANY($1::text[])', [ids])).rows
    if (taken.length > 0) {
      throw new AppError('conflict', `The database already holds ${taken.map((r) => r.id).join(', ')}; nothing was moved. Remove them there first, or move the other accounts by export.`)
    }
    for (const account of moving) await copyAccount(client, sqlite, account)
    const settings = sqlite.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>
    // The fleet's own settings win: a second data dir moved in must not change how the fleet runs.
    for (const s of settings) await client.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [s.key, s.value])
    const copied = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_keys WHERE account_id = ANY($1::text[])', [ids])).rows[0]?.n
    if (copied !== keys) throw new AppError('internal', `Copied ${copied} keys where the data dir holds ${keys}; nothing was moved.`)
    await client.query('COMMIT')
    return { accounts: moving.length, keys, settings: settings.length, target: where }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw storeError(err, 'Moving the data dir into PostgreSQL', moving.map((a) => a.id).join(', '))
  } finally {
    client.release()
  }
}

interface KeyRow {
  type: string
  id: string
  value: Buffer
}

async function copyAccount(client: pg.PoolClient, sqlite: Database.Database, a: AccountRow): Promise<void> {
  // Stopped: the fleet's servers claim and start what the operator wants running.
  await client.query(
    'INSERT INTO accounts (id, label, phone, name, status, status_since, last_error, last_disconnect_code, reconnect_count, created_at, ' +
      "paired_at, last_connected_at, want_running, moved_to, moved_at, proxy, proxy_url) VALUES ($1, $2, $3, $4, 'stopped', $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, $13, $14)",
    // The proxy URL stays sealed: the fleet shares the data key, and its additional data names only the account.
    [a.id, a.label, a.phone, a.name, a.status_since, a.last_error, a.last_disconnect_code, a.reconnect_count, a.created_at, a.paired_at, a.last_connected_at, a.want_running === 1, a.proxy, a.proxy_url],
  )
  const creds = sqlite.prepare('SELECT value, updated_at FROM auth_creds WHERE account_id = ?').get(a.id) as { value: Buffer; updated_at: number } | undefined
  if (creds) await client.query('INSERT INTO auth_creds (account_id, value, updated_at) VALUES ($1, $2, $3)', [a.id, creds.value, creds.updated_at])
  let batch: KeyRow[] = []
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await client.query(
      'INSERT INTO auth_keys (account_id, type, id, value) SELECT $1, t, i, v FROM unnest($2::text[], $3::text[], $4::bytea[]) AS w(t, i, v)',
      [a.id, batch.map((k) => k.type), batch.map((k) => k.id), batch.map((k) => k.value)],
    )
    batch = []
  }
  for (const row of sqlite.prepare('SELECT type, id, value FROM auth_keys WHERE account_id = ?').iterate(a.id) as Iterable<KeyRow>) {
    batch.push(row)
    if (batch.length >= BATCH) await flush()
  }
  await flush()
  await copyActivity(client, sqlite, a.id)
}

/** The account's history comes along (at most ACTIVITY_PER_ACCOUNT rows), oldest first so the fleet's seq keeps its order. */
async function copyActivity(client: pg.PoolClient, sqlite: Database.Database, id: string): Promise<void> {
  const rows = sqlite.prepare('SELECT at, kind, message, code, actor FROM activity WHERE account_id = ? ORDER BY seq').all(id) as Array<{
    at: number
    kind: string
    message: string
    code: number | null
    actor: string
  }>
  if (rows.length === 0) return
  await client.query(
    'INSERT INTO activity (account_id, at, kind, message, code, actor) SELECT $1, a, k, m, c, w FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) WITH ORDINALITY AS r(a, k, m, c, w, n) ORDER BY n',
    [id, rows.map((r) => r.at), rows.map((r) => r.kind), rows.map((r) => r.message), rows.map((r) => r.code), rows.map((r) => r.actor)],
  )
}

function markMoved(sqlite: Database.Database, target: string): void {
  sqlite
    .prepare("UPDATE accounts SET moved_to = ?, moved_at = ?, want_running = 0, status = 'moved', status_since = ?, last_error = NULL WHERE moved_to IS NULL")
    .run(target, Date.now(), Date.now())
}

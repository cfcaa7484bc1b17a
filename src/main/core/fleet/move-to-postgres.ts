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
    await copyTrail(client, sqlite)
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
      "paired_at, last_connected_at, want_running, moved_to, moved_at, condition, tags, proxy, proxy_url, limits) VALUES ($1, $2, $3, $4, 'stopped', $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, $13, $14, $15, $16, $17)",
    // The proxy URL stays sealed: the fleet shares the data key, and its additional data names only the account.
    [
      a.id,
      a.label,
      a.phone,
      a.name,
      a.status_since,
      a.last_error,
      a.last_disconnect_code,
      a.reconnect_count,
      a.created_at,
      a.paired_at,
      a.last_connected_at,
      a.want_running === 1,
      // A condition that outlives a restart (logged out, banned …) still holds on the fleet (core/doctor).
      a.condition,
      a.tags ?? '[]',
      a.proxy,
      a.proxy_url,
      a.limits,
    ],
  )
  // The write count and the device travel with the creds: the fleet refuses older state of them too.
  const creds = sqlite.prepare('SELECT value, updated_at, writes, identity FROM auth_creds WHERE account_id = ?').get(a.id) as
    | { value: Buffer; updated_at: number; writes: number; identity: string | null }
    | undefined
  if (creds) {
    await client.query('INSERT INTO auth_creds (account_id, value, updated_at, writes, identity) VALUES ($1, $2, $3, $4, $5)', [
      a.id,
      creds.value,
      creds.updated_at,
      creds.writes,
      creds.identity,
    ])
  }
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
  await copyLidMappings(client, sqlite, a.id)
}

/** The phone numbers the account learned for LIDs (core/contacts) come along. */
async function copyLidMappings(client: pg.PoolClient, sqlite: Database.Database, id: string): Promise<void> {
  const rows = sqlite.prepare('SELECT lid, pn, learned_at FROM lid_mappings WHERE account_id = ?').all(id) as Array<{ lid: string; pn: string; learned_at: number }>
  if (rows.length === 0) return
  await client.query('INSERT INTO lid_mappings (account_id, lid, pn, learned_at) SELECT $1, l, p, t FROM unnest($2::text[], $3::text[], $4::bigint[]) AS r(l, p, t)', [
    id,
    rows.map((r) => r.lid),
    rows.map((r) => r.pn),
    rows.map((r) => r.learned_at),
  ])
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

/**
 * What the data dir knows besides its accounts comes along too: the most writes it has seen per device
 * (older state stays refused), its named tokens (their holders keep working against the fleet; a name the
 * fleet has already keeps the fleet's), and its audit trail, whose account ids stay valid.
 */
async function copyTrail(client: pg.PoolClient, sqlite: Database.Database): Promise<void> {
  for (const row of sqlite.prepare('SELECT identity, writes, account_id, at FROM seen_identities').iterate() as Iterable<{ identity: string; writes: number; account_id: string; at: number }>) {
    await client.query(
      'INSERT INTO seen_identities (identity, writes, account_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT (identity) DO UPDATE SET writes = GREATEST(seen_identities.writes, excluded.writes)',
      [row.identity, row.writes, row.account_id, row.at],
    )
  }
  for (const row of sqlite.prepare('SELECT name, role, accounts, hash, created_at FROM api_tokens').iterate() as Iterable<{ name: string; role: string; accounts: string | null; hash: string; created_at: number }>) {
    await client.query('INSERT INTO api_tokens (name, role, accounts, hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      row.name,
      row.role,
      row.accounts,
      row.hash,
      row.created_at,
    ])
  }
  const audit = sqlite.prepare('SELECT at, actor, command, accounts, result, server, subject FROM audit ORDER BY seq').all() as Array<Record<string, string | number | null>>
  for (let i = 0; i < audit.length; i += BATCH) {
    const part = audit.slice(i, i + BATCH)
    const column = (name: string): unknown[] => part.map((row) => row[name])
    await client.query(
      `INSERT INTO audit (at, actor, command, accounts, result, server, subject)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
      ['at', 'actor', 'command', 'accounts', 'result', 'server', 'subject'].map(column),
    )
  }
}

function markMoved(sqlite: Database.Database, target: string): void {
  sqlite
    .prepare("UPDATE accounts SET moved_to = ?, moved_at = ?, want_running = 0, status = 'moved', status_since = ?, last_error = NULL WHERE moved_to IS NULL")
    .run(target, Date.now(), Date.now())
}

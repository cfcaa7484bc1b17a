// Opens the PostgreSQL database of a fleet: connects a pool, checks the data key, refuses a schema newer
// than this version, applies pending migrations (drizzle/postgres/), all under one advisory lock so
// servers starting together migrate once. Main process, Electron-free. Nothing happens at import.
// There is no plaintext mode: a database without a usable key does not open.

import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { AppError } from '../../../../shared/errors'
import { createSealer, DATA_KEY_BYTES, type Sealer } from '../../crypto/sealer'
import { assertKeyCheck, assertRotationKeys, KEY_CHECK_NAME, parseRotation, ROTATION_NAME, sealKeyCheck } from '../key-check'
import type { Logger } from '../../logger'
import { describePgError, redactUrl } from './pg-errors'
import * as schema from './schema'
import { sealWebhookUrlsPg } from '../seal-webhook-urls'
import { isPostgresUrl } from './url'

export interface OpenPostgresOptions {
  /** postgres://user:password@host:port/database (or postgresql://). */
  url: string
  /** The 32-byte data key every value is sealed under; the same on every server of a fleet. */
  dataKey: Buffer
  /** Keys it also reads with while a rotation re-seals the database under `dataKey` (see open-database.ts). */
  previousKeys?: readonly Buffer[]
  logger: Logger
  /** Folder holding drizzle-kit's output for PostgreSQL. Default: the nearest drizzle/postgres/ above this module. */
  migrationsFolder?: string
  /** Connections in the pool (default 10). */
  poolSize?: number
  /** How long to wait for a connection before failing (default 10 s). */
  connectTimeoutMs?: number
  /** The fleet's lease expiry: every session's timeouts are chosen against it (sessionTimeouts). */
  leaseTtlMs?: number
}

/** The PostgreSQL session limits of every connection, in milliseconds (docs/fleet.md, "Faults"). */
export interface SessionTimeouts {
  /** A session idle inside a transaction (its process paused mid-write) is ended, and its locks go. */
  idleInTransactionMs: number
  /** No statement waits longer than this for a lock. */
  lockMs: number
  /** No statement runs longer than this. */
  statementMs: number
}

/**
 * Chosen against the lease expiry: a transaction left open by a paused server, or a lock wait, ends
 * within a third of the ttl, well before its leases expire, so the server taking them over never waits
 * on it; a statement gets the whole ttl (the longest legitimate ones, pruning and big imports, take a
 * fraction of that). A server whose statement is cut off sees an error and retries; none of them is
 * worth stalling the fleet for.
 */
export function sessionTimeouts(leaseTtlMs = DEFAULT_TTL_MS): SessionTimeouts {
  const third = Math.max(1000, Math.floor(leaseTtlMs / 3))
  return { idleInTransactionMs: third, lockMs: third, statementMs: Math.max(2000, leaseTtlMs) }
}

export type PgDatabase = NodePgDatabase<typeof schema>

export interface OpenedPostgres {
  db: PgDatabase
  pool: pg.Pool
  /**
   * Two connections of their own for the fleet's control path (lease renewals, heartbeats): they never
   * wait for a free connection behind key writes, claims or a slow query of the main pool.
   */
  control: pg.Pool
  timeouts: SessionTimeouts
  sealer: Sealer
  /** The URL without its password, for messages and logs. */
  where: string
  close(): Promise<void>
}

/** The fleet's default lease expiry (fleet/leases.ts), mirrored so this module imports nothing from the fleet. */
const DEFAULT_TTL_MS = 15_000

/** pg_advisory_lock key held while a server checks and migrates: an arbitrary constant ("irish" + 1). */
const MIGRATION_LOCK = 0x69726973_68000001n
const MIGRATIONS_SCHEMA = 'drizzle'
const MIGRATIONS_TABLE = '__drizzle_migrations'

/** Walks up from this module to the first `drizzle/postgres` with a journal (src/ under tsx, out/main when built). */
export function defaultPostgresMigrationsFolder(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start)
  for (;;) {
    const candidate = join(dir, 'drizzle', 'postgres')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) {
      throw new AppError('internal', 'The PostgreSQL migrations (drizzle/postgres/) were not found; pass migrationsFolder.')
    }
    dir = parent
  }
}

export async function openPostgres(options: OpenPostgresOptions): Promise<OpenedPostgres> {
  if (typeof options !== 'object' || options === null) {
    throw new AppError('invalid-input', 'openPostgres needs { url, dataKey, logger }.')
  }
  const { url, dataKey, logger } = options
  if (!isPostgresUrl(url)) {
    throw new AppError('invalid-input', 'The database URL must look like postgres://user:password@host:5432/database.')
  }
  const where = redactUrl(url)
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_BYTES) {
    throw new AppError('key-unavailable', `The data key must be ${DATA_KEY_BYTES} bytes; check the key vault.`)
  }
  const sealer = createSealer(dataKey, options.previousKeys ?? [])
  const migrationsFolder = options.migrationsFolder ?? defaultPostgresMigrationsFolder()
  const newestKnown = newestMigration(migrationsFolder)

  const timeouts = sessionTimeouts(options.leaseTtlMs)
  const poolOptions = (max: number, name: string): pg.PoolConfig => ({
    connectionString: url,
    max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: name,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    lock_timeout: timeouts.lockMs,
    statement_timeout: timeouts.statementMs,
  })
  const pool = new pg.Pool(poolOptions(options.poolSize ?? 10, 'irish-desktop'))
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err: describePgError(err) }, 'a PostgreSQL connection was closed'))

  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw connectError(where, err)
  }
  try {
    // Migrations run once, however long they take, and servers starting together wait for the first
    // one's: the pool's limits do not apply to this connection while it migrates.
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0')
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()])
    try {
      await refuseNewerSchema(client, newestKnown)
      // The key is checked before migrations run, so a wrong key changes nothing, not even the schema.
      const hasMeta = (await client.query<{ t: string | null }>("SELECT to_regclass('public.meta')::text AS t")).rows[0]?.t
      const checked = hasMeta ? await verifyKeyCheck(client, sealer) : false
      await migrate(drizzle({ client }), { migrationsFolder, migrationsSchema: MIGRATIONS_SCHEMA, migrationsTable: MIGRATIONS_TABLE })
      if (!checked) await writeOrVerifyKeyCheck(client, sealer)
      // Data moves that need the key, which SQL migrations do not have; idempotent.
      await sealWebhookUrlsPg(client, sealer)
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined)
    }
    await client.query('RESET statement_timeout; RESET lock_timeout')
    client.release()
  } catch (err) {
    client.release(true)
    await pool.end().catch(() => undefined)
    if (err instanceof AppError) throw err
    throw new AppError('unavailable', `The database at ${where} could not be prepared: ${describePgError(err)}. Nothing was changed.`, { cause: err })
  }

  const control = new pg.Pool(poolOptions(2, 'irish-desktop-control'))
  control.on('error', (err) => logger.warn({ err: describePgError(err) }, 'a PostgreSQL control connection was closed'))
  let closed = false
  return {
    db: drizzle({ client: pool, schema }),
    pool,
    control,
    timeouts,
    sealer,
    where,
    async close() {
      if (closed) return
      closed = true
      await Promise.all([pool.end(), control.end()])
    },
  }
}

function connectError(where: string, err: unknown): AppError {
  const code = (err as { code?: unknown }).code
  if (code === '28P01' || code === '28000') {
    return new AppError('unauthorized', `The database at ${where} refused the user name or password in the URL.`, { cause: err })
  }
  if (code === '3D000') {
    return new AppError('not-found', `The database named in ${where} does not exist; create it first (createdb).`, { cause: err })
  }
  return new AppError('unavailable', `The database at ${where} cannot be reached (${describePgError(err)}); check the URL and that PostgreSQL runs.`, {
    cause: err,
  })
}

function newestMigration(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> }
  return Math.max(0, ...journal.entries.map((e) => e.when))
}

/** drizzle's migrator would silently skip a database migrated by a newer release; this version must not run on it. */
async function refuseNewerSchema(client: pg.PoolClient, newestKnown: number): Promise<void> {
  const table = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`])).rows[0]?.t
  if (!table) return
  const row = (await client.query<{ newest: string | null }>(`SELECT max(created_at)::text AS newest FROM ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`)).rows[0]
  const newest = row?.newest ? Number(row.newest) : 0
  if (newest > newestKnown) {
    throw new AppError(
      'conflict',
      'The database schema is newer than this version of the server (it was migrated by a later release). ' +
        'Run the same or a newer version on every server of the fleet; nothing was changed.',
    )
  }
}

async function verifyKeyCheck(client: pg.PoolClient, sealer: Sealer): Promise<boolean> {
  const row = (await client.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [KEY_CHECK_NAME])).rows[0]
  if (!row) return false
  assertKeyCheck(row.value, sealer, 'Every server of a fleet needs the same data key (keychain, IRISH_DATA_KEY or key file)')
  const rotation = (await client.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [ROTATION_NAME])).rows[0]
  assertRotationKeys(parseRotation(rotation?.value), sealer)
  return true
}

async function writeOrVerifyKeyCheck(client: pg.PoolClient, sealer: Sealer): Promise<void> {
  // Under the advisory lock, so two servers opening a fresh database cannot both write a check value.
  await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    KEY_CHECK_NAME,
    sealKeyCheck(sealer),
  ])
  await verifyKeyCheck(client, sealer)
}

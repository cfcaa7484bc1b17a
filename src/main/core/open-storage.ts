// Where the core keeps accounts, settings and the auth store: the SQLite file in the data dir (the
// default: desktop, one server), or a PostgreSQL database shared by a fleet (`--database postgres://…`).
// Main process, Electron-free. Both give the same synchronous ports to the session manager and the
// settings store; the auth store is asynchronous anyway.
//
// Where a storage port lives: the port (an interface) in its capability's folder, its SQLite adapter
// beside it as sqlite-*.ts and its PostgreSQL adapter as pg-*.ts (accounts/, auth-store/, settings/,
// activity/, webhooks/). db/ holds only the two databases themselves: opening, schemas, migrations, the
// key check, the write queue and error wording. This file picks the adapters; nothing else does. The
// PostgreSQL side (postgres-adapters.ts) is loaded only when a database URL is given: a server on SQLite
// never loads `pg` or drizzle's PostgreSQL driver (docs/performance.md, "The idle server").

import { join } from 'node:path'
import type { Database as SqliteDatabase } from 'better-sqlite3'
import type { AuthStoreFactory } from './auth-store/types'
import type { Sealer } from './crypto/sealer'
import { sqliteAuthStoreFactory } from './auth-store/sqlite-store'
import type { Logger } from './logger'
import type { AccountRepository } from './accounts/account-repository'
import { createSettingsStore, type SettingsStore } from './settings/settings-store'
import { sqliteSettingsRows } from './settings/sqlite-settings-rows'
import { createSqliteAccountRepository } from './accounts/sqlite-account-repository'
import { DATABASE_FILE, openDatabase } from './db/open-database'
import type { WriteBatch } from './db/write-batch'
import type { OpenedPostgres } from './db/postgres/open-postgres'
import type { PgAccountRepository } from './accounts/pg-account-repository'
import type { PgSettingsRows } from './settings/pg-settings-rows'
import type * as PostgresSide from './postgres-adapters'
import { proxySecrets } from './proxy/proxy-secret'

export { DATABASE_FILE }

export type PostgresAdapters = typeof PostgresSide

export interface StorageOptions {
  dataDir: string
  /** A postgres:// URL: the fleet's shared database instead of the SQLite file. */
  databaseUrl?: string
  dataKey: Buffer
  /** The old key while a rotation re-seals the store under `dataKey` (docs/security.md). */
  previousKeys?: readonly Buffer[]
  logger: Logger
  migrationsFolder?: string
  postgresMigrationsFolder?: string
  sqliteBinding?: string
  /** PostgreSQL: the fleet's lease expiry, which the sessions' timeouts are chosen against. */
  leaseTtlMs?: number
}

export interface Storage {
  kind: 'sqlite' | 'postgres'
  accounts: AccountRepository
  settings: SettingsStore
  /**
   * SQLite only. On PostgreSQL every write must be fenced by the server's lease, so the fleet opens the
   * stores itself (fleet/fleet.ts) once it has joined.
   */
  stores: AuthStoreFactory | null
  /** Seals values under the data key (webhook secrets and outbox payloads use it too). */
  sealer: Sealer
  /** SQLite only: the open database (the activity log lives beside the accounts). */
  sqlite: SqliteDatabase | null
  /** SQLite only: the turn's bookkeeping writes (account rows, activity), db/write-batch.ts. */
  batch: WriteBatch | null
  /** Resolves once the bookkeeping writes made so far are in the database (SQLite: commits the batch; PostgreSQL: the write queue has landed them, or logged their failure). */
  settled(): Promise<void>
  /**
   * PostgreSQL only: the pool and the cached tables a fleet refreshes, and the PostgreSQL side's
   * adapters and fleet (postgres-adapters.ts, loaded for this database only).
   */
  postgres: { database: OpenedPostgres; accounts: PgAccountRepository; settingsRows: PgSettingsRows; adapters: PostgresAdapters } | null
  /** Lets queued writes land, then closes the database. */
  close(): Promise<void>
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const { logger } = options
  if (options.databaseUrl) {
    const adapters = await import('./postgres-adapters')
    const { openPostgres, createWriteQueue, createPgAccountRepository, createPgSettingsRows } = adapters
    const database = await openPostgres({
      url: options.databaseUrl,
      dataKey: options.dataKey,
      ...(options.previousKeys ? { previousKeys: options.previousKeys } : {}),
      logger,
      ...(options.postgresMigrationsFolder ? { migrationsFolder: options.postgresMigrationsFolder } : {}),
      ...(options.leaseTtlMs !== undefined ? { leaseTtlMs: options.leaseTtlMs } : {}),
    })
    try {
      const queue = createWriteQueue(logger)
      const accounts = await createPgAccountRepository(database.db, queue)
      const settingsRows = await createPgSettingsRows(database.db, queue)
      return {
        kind: 'postgres',
        accounts,
        settings: createSettingsStore(settingsRows, logger, proxySecrets(database.sealer)),
        stores: null,
        sealer: database.sealer,
        sqlite: null,
        batch: null,
        // Account and settings writes land in order through the queue, which close() flushes. A
        // command's answer waits for them (create-core.ts); a read's does not (a long queue during a
        // mass reconnect would hold it).
        settled: () => queue.settled(),
        postgres: { database, accounts, settingsRows, adapters },
        async close() {
          await queue.flush().catch((err: unknown) => logger.error({ err: String(err) }, 'some writes did not reach the database'))
          await database.close()
        },
      }
    } catch (err) {
      await database.close()
      throw err
    }
  }
  const database = openDatabase({
    file: join(options.dataDir, DATABASE_FILE),
    dataKey: options.dataKey,
    ...(options.previousKeys ? { previousKeys: options.previousKeys } : {}),
    ...(options.migrationsFolder ? { migrationsFolder: options.migrationsFolder } : {}),
    ...(options.sqliteBinding ? { nativeBinding: options.sqliteBinding } : {}),
    logger,
  })
  return {
    kind: 'sqlite',
    accounts: createSqliteAccountRepository(database.db, database.batch),
    settings: createSettingsStore(sqliteSettingsRows(database.db), logger, proxySecrets(database.sealer)),
    stores: sqliteAuthStoreFactory(database),
    sealer: database.sealer,
    sqlite: database.sqlite,
    batch: database.batch,
    async settled() {
      database.batch.flush()
    },
    postgres: null,
    async close() {
      database.close()
    },
  }
}

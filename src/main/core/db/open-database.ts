// Opens the app's SQLite database: checks the data key, applies pending migrations, sets pragmas.
// Main process, Electron-free. Nothing happens at import; callers pass the file and the 32-byte data key
// (from the key vault). There is no plaintext mode: a database without a usable key does not open.

import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { chmodSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../../shared/errors'
import { createSealer, DATA_KEY_BYTES, type Sealer } from '../crypto/sealer'
import { assertKeyCheck, assertRotationKeys, KEY_CHECK_NAME, parseRotation, ROTATION_NAME, sealKeyCheck } from './key-check'
import * as schema from './schema'
import { sealWebhookUrlsSqlite } from './seal-webhook-urls'
import { createWriteBatch, type WriteBatch } from './write-batch'
import type { Logger } from '../logger'

/** The SQLite database's file name in the data dir. */
export const DATABASE_FILE = 'irish.db'

export interface OpenDatabaseOptions {
  /** Path of the database file; created when missing. */
  file: string
  /** The 32-byte data key every value is sealed under. */
  dataKey: Buffer
  /**
   * Keys it also reads with, while a rotation re-seals the store under `dataKey` (the old key; docs/
   * security.md, "Rotating the data key"). Values are never sealed under these.
   */
  previousKeys?: readonly Buffer[]
  /** Folder holding drizzle-kit's output. Default: the nearest `drizzle/` with a journal above this module. */
  migrationsFolder?: string
  /**
   * 'normal' (default): WAL commits survive an app crash; on power loss the last few commits may be lost,
   * never the database. 'full' also fsyncs every commit, at about a millisecond per write on a typical disk.
   */
  synchronous?: 'normal' | 'full'
  /** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number
  /**
   * Path of a better_sqlite3.node to load instead of the package's own: a hand-built binary
   * (IRISH_SQLITE_BINDING) or an Electron copy (docs/runtime.md, "Native modules in Electron").
   */
  nativeBinding?: string
  /** Where a failed commit of the bookkeeping batch is reported. */
  logger?: Logger
}

export type AppDatabase = BetterSQLite3Database<typeof schema>

export interface OpenedDatabase {
  db: AppDatabase
  /** The raw handle, for prepared statements on hot paths. */
  sqlite: Database.Database
  sealer: Sealer
  /** Account rows and activity lines, committed once per turn of the event loop (write-batch.ts). */
  batch: WriteBatch
  /** Commits what the batch holds, then closes. */
  close(): void
}


/** The one wording for a SQLite native module that is not where it should be (also the packaged app's check). */
export function missingNativeModuleError(path: string): AppError {
  return new AppError('unavailable', `The SQLite native module ${path} does not exist; rebuild it for this runtime.`)
}

/**
 * Walks up from this module to the first folder with `drizzle/meta/_journal.json`. That finds the
 * project's drizzle/ from src/ (tests, tsx) and from out/main (an electron-vite build run in place).
 * A packaged app must pass `migrationsFolder` (e.g. under process.resourcesPath).
 */
export function defaultMigrationsFolder(start = dirname(fileURLToPath(import.meta.url))): string {
  if (typeof start !== 'string' || start.length === 0) {
    throw new AppError('invalid-input', 'defaultMigrationsFolder needs a folder to start from.')
  }
  let dir = resolve(start)
  for (;;) {
    const candidate = join(dir, 'drizzle')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) {
      throw new AppError('internal', 'The database migrations (drizzle/) were not found; pass migrationsFolder.')
    }
    dir = parent
  }
}

export function openDatabase(options: OpenDatabaseOptions): OpenedDatabase {
  if (typeof options !== 'object' || options === null) {
    throw new AppError('invalid-input', 'openDatabase needs { file, dataKey }.')
  }
  const { file, dataKey } = options
  if (typeof file !== 'string' || file.length === 0) {
    throw new AppError('invalid-input', 'The database file must be a non-empty path.')
  }
  // Checked before the file is touched, so a bad key never leaves an empty database behind.
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_BYTES) {
    throw new AppError('key-unavailable', `The data key must be ${DATA_KEY_BYTES} bytes; check the key vault.`)
  }
  const sealer = createSealer(dataKey, options.previousKeys ?? [])
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder()
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new AppError('invalid-input', 'busyTimeoutMs must be a non-negative integer.')
  }

  if (options.nativeBinding !== undefined && !existsSync(options.nativeBinding)) throw missingNativeModuleError(options.nativeBinding)
  let sqlite: Database.Database
  try {
    sqlite = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  } catch (err) {
    // Node reports every failure to load a native module (another ABI, not a module at all) this way.
    if (options.nativeBinding && (err as { code?: unknown }).code === 'ERR_DLOPEN_FAILED') {
      throw new AppError('unavailable', `The SQLite native module ${options.nativeBinding} was built for another runtime; rebuild it for this one.`, {
        cause: err,
      })
    }
    throw new AppError('unavailable', 'The database file cannot be opened; check that its folder exists and is writable.', {
      cause: err,
    })
  }
  try {
    // The values are sealed, but account labels and phone numbers are not: only the owner reads the
    // files. SQLite creates -wal and -shm with the database file's mode, so they follow.
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path)) chmodSync(path, 0o600)
    }
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    sqlite.pragma('foreign_keys = ON')

    // The key is checked before migrations run, so a wrong key changes nothing, not even the schema.
    const hasMeta = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get()
    const checked = hasMeta ? verifyKeyCheck(sqlite, sealer) : false

    const db = drizzle({ client: sqlite, schema })
    // What migrations and data moves replace (a table rebuilt, a value sealed in place) is zeroed, not
    // left readable in free pages of the file.
    const secureDelete = sqlite.pragma('secure_delete', { simple: true }) as number
    sqlite.pragma('secure_delete = ON')
    migrate(db, { migrationsFolder })
    if (!checked) writeOrVerifyKeyCheck(sqlite, sealer)
    // Data moves that need the key, which SQL migrations do not have; idempotent.
    const moved = sealWebhookUrlsSqlite(sqlite, sealer)
    sqlite.pragma(`secure_delete = ${secureDelete}`)
    // ...nor in the write-ahead log.
    if (moved > 0) sqlite.pragma('wal_checkpoint(TRUNCATE)')

    const batch = createWriteBatch(sqlite, options.logger)
    return {
      db,
      sqlite,
      sealer,
      batch,
      close() {
        batch.close()
        if (sqlite.open) sqlite.close()
      },
    }
  } catch (err) {
    sqlite.close()
    if (err instanceof AppError) throw err
    throw new AppError('storage-corrupt', 'The database could not be prepared (migration failed); restore it from a backup.', {
      cause: err,
    })
  }
}

function verifyKeyCheck(sqlite: Database.Database, sealer: Sealer): boolean {
  const read = sqlite.prepare('SELECT value FROM meta WHERE key = ?')
  const row = read.get(KEY_CHECK_NAME) as { value: Buffer } | undefined
  if (!row) return false
  assertKeyCheck(row.value, sealer, 'Restore the original key in the key vault (keychain, environment variable or key file)')
  assertRotationKeys(parseRotation((read.get(ROTATION_NAME) as { value: Buffer } | undefined)?.value), sealer)
  return true
}

function writeOrVerifyKeyCheck(sqlite: Database.Database, sealer: Sealer): void {
  // In one IMMEDIATE transaction so two processes opening a fresh file cannot both write a check value.
  sqlite
    .transaction(() => {
      if (verifyKeyCheck(sqlite, sealer)) return
      sqlite
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
        .run(KEY_CHECK_NAME, sealKeyCheck(sealer))
    })
    .immediate()
}

// One process per data dir. Two processes running the same accounts would each log in with the same
// credentials and knock each other off (440), or corrupt the Signal sessions ("Bad MAC").
//
// The lock is one the kernel holds: SQLite's exclusive locking mode on a small database of its own
// (irish.lock.db), which takes a POSIX advisory lock on the file and keeps it until the connection
// closes. When the process dies, however it dies, the kernel drops the lock, so a restart after kill -9
// always works, and two processes starting at once cannot both hold it. A PID file cannot give either
// guarantee: in a container the server is PID 1, so a lock naming PID 1 always looks alive.
//
// A second file, irish.lock.owner, says who holds the lock (pid, host, start time), only so the refusal
// can name the other process. It is information, never the lock: it is written after the lock is
// taken and may be stale or missing.

import { hostname } from 'node:os'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/errors'

export const LOCK_DATABASE = 'irish.lock.db'
export const LOCK_OWNER_FILE = 'irish.lock.owner'

/** How long to wait for a lock another process is just taking (both start at once, one wins). */
const CONTENTION_WAIT_MS = 1_000
/** SQLite's own wait within one try. */
const BUSY_WAIT_MS = 50

export interface DataDirLock {
  release(): void
}

export interface DataDirLockOptions {
  pid?: number
  /** better-sqlite3's native module for this runtime (Electron), as for the main database. */
  nativeBinding?: string
}

interface Owner {
  pid: number
  host: string
  since: string
}

export function acquireDataDirLock(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
  const pid = options.pid ?? process.pid
  const deadline = Date.now() + CONTENTION_WAIT_MS
  let db: Database.Database
  for (;;) {
    db = openLockDatabase(dataDir, options)
    try {
      takeLock(db)
      break
    } catch (error) {
      // Closed on every failure: in EXCLUSIVE locking mode a connection keeps whatever lock it got, so a
      // refused try would otherwise hold its shared lock, and two starts at once would each keep the
      // other from ever taking the exclusive one (seen: both refused, neither started).
      db.close()
      if (isBusy(error) && Date.now() < deadline) {
        // A synchronous pause (this runs once, at start): 5 to 25 ms, so two starts drift apart.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.floor(Math.random() * 20))
        continue
      }
      if (isBusy(error)) throw heldBy(readOwner(dataDir))
      if (isDamaged(error)) throw damagedLockFile()
      throw new AppError('unavailable', 'The data dir cannot be locked; check that it exists and is writable.', { cause: error })
    }
  }
  writeOwner(dataDir, { pid, host: hostname(), since: new Date().toISOString() })
  let released = false
  return {
    release() {
      if (released) return
      released = true
      // The owner note first: once the lock is gone another process may write its own.
      rmSync(join(dataDir, LOCK_OWNER_FILE), { force: true })
      db.close()
    },
  }
}

function openLockDatabase(dataDir: string, options: DataDirLockOptions): Database.Database {
  try {
    return new Database(join(dataDir, LOCK_DATABASE), {
      // Short: a busy try is given up, its connection closed, and tried again until CONTENTION_WAIT_MS.
      timeout: BUSY_WAIT_MS,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    })
  } catch (error) {
    throw new AppError('unavailable', 'The data dir cannot be locked; check that it exists and is writable.', { cause: error })
  }
}

/**
 * EXCLUSIVE locking mode: the exclusive lock the first write takes is kept until close. The write is
 * real (a row), so the lock is taken now, not at some later first write.
 */
function takeLock(db: Database.Database): void {
  db.pragma('locking_mode = EXCLUSIVE')
  db.exec('BEGIN EXCLUSIVE')
  db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), since TEXT NOT NULL)')
  db.prepare('INSERT OR REPLACE INTO holder (id, since) VALUES (1, ?)').run(new Date().toISOString())
  db.exec('COMMIT')
}

function heldBy(owner: Owner | null): AppError {
  const who = owner ? `(pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, since ${owner.since}) ` : ''
  return new AppError(
    'conflict',
    `Another Irish Desktop process ${who}is using this data dir. Running two would run every account twice; stop the other one first.`,
  )
}

/**
 * The lock file holds no data (one row naming when it was taken), so deleting it loses nothing; but only
 * the person can tell that no other process has it open (deleting a file another process holds locked
 * would let a second process in), so it is not deleted here.
 */
function damagedLockFile(): AppError {
  return new AppError(
    'storage-corrupt',
    `The lock file ${LOCK_DATABASE} in the data dir is damaged (it is not a SQLite database). It holds no data: ` +
      `make sure no other Irish Desktop process uses this data dir, delete ${LOCK_DATABASE}, and start again.`,
  )
}

function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT_'))
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}

function writeOwner(dataDir: string, owner: Owner): void {
  try {
    writeFileSync(join(dataDir, LOCK_OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600 })
  } catch {
    // Only the refusal message of another process would miss it; the lock itself is held.
  }
}

function readOwner(dataDir: string): Owner | null {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, LOCK_OWNER_FILE), 'utf8')) as Partial<Owner>
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.since !== 'string') return null
    return { pid: value.pid, host: value.host, since: value.since }
  } catch {
    return null
  }
}

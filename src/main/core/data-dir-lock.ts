// One process per data dir. Two processes running the same accounts would each log in with the same
// credentials and knock each other off (440), or corrupt the Signal sessions ("Bad MAC"). The lock is a
// file holding the owner's pid, created exclusively; a lock left by a dead process is taken over.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'

export const LOCK_FILE = 'irish.lock'

export interface DataDirLock {
  release(): void
}

export function acquireDataDirLock(dataDir: string, pid: number = process.pid): DataDirLock {
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(pid))
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          rmSync(file, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AppError('unavailable', 'The data dir cannot be locked; check that it exists and is writable.', { cause: error })
      }
      const owner = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new AppError(
          'conflict',
          `Another Irish Desktop process (pid ${owner}) is using this data dir. Running two would run every account twice; stop the other one first.`,
        )
      }
      // The owner is gone: the lock is stale.
      rmSync(file, { force: true })
    }
  }
  throw new AppError('conflict', 'The data dir lock could not be taken; another process keeps creating it.')
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

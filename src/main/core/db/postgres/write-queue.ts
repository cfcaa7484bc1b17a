// Writes that the synchronous ports (accounts, settings) hand to PostgreSQL in the background, in the
// order they were made. Main process, Electron-free.
// Why: the session manager and the settings store were written for better-sqlite3, whose calls return
// at once. Their PostgreSQL versions answer from memory and persist through this queue, so SQLite's
// fast path stays as it is; close() flushes, so a graceful stop loses nothing.

import { AppError } from '../../../../shared/errors'
import type { Logger } from '../../logger'
import { describePgError } from './pg-errors'

export interface WriteQueue {
  /** Runs after every write queued before it; a failure is logged and reported by the next flush(). */
  push(what: string, write: () => Promise<unknown>): void
  /** Resolves when every queued write has landed; rejects with the first failure since the last flush. */
  flush(): Promise<void>
  /** Resolves when every queued write has landed or failed; leaves a failure for flush() to report. */
  settled(): Promise<void>
}

export function createWriteQueue(logger: Logger): WriteQueue {
  let tail: Promise<void> = Promise.resolve()
  let failure: AppError | null = null
  return {
    push(what, write) {
      tail = tail.then(async () => {
        try {
          await write()
        } catch (err) {
          // The message names the operation and the database's reason, never a value.
          logger.error({ what, err: describePgError(err) }, 'a database write failed; memory and database may differ until restart')
          failure ??= new AppError('unavailable', `${what} could not be saved to the database (${describePgError(err)}).`, { cause: err })
        }
      })
    },
    async flush() {
      await tail
      const error = failure
      failure = null
      if (error) throw error
    },
    settled: () => tail,
  }
}

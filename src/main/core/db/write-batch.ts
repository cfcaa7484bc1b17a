// Bookkeeping writes to the SQLite database, gathered per tick: every change queued while the event loop
// runs one turn commits in one transaction when that turn ends (setImmediate). Main process, Electron-free.
//
// Why: a connect changes its account row two or three times and writes an activity line for each status
// (insert and prune). As separate commits that was about five per account per connect, 11% of a mass
// reconnect's CPU; gathered, two thousand accounts reconnecting share a handful of commits. Readers are
// not affected: the account repository answers from memory, and the activity log flushes before it reads.
// What may be lost: only a crash inside the turn that made a change (the commit follows within the same
// turn of the loop). A command's answer waits for the flush (create-core.ts), so nothing an operator was
// told is lost. A failed commit keeps the changes queued and tries again, and says so in the log.

import type Database from 'better-sqlite3'
import type { Logger } from '../logger'

/** A producer of queued writes: the account rows, the activity log. */
export interface BatchSource {
  /** Applies what is queued (inside the batch's transaction); keeps it queued until `committed`. */
  write(): void
  /** The transaction committed: forget what `write` applied. */
  committed(): void
}

export interface WriteBatch {
  /** Registers a producer; its `write` runs in every flush, in the order sources were added. */
  add(source: BatchSource): void
  /** Something was queued: a flush runs at the end of this turn of the event loop. */
  schedule(): void
  /**
   * Commits everything queued now, synchronously. A failed commit keeps it all queued, is logged and
   * tried again in the background; never thrown to the caller, whose change is already in memory.
   */
  flush(): void
  /** Stops the timers; what is still queued is flushed first (before the database closes). */
  close(): void
}

/** After a failed commit, the next attempt waits this long (the database may be busy or the disk full). */
const RETRY_MS = 1_000

export function createWriteBatch(sqlite: Database.Database, logger?: Logger): WriteBatch {
  const sources: BatchSource[] = []
  let scheduled: NodeJS.Immediate | null = null
  let retry: NodeJS.Timeout | null = null
  let dirty = false
  let failing = false
  const commit = sqlite.transaction(() => {
    for (const source of sources) source.write()
  })

  function commitNow(): void {
    if (scheduled) clearImmediate(scheduled)
    scheduled = null
    if (!dirty || !sqlite.open) return
    commit.immediate()
    dirty = false
    for (const source of sources) source.committed()
    if (failing) logger?.info({}, 'queued bookkeeping writes landed after an earlier failure')
    failing = false
  }

  function flush(): void {
    try {
      commitNow()
    } catch (err) {
      // Never thrown into the session that made the change: the writes stay queued and are tried again.
      if (!failing) logger?.error({ err }, 'bookkeeping writes (account rows, activity) could not be committed; retrying')
      failing = true
      retry ??= setTimeout(() => {
        retry = null
        flush()
      }, RETRY_MS)
      retry.unref?.()
    }
  }

  return {
    add: (source) => void sources.push(source),
    schedule() {
      dirty = true
      if (!scheduled && !retry) scheduled = setImmediate(flush)
    },
    flush,
    close() {
      if (retry) clearTimeout(retry)
      retry = null
      try {
        commitNow()
      } catch (err) {
        logger?.error({ err }, 'bookkeeping writes were lost at close: the database refused them')
      }
    },
  }
}

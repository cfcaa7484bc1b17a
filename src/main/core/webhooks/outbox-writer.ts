// Writing events into the outbox as they are emitted. SQLite: synchronously, before the emit returns, so a
// kill -9 right after loses nothing. PostgreSQL: one INSERT at a time, each carrying every row emitted
// while the one before ran, so rows get their seq in emit order (order per account) however many pool
// connections there are.

import type { Outbox, OutboxInsert } from './outbox'

export interface OutboxWriter {
  /** SQLite: written when this returns. PostgreSQL: a promise settled when the batch holding the rows is in. */
  write(rows: OutboxInsert[]): void | Promise<void>
  /** Resolves when every row handed to `write` so far is in the database. */
  settled(): Promise<void>
}

/** `written` runs after each write, so the dispatcher looks for the new rows. */
export function createOutboxWriter(outbox: Outbox, written: () => void): OutboxWriter {
  let waiting: Array<{ rows: OutboxInsert[]; done: (err?: unknown) => void }> = []
  let writing: Promise<void> | null = null

  /**
   * Starts a drain unless one runs. A write that comes after a drain's last batch but before that
   * drain has let go would otherwise wait for the next write; so a drain that lets go looks again.
   */
  function kick(): void {
    if (writing || waiting.length === 0) return
    writing = drain().finally(() => {
      writing = null
      kick()
    })
  }

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting
      waiting = []
      try {
        await outbox.enqueue(batch.flatMap((b) => b.rows))
        for (const b of batch) b.done()
      } catch (err) {
        for (const b of batch) b.done(err)
      }
      written()
    }
  }

  return {
    write(rows) {
      if (outbox.kind === 'sqlite') {
        void outbox.enqueue(rows)
        written()
        return
      }
      return new Promise<void>((resolve, reject) => {
        waiting.push({ rows, done: (err) => (err === undefined ? resolve() : reject(err)) })
        kick()
      })
    },
    settled: async () => {
      // A drain that lets go may start the next one (kick): wait for that one too.
      while (writing) await writing
    },
  }
}

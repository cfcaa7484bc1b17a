// The lane heads of the SQLite outbox, kept in memory: for each (endpoint, lane), its first pending row,
// the only row of the lane that may go out (docs/webhooks.md, "Order"). A dispatcher pass then costs the
// number of lanes, not the backlog: reading the heads from the table was a GROUP BY over every pending
// row on each pass, which made delivery slower the more was queued.
//
// One process owns a SQLite outbox (the data dir's lock), so memory can be the truth between changes.
// Every change of a row's pending state goes through sqlite-outbox.ts, which tells this map: a row queued,
// an attempt recorded, a delivery queued again, an endpoint deleted. Built from the table on first use
// (so at every start); a lane it is told about is read again from the table, by its index, in one step.
// Main process, Electron-free.

import type { Database } from 'better-sqlite3'

export interface LaneHead {
  seq: number
  webhookId: string
  lane: string
  nextAttemptAt: number
}

export interface LaneHeads {
  /** Every lane's head: built from the table on the first call. */
  all(): Iterable<LaneHead>
  /** Rows just committed to the outbox (their seq and lane): each heads its lane if the lane had none. */
  queued(rows: ReadonlyArray<{ seq: number; webhookId: string; lane: string; createdAt: number }>): void
  /** The lane of this row changed (an attempt recorded, a delivery queued again): read its head again. */
  changed(seq: number): void
  /** The endpoint and its rows are gone. */
  webhookDeleted(webhookId: string): void
}

const key = (webhookId: string, lane: string): string => `${webhookId}\u0000${lane}`

export function createLaneHeads(sqlite: Database): LaneHeads {
  // Every head at once, from the covering index (status, webhook_id, lane, seq): one step per pending row.
  const selectAll = sqlite.prepare(
    `SELECT h.seq, o.webhook_id AS webhookId, o.lane, o.next_attempt_at AS nextAttemptAt FROM (
       SELECT MIN(seq) AS seq FROM webhook_outbox WHERE status = 'pending' GROUP BY webhook_id, lane) h
     JOIN webhook_outbox o ON o.seq = h.seq`,
  )
  const selectLane = sqlite.prepare('SELECT webhook_id AS webhookId, lane FROM webhook_outbox WHERE seq = ?')
  const selectHead = sqlite.prepare(
    `SELECT seq, next_attempt_at AS nextAttemptAt FROM webhook_outbox
     WHERE status = 'pending' AND webhook_id = ? AND lane = ? ORDER BY seq LIMIT 1`,
  )
  let heads: Map<string, LaneHead> | null = null
  /** The same heads by seq: an attempt is recorded for a head, whose lane is then known without a read. */
  const bySeq = new Map<number, LaneHead>()

  function build(): Map<string, LaneHead> {
    const built = new Map<string, LaneHead>()
    bySeq.clear()
    for (const row of selectAll.all() as LaneHead[]) put(built, row)
    return built
  }

  function put(map: Map<string, LaneHead>, head: LaneHead): void {
    const lane = key(head.webhookId, head.lane)
    const old = map.get(lane)
    if (old) bySeq.delete(old.seq)
    map.set(lane, head)
    bySeq.set(head.seq, head)
  }

  function drop(map: Map<string, LaneHead>, lane: string): void {
    const old = map.get(lane)
    if (old) bySeq.delete(old.seq)
    map.delete(lane)
  }

  return {
    all() {
      heads ??= build()
      return heads.values()
    },
    queued(rows) {
      // Not built yet: the build reads these rows from the table.
      if (!heads) return
      for (const row of rows) {
        if (!heads.has(key(row.webhookId, row.lane))) put(heads, { seq: row.seq, webhookId: row.webhookId, lane: row.lane, nextAttemptAt: row.createdAt })
      }
    },
    changed(seq) {
      if (!heads) return
      try {
        const row = bySeq.get(seq) ?? (selectLane.get(seq) as { webhookId: string; lane: string } | undefined)
        if (!row) return
        const { webhookId, lane } = row
        const head = selectHead.get(webhookId, lane) as { seq: number; nextAttemptAt: number } | undefined
        if (head) put(heads, { seq: head.seq, webhookId, lane, nextAttemptAt: head.nextAttemptAt })
        else drop(heads, key(webhookId, lane))
      } catch {
        // The lane could not be read again: the next pass builds every head from the table.
        heads = null
        bySeq.clear()
      }
    },
    webhookDeleted(webhookId) {
      if (!heads) return
      for (const [lane, head] of heads) if (head.webhookId === webhookId) drop(heads, lane)
    },
  }
}

// The lane heads of the SQLite outbox, kept in memory: for each (endpoint, lane), its first pending row,
// the only row of the lane that may go out (docs/webhooks.md, "Order"). A dispatcher pass then costs the
// number of lanes, not the backlog: reading the heads from the table was a GROUP BY over every pending
// row on each pass, which made delivery slower the more was queued.
//
// One process owns a SQLite outbox (the data dir's lock), so memory can be the truth between changes.
// Every change of a row's pending state goes through sqlite-outbox.ts, which tells this map: a row queued,
// an attempt recorded, a delivery queued again, an endpoint deleted. Built from the table on first use
// (so at every start). Each lane also knows the rows after its head, up to LANE_READ_AHEAD: read from
// the table by its index in one step when its head is settled, or added as they are queued, so settling
// a head rarely reads at all. A lane it is told about otherwise is read again from the table.
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
  /** An attempt on a head was committed: it stays pending until `nextAttemptAt`, or it is settled and the lane's next row heads it. */
  attempted(seq: number, outcome: { pending: true; nextAttemptAt: number } | { pending: false }): void
  /** The lane of this row changed otherwise (a delivery queued again): read its head again. */
  changed(seq: number): void
  /** The endpoint and its rows are gone. */
  webhookDeleted(webhookId: string): void
}

/** Rows read ahead per lane (the head and those after it), and the most kept in memory per lane. */
export const LANE_READ_AHEAD = 32

/** A lane: its head first, then the pending rows known to follow it, in seq order. */
interface Lane {
  rows: LaneHead[]
  /** Every pending row of the lane is in `rows` (the last read reached the lane's end), so rows queued later are added. */
  complete: boolean
}

const key = (webhookId: string, lane: string): string => `${webhookId}\u0000${lane}`

export function createLaneHeads(sqlite: Database, readAhead = LANE_READ_AHEAD): LaneHeads {
  // Every head at once, from the covering index (status, webhook_id, lane, seq): one step per pending row.
  const selectAll = sqlite.prepare(
    `SELECT h.seq, o.webhook_id AS webhookId, o.lane, o.next_attempt_at AS nextAttemptAt FROM (
       SELECT MIN(seq) AS seq FROM webhook_outbox WHERE status = 'pending' GROUP BY webhook_id, lane) h
     JOIN webhook_outbox o ON o.seq = h.seq`,
  )
  const selectLane = sqlite.prepare('SELECT webhook_id AS webhookId, lane FROM webhook_outbox WHERE seq = ?')
  const selectRows = sqlite.prepare(
    `SELECT seq, next_attempt_at AS nextAttemptAt FROM webhook_outbox
     WHERE status = 'pending' AND webhook_id = ? AND lane = ? ORDER BY seq LIMIT ?`,
  )
  let lanes: Map<string, Lane> | null = null
  /** The lane each head belongs to, by the head's seq: an attempt is recorded for a head. */
  const bySeq = new Map<number, string>()

  function build(): Map<string, Lane> {
    const built = new Map<string, Lane>()
    bySeq.clear()
    // Only the heads: a lane reads the rows after its head when its head is settled.
    for (const row of selectAll.all() as LaneHead[]) put(built, key(row.webhookId, row.lane), { rows: [row], complete: false })
    return built
  }

  function put(map: Map<string, Lane>, name: string, lane: Lane): void {
    const old = map.get(name)
    if (old) bySeq.delete(old.rows[0]!.seq)
    if (lane.rows.length === 0) {
      map.delete(name)
      return
    }
    map.set(name, lane)
    bySeq.set(lane.rows[0]!.seq, name)
  }

  /** The lane's first pending rows, from its index. */
  function read(map: Map<string, Lane>, webhookId: string, lane: string): void {
    const rows = (selectRows.all(webhookId, lane, readAhead) as Array<{ seq: number; nextAttemptAt: number }>).map((row) => ({ ...row, webhookId, lane }))
    put(map, key(webhookId, lane), { rows, complete: rows.length < readAhead })
  }

  /** Any failure to read: the next pass builds every head from the table. */
  function guarded(work: (map: Map<string, Lane>) => void): void {
    if (!lanes) return
    try {
      work(lanes)
    } catch {
      lanes = null
      bySeq.clear()
    }
  }

  function changed(seq: number): void {
    guarded((map) => {
      const name = bySeq.get(seq)
      const head = name === undefined ? undefined : map.get(name)?.rows[0]
      const row = head ?? (selectLane.get(seq) as { webhookId: string; lane: string } | undefined)
      if (row) read(map, row.webhookId, row.lane)
    })
  }

  return {
    all() {
      lanes ??= build()
      const map = lanes
      return (function* () {
        for (const lane of map.values()) yield lane.rows[0]!
      })()
    },
    queued(rows) {
      // Not built yet: the build reads these rows from the table.
      guarded((map) => {
        for (const row of rows) {
          const name = key(row.webhookId, row.lane)
          const lane = map.get(name)
          const head = { seq: row.seq, webhookId: row.webhookId, lane: row.lane, nextAttemptAt: row.createdAt }
          if (!lane) put(map, name, { rows: [head], complete: true })
          else if (lane.complete && lane.rows.length < readAhead) lane.rows.push(head)
          // A lane whose known rows reach the cap reads the rest from the table when it gets to them.
          else lane.complete = false
        }
      })
    },
    attempted(seq, outcome) {
      const name = bySeq.get(seq)
      const lane = name === undefined ? undefined : lanes?.get(name)
      if (name === undefined || !lane) return changed(seq)
      guarded((map) => {
        if (outcome.pending) {
          lane.rows[0]!.nextAttemptAt = outcome.nextAttemptAt
          return
        }
        const [settled, ...rest] = lane.rows
        if (rest.length > 0 || lane.complete) put(map, name, { rows: rest, complete: lane.complete })
        else read(map, settled!.webhookId, settled!.lane)
      })
    },
    changed,
    webhookDeleted(webhookId) {
      guarded((map) => {
        for (const [name, lane] of map) if (lane.rows[0]!.webhookId === webhookId) put(map, name, { rows: [], complete: true })
      })
    },
  }
}

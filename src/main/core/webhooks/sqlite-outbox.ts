// The webhook endpoints and the outbox in the SQLite database (tables in db/schema.ts; the format is
// docs/webhooks.md). Enqueueing is synchronous, so an event's rows are written in the same step that
// emits it. Main process, Electron-free. Rows hold sealed values only; sealing is webhook-service.ts's.
//
// What keeps delivery's cost flat as the backlog grows (docs/webhooks.md, "Cost at a backlog"): the lane
// heads live in memory (sqlite-lane-heads.ts), and attempts are committed together: in one transaction
// `RECORD_WAIT_MS` after the first of them, or as soon as `RECORD_BATCH` wait, with each endpoint's
// health written once per commit, as its attempts in that commit leave it. An attempt's promise resolves
// only once its row is committed, so the dispatcher never sends a row again before its outcome is on
// disk (its lane waits; the endpoint's other lanes go on); a failed commit rejects every record in it,
// and those rows go out again (at least once).

import type { Database } from 'better-sqlite3'
import type { AttemptRecord, Outbox, OutboxInsert, OutboxRow, WebhookRow } from './outbox'
import { createLaneHeads } from './sqlite-lane-heads'

/**
 * How long the first attempt record waits for others to share its commit. Measured with
 * `npm run bench:webhooks` (docs/performance.md, "Webhook outbox"): CPU per delivered event fell from
 * about 280 µs with a commit per turn of the event loop to 205–228 µs with 5 ms. What it costs: a lane's
 * next event goes out up to 5 ms later.
 */
export const RECORD_WAIT_MS = 5
/** A commit happens at once when this many records wait. */
export const RECORD_BATCH = 64

const COLUMNS = `seq, delivery_id AS deliveryId, webhook_id AS webhookId, lane, event, payload, created_at AS createdAt,
  queued_at AS queuedAt, status, attempts, next_attempt_at AS nextAttemptAt, last_attempt_at AS lastAttemptAt,
  status_code AS statusCode, error, duration_ms AS durationMs, response`

/** `laneReadAhead`: rows each lane knows ahead (sqlite-lane-heads.ts); tests make it small. */
export function createSqliteOutbox(sqlite: Database, options: { laneReadAhead?: number } = {}): Outbox {
  const insertWebhook = sqlite.prepare(
    `INSERT INTO webhooks (id, sealed_url, events, secret, created_at, last_success_at, failures_in_a_row, last_error)
     VALUES (@id, @sealedUrl, @events, @secret, @createdAt, @lastSuccessAt, @failuresInARow, @lastError)`,
  )
  const deleteRows = sqlite.prepare('DELETE FROM webhook_outbox WHERE webhook_id = ?')
  const deleteWebhook = sqlite.prepare('DELETE FROM webhooks WHERE id = ?')
  const selectWebhooks = sqlite.prepare(
    `SELECT id, sealed_url AS sealedUrl, url, events, secret, created_at AS createdAt, last_success_at AS lastSuccessAt,
       failures_in_a_row AS failuresInARow, last_error AS lastError FROM webhooks ORDER BY created_at, id`,
  )
  const selectCounts = sqlite.prepare(
    `SELECT webhook_id AS id, status, COUNT(*) AS n FROM webhook_outbox WHERE status IN ('pending', 'dead') GROUP BY webhook_id, status`,
  )
  // json_each: one statement for any number of lanes (SQLite caps bound parameters).
  const selectFailures = sqlite.prepare(
    `SELECT lane, COUNT(*) AS n FROM webhook_outbox
     WHERE lane IN (SELECT value FROM json_each(?)) AND (status = 'dead' OR (status = 'pending' AND attempts > 0)) GROUP BY lane`,
  )
  const insertRow = sqlite.prepare(
    `INSERT OR IGNORE INTO webhook_outbox (delivery_id, webhook_id, lane, event, payload, created_at, queued_at, status, attempts, next_attempt_at)
     VALUES (@deliveryId, @webhookId, @lane, @event, @payload, @createdAt, @createdAt, 'pending', 0, @createdAt)`,
  )
  // Only the rows about to be sent are read whole.
  const selectRow = sqlite.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE seq = ?`)
  const updateAttempt = sqlite.prepare(
    `UPDATE webhook_outbox SET status = @status, attempts = attempts + 1, last_attempt_at = @at, next_attempt_at = @nextAttemptAt,
       status_code = @statusCode, error = @error, duration_ms = @durationMs, response = @response WHERE seq = @seq`,
  )
  const healthOk = sqlite.prepare('UPDATE webhooks SET last_success_at = ?, failures_in_a_row = 0, last_error = NULL WHERE id = ?')
  const healthFailed = sqlite.prepare('UPDATE webhooks SET failures_in_a_row = failures_in_a_row + ?, last_error = ? WHERE id = ?')
  const byDelivery = sqlite.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE delivery_id = ?`)
  const requeueRow = sqlite.prepare(
    `UPDATE webhook_outbox SET status = 'pending', queued_at = @now, next_attempt_at = @now WHERE delivery_id = @deliveryId RETURNING seq`,
  )
  const prune = sqlite.prepare(`DELETE FROM webhook_outbox WHERE status != 'pending' AND coalesce(last_attempt_at, created_at) < ?`)
  const heads = createLaneHeads(sqlite, options.laneReadAhead)
  const enqueue = sqlite.transaction((rows: OutboxInsert[]) => {
    const inserted: Array<OutboxInsert & { seq: number }> = []
    for (const row of rows) {
      const result = insertRow.run(row)
      if (result.changes > 0) inserted.push({ ...row, seq: Number(result.lastInsertRowid) })
    }
    return inserted
  })
  const remove = sqlite.transaction((id: string) => {
    deleteRows.run(id)
    return deleteWebhook.run(id).changes > 0
  })
  /**
   * The endpoints' health as the attempts of one commit leave it, written once per endpoint at its end:
   * the last success, then the failures since it (in a row) and the last of their errors.
   */
  const health = new Map<string, { okAt: number | null; failures: number; lastError: string | null }>()
  function noteHealth(webhookId: string, outcome: AttemptRecord['health']): void {
    const entry = health.get(webhookId) ?? { okAt: null, failures: 0, lastError: null }
    if (outcome.ok) Object.assign(entry, { okAt: outcome.at, failures: 0, lastError: null })
    else Object.assign(entry, { failures: entry.failures + 1, lastError: outcome.error })
    health.set(webhookId, entry)
  }
  function writeHealth(): void {
    for (const [webhookId, entry] of health) {
      if (entry.okAt !== null) healthOk.run(entry.okAt, webhookId)
      if (entry.failures > 0) healthFailed.run(entry.failures, entry.lastError, webhookId)
    }
    health.clear()
  }
  const records = createRecordBatch(sqlite, writeHealth, () => health.clear())

  return {
    kind: 'sqlite',
    insertWebhook: async (row) => void insertWebhook.run(row),
    async deleteWebhook(id) {
      const removed = remove(id)
      heads.webhookDeleted(id)
      return removed
    },
    webhooks: async () => selectWebhooks.all() as WebhookRow[],
    async counts() {
      const out = new Map<string, { pending: number; dead: number }>()
      for (const row of selectCounts.all() as Array<{ id: string; status: 'pending' | 'dead'; n: number }>) {
        const entry = out.get(row.id) ?? { pending: 0, dead: 0 }
        entry[row.status] = row.n
        out.set(row.id, entry)
      }
      return out
    },
    async failuresByLane(lanes) {
      const rows = selectFailures.all(JSON.stringify(lanes)) as Array<{ lane: string; n: number }>
      return new Map(rows.map((row) => [row.lane, row.n]))
    },
    enqueue: (rows) => heads.queued(enqueue(rows)),
    async claim({ now, limit, busy, maxPerWebhook, inFlight }) {
      let nextAt: number | null = null
      const due: Array<{ seq: number; webhookId: string }> = []
      for (const head of heads.all()) {
        if (busy.has(head.seq)) continue
        if (head.nextAttemptAt > now) nextAt = Math.min(nextAt ?? Infinity, head.nextAttemptAt)
        else due.push(head)
      }
      // Oldest first, so no lane starves behind busier ones; each endpoint up to its room.
      due.sort((a, b) => a.seq - b.seq)
      const taken = new Map(inFlight)
      const rows: OutboxRow[] = []
      for (const head of due) {
        if (rows.length >= limit) break
        const n = taken.get(head.webhookId) ?? 0
        if (n >= maxPerWebhook) continue
        taken.set(head.webhookId, n + 1)
        rows.push(selectRow.get(head.seq) as OutboxRow)
      }
      return { rows, nextAt }
    },
    release: async () => undefined,
    // Nothing is claimed in SQLite; a stop commits the attempt records still waiting for their batch.
    releaseAll: async () => records.flush(),
    recordAttempt: (record) =>
      records.queue(
        () => {
          if (updateAttempt.run(record).changes === 0) return false
          noteHealth(record.webhookId, record.health)
          return true
        },
        () => heads.attempted(record.seq, record.status === 'pending' ? { pending: true, nextAttemptAt: record.nextAttemptAt } : { pending: false }),
      ),
    async deliveries({ webhookId, status, limit }) {
      const where: string[] = []
      const params: unknown[] = []
      if (webhookId) {
        where.push('webhook_id = ?')
        params.push(webhookId)
      }
      if (status) {
        where.push('status = ?')
        params.push(status)
      }
      const sql = `SELECT ${COLUMNS} FROM webhook_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`
      return sqlite.prepare(sql).all(...params, limit) as OutboxRow[]
    },
    byDeliveryId: async (deliveryId) => (byDelivery.get(deliveryId) as OutboxRow | undefined) ?? null,
    async requeue(deliveryId, now) {
      const row = requeueRow.get({ deliveryId, now }) as { seq: number } | undefined
      if (row) heads.changed(row.seq)
    },
    prune: async (before) => prune.run(before).changes,
  }
}

interface RecordBatch {
  /**
   * Runs `write` in the next commit (`RECORD_WAIT_MS`, or sooner when `RECORD_BATCH` wait), then `after`
   * once it committed; resolves with what `write` returned, or rejects with the commit's error.
   */
  queue<T>(write: () => T, after?: () => void): Promise<T>
  /** Commits what is queued now. */
  flush(): void
}

/** `end` runs in each commit after its writes; `failed` after a commit that failed. */
function createRecordBatch(sqlite: Database, end: () => void, failed: () => void): RecordBatch {
  interface Queued {
    write(): unknown
    after?: () => void
    resolve(value: unknown): void
    reject(err: unknown): void
  }
  let queued: Queued[] = []
  let timer: NodeJS.Timeout | null = null
  const commit = sqlite.transaction((items: Queued[]) => {
    const results = items.map((item) => item.write())
    end()
    return results
  })

  function flush(): void {
    if (timer) clearTimeout(timer)
    timer = null
    const items = queued
    queued = []
    if (items.length === 0) return
    let results: unknown[]
    try {
      results = commit(items)
    } catch (err) {
      failed()
      for (const item of items) item.reject(err)
      return
    }
    items.forEach((item, i) => {
      item.after?.()
      item.resolve(results[i])
    })
  }

  return {
    queue<T>(write: () => T, after?: () => void) {
      return new Promise<T>((resolve, reject) => {
        queued.push({ write, ...(after ? { after } : {}), resolve: resolve as (value: unknown) => void, reject })
        if (queued.length >= RECORD_BATCH) flush()
        else timer ??= setTimeout(flush, RECORD_WAIT_MS)
      })
    },
    flush,
  }
}

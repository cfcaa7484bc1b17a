// The webhook endpoints and the outbox in the SQLite database (tables in db/schema.ts; the format is
// docs/webhooks.md). Synchronous, so an event's rows are written in the same step that emits it.
// Main process, Electron-free. Rows hold sealed values only; sealing happens in webhook-service.ts.

import type { Database } from 'better-sqlite3'
import type { DeliveryStatus } from '../../../shared/contract'

export interface WebhookRow {
  id: string
  url: string
  events: string
  secret: Buffer
  createdAt: number
  lastSuccessAt: number | null
  failuresInARow: number
  lastError: string | null
}

export interface OutboxRow {
  seq: number
  deliveryId: string
  webhookId: string
  lane: string
  event: string
  payload: Buffer
  createdAt: number
  queuedAt: number
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastAttemptAt: number | null
  statusCode: number | null
  error: string | null
  durationMs: number | null
  response: string | null
}

export type OutboxInsert = Pick<OutboxRow, 'deliveryId' | 'webhookId' | 'lane' | 'event' | 'payload' | 'createdAt'>

/** How one attempt ended; `next` is null once the row is settled (delivered or dead). */
export interface AttemptRecord {
  seq: number
  status: DeliveryStatus
  at: number
  nextAttemptAt: number
  statusCode: number | null
  error: string | null
  durationMs: number
  response: string | null
}

export interface Outbox {
  insertWebhook(row: WebhookRow): void
  /** Deletes the endpoint and every row of its outbox. */
  deleteWebhook(id: string): boolean
  webhooks(): WebhookRow[]
  counts(): Map<string, { pending: number; dead: number }>
  /** All of them or none (one transaction). */
  enqueue(rows: OutboxInsert[]): void
  /** The first pending row of every (endpoint, lane): the only rows that may go out. */
  laneHeads(limit: number): OutboxRow[]
  recordAttempt(record: AttemptRecord): void
  recordHealth(webhookId: string, outcome: { ok: true; at: number } | { ok: false; error: string }): void
  deliveries(filter: { webhookId?: string; status?: DeliveryStatus; limit: number }): OutboxRow[]
  byDeliveryId(deliveryId: string): OutboxRow | null
  /** Pending again from now on, a fresh 24 h window, same delivery id. */
  requeue(deliveryId: string, now: number): void
  /** Deletes settled rows older than `before`. */
  prune(before: number): number
}

const COLUMNS = `seq, delivery_id AS deliveryId, webhook_id AS webhookId, lane, event, payload, created_at AS createdAt,
  queued_at AS queuedAt, status, attempts, next_attempt_at AS nextAttemptAt, last_attempt_at AS lastAttemptAt,
  status_code AS statusCode, error, duration_ms AS durationMs, response`

export function createSqliteOutbox(sqlite: Database): Outbox {
  const insertWebhook = sqlite.prepare(
    `INSERT INTO webhooks (id, url, events, secret, created_at, last_success_at, failures_in_a_row, last_error)
     VALUES (@id, @url, @events, @secret, @createdAt, @lastSuccessAt, @failuresInARow, @lastError)`,
  )
  const deleteRows = sqlite.prepare('DELETE FROM webhook_outbox WHERE webhook_id = ?')
  const deleteWebhook = sqlite.prepare('DELETE FROM webhooks WHERE id = ?')
  const selectWebhooks = sqlite.prepare(
    `SELECT id, url, events, secret, created_at AS createdAt, last_success_at AS lastSuccessAt,
       failures_in_a_row AS failuresInARow, last_error AS lastError FROM webhooks ORDER BY created_at, id`,
  )
  const selectCounts = sqlite.prepare(
    `SELECT webhook_id AS id, status, COUNT(*) AS n FROM webhook_outbox WHERE status IN ('pending', 'dead') GROUP BY webhook_id, status`,
  )
  const insertRow = sqlite.prepare(
    `INSERT INTO webhook_outbox (delivery_id, webhook_id, lane, event, payload, created_at, queued_at, status, attempts, next_attempt_at)
     VALUES (@deliveryId, @webhookId, @lane, @event, @payload, @createdAt, @createdAt, 'pending', 0, @createdAt)`,
  )
  // The index (webhook_id, status, lane, seq) answers both the scan and the NOT EXISTS.
  const selectHeads = sqlite.prepare(
    `SELECT ${COLUMNS} FROM webhook_outbox o WHERE o.status = 'pending' AND NOT EXISTS (
       SELECT 1 FROM webhook_outbox p WHERE p.webhook_id = o.webhook_id AND p.status = 'pending' AND p.lane = o.lane AND p.seq < o.seq)
     ORDER BY o.next_attempt_at, o.seq LIMIT ?`,
  )
  const updateAttempt = sqlite.prepare(
    `UPDATE webhook_outbox SET status = @status, attempts = attempts + 1, last_attempt_at = @at, next_attempt_at = @nextAttemptAt,
       status_code = @statusCode, error = @error, duration_ms = @durationMs, response = @response WHERE seq = @seq`,
  )
  const healthOk = sqlite.prepare('UPDATE webhooks SET last_success_at = ?, failures_in_a_row = 0, last_error = NULL WHERE id = ?')
  const healthFailed = sqlite.prepare('UPDATE webhooks SET failures_in_a_row = failures_in_a_row + 1, last_error = ? WHERE id = ?')
  const byDelivery = sqlite.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE delivery_id = ?`)
  const requeue = sqlite.prepare(
    `UPDATE webhook_outbox SET status = 'pending', queued_at = @now, next_attempt_at = @now WHERE delivery_id = @deliveryId`,
  )
  const prune = sqlite.prepare(`DELETE FROM webhook_outbox WHERE status != 'pending' AND coalesce(last_attempt_at, created_at) < ?`)
  const enqueue = sqlite.transaction((rows: OutboxInsert[]) => {
    for (const row of rows) insertRow.run(row)
  })
  const remove = sqlite.transaction((id: string) => {
    deleteRows.run(id)
    return deleteWebhook.run(id).changes > 0
  })

  return {
    insertWebhook: (row) => void insertWebhook.run(row),
    deleteWebhook: (id) => remove(id),
    webhooks: () => selectWebhooks.all() as WebhookRow[],
    counts() {
      const out = new Map<string, { pending: number; dead: number }>()
      for (const row of selectCounts.all() as Array<{ id: string; status: 'pending' | 'dead'; n: number }>) {
        const entry = out.get(row.id) ?? { pending: 0, dead: 0 }
        entry[row.status] = row.n
        out.set(row.id, entry)
      }
      return out
    },
    enqueue: (rows) => enqueue(rows),
    laneHeads: (limit) => selectHeads.all(limit) as OutboxRow[],
    recordAttempt: (record) => void updateAttempt.run(record),
    recordHealth(webhookId, outcome) {
      if (outcome.ok) healthOk.run(outcome.at, webhookId)
      else healthFailed.run(outcome.error, webhookId)
    },
    deliveries({ webhookId, status, limit }) {
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
    byDeliveryId: (deliveryId) => (byDelivery.get(deliveryId) as OutboxRow | undefined) ?? null,
    requeue: (deliveryId, now) => void requeue.run({ deliveryId, now }),
    prune: (before) => prune.run(before).changes,
  }
}

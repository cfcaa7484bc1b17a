// The webhook endpoints and the outbox in the SQLite database (tables in db/schema.ts; the format is
// docs/webhooks.md). Enqueueing is synchronous, so an event's rows are written in the same step that
// emits it. Main process, Electron-free. Rows hold sealed values only; sealing is webhook-service.ts's.

import type { Database } from 'better-sqlite3'
import type { Outbox, OutboxInsert, OutboxRow, WebhookRow } from './outbox'

const COLUMNS = `seq, delivery_id AS deliveryId, webhook_id AS webhookId, lane, event, payload, created_at AS createdAt,
  queued_at AS queuedAt, status, attempts, next_attempt_at AS nextAttemptAt, last_attempt_at AS lastAttemptAt,
  status_code AS statusCode, error, duration_ms AS durationMs, response`

export function createSqliteOutbox(sqlite: Database): Outbox {
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
  // Lane heads from the covering index (status, webhook_id, lane, seq) alone: one step per pending row,
  // no payload read; only the rows about to be sent are read whole (selectRow).
  const selectHeads = sqlite.prepare(
    `SELECT h.seq, o.webhook_id AS webhookId, o.next_attempt_at AS nextAttemptAt FROM (
       SELECT MIN(seq) AS seq FROM webhook_outbox WHERE status = 'pending' GROUP BY webhook_id, lane) h
     JOIN webhook_outbox o ON o.seq = h.seq`,
  )
  const selectRow = sqlite.prepare(`SELECT ${COLUMNS} FROM webhook_outbox WHERE seq = ?`)
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
    kind: 'sqlite',
    insertWebhook: async (row) => void insertWebhook.run(row),
    deleteWebhook: async (id) => remove(id),
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
    enqueue: (rows) => enqueue(rows),
    async claim({ now, limit, busy, maxPerWebhook, inFlight }) {
      let nextAt: number | null = null
      const due: Array<{ seq: number; webhookId: string }> = []
      for (const head of selectHeads.all() as Array<{ seq: number; webhookId: string; nextAttemptAt: number }>) {
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
    releaseAll: async () => undefined,
    recordAttempt: async (record) => updateAttempt.run(record).changes > 0,
    async recordHealth(webhookId, outcome) {
      if (outcome.ok) healthOk.run(outcome.at, webhookId)
      else healthFailed.run(outcome.error, webhookId)
    },
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
    requeue: async (deliveryId, now) => void requeue.run({ deliveryId, now }),
    prune: async (before) => prune.run(before).changes,
  }
}

// The webhook endpoints and the outbox in a fleet's PostgreSQL database (tables in db/postgres/schema.ts;
// docs/webhooks.md). Any server may send any row: a pass claims due lane heads with FOR UPDATE SKIP
// LOCKED and marks them claimed by this server, under a fresh claim id, until past the attempt's timeout
// (in the database's clock), so exactly one server sends each attempt; a server that dies mid-attempt
// leaves a claim that expires for another to take, and an attempt is recorded only under its own claim.
// Main process, Electron-free. Rows hold sealed values only.

import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { checkout } from '../db/postgres/pg-errors'
import type { Outbox, OutboxRow, WebhookRow } from './outbox'

/** The database's own clock in epoch milliseconds: the one clock every server of a fleet shares. */
const DB_NOW_MS = '(extract(epoch from now()) * 1000)::bigint'

const columns = (t: string): string =>
  `${t}.seq, ${t}.delivery_id AS "deliveryId", ${t}.webhook_id AS "webhookId", ${t}.lane, ${t}.event, ${t}.payload, ${t}.created_at AS "createdAt",
   ${t}.queued_at AS "queuedAt", ${t}.status, ${t}.attempts, ${t}.next_attempt_at AS "nextAttemptAt", ${t}.last_attempt_at AS "lastAttemptAt",
   ${t}.status_code AS "statusCode", ${t}.error, ${t}.duration_ms AS "durationMs", ${t}.response, ${t}.claim_id AS "claimId"`
const COLUMNS = columns('webhook_outbox')

// bigint columns come back as strings from node-postgres: these are epoch ms and sequence numbers,
// well inside Number's exact range.
const NUMERIC = ['seq', 'createdAt', 'queuedAt', 'nextAttemptAt', 'lastAttemptAt', 'lastSuccessAt'] as const

function numbers<T>(row: Record<string, unknown>): T {
  for (const key of NUMERIC) if (typeof row[key] === 'string') row[key] = Number(row[key])
  return row as T
}

/** Lane heads: the first pending row of every (endpoint, lane). */
const HEADS = `SELECT DISTINCT ON (webhook_id, lane) seq FROM webhook_outbox WHERE status = 'pending' ORDER BY webhook_id, lane, seq`

export function createPgOutbox(pool: pg.Pool, serverId: string): Outbox {
  const rows = async <T>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await pool.query(text, values)).rows.map((row: Record<string, unknown>) => numbers<T>(row))

  return {
    kind: 'postgres',
    async insertWebhook(row) {
      await pool.query(
        `INSERT INTO webhooks (id, sealed_url, events, secret, created_at, last_success_at, failures_in_a_row, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [row.id, row.sealedUrl, row.events, row.secret, row.createdAt, row.lastSuccessAt, row.failuresInARow, row.lastError],
      )
    },
    async deleteWebhook(id) {
      const client = await checkout(pool)
      try {
        await client.query('BEGIN')
        await client.query('DELETE FROM webhook_outbox WHERE webhook_id = $1', [id])
        const removed = await client.query('DELETE FROM webhooks WHERE id = $1', [id])
        await client.query('COMMIT')
        return (removed.rowCount ?? 0) > 0
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    webhooks: () =>
      rows<WebhookRow>(
        `SELECT id, sealed_url AS "sealedUrl", url, events, secret, created_at AS "createdAt", last_success_at AS "lastSuccessAt",
           failures_in_a_row AS "failuresInARow", last_error AS "lastError" FROM webhooks ORDER BY created_at, id`,
      ),
    async counts() {
      const out = new Map<string, { pending: number; dead: number }>()
      const found = await pool.query<{ id: string; status: 'pending' | 'dead'; n: string }>(
        `SELECT webhook_id AS id, status, COUNT(*) AS n FROM webhook_outbox WHERE status IN ('pending', 'dead') GROUP BY webhook_id, status`,
      )
      for (const row of found.rows) {
        const entry = out.get(row.id) ?? { pending: 0, dead: 0 }
        entry[row.status] = Number(row.n)
        out.set(row.id, entry)
      }
      return out
    },
    async failuresByLane(lanes) {
      const found = await pool.query<{ lane: string; n: string }>(
        `SELECT lane, COUNT(*) AS n FROM webhook_outbox
         WHERE lane = ANY($1::text[]) AND (status = 'dead' OR (status = 'pending' AND attempts > 0)) GROUP BY lane`,
        [lanes],
      )
      return new Map(found.rows.map((row) => [row.lane, Number(row.n)]))
    },
    async enqueue(inserts) {
      if (inserts.length === 0) return
      // One statement: all of the event's rows or none.
      await pool.query(
        `INSERT INTO webhook_outbox (delivery_id, webhook_id, lane, event, payload, created_at, queued_at, status, attempts, next_attempt_at)
         SELECT d, w, l, e, p, c, c, 'pending', 0, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::bigint[]) AS t(d, w, l, e, p, c)
         ON CONFLICT (delivery_id) DO NOTHING`,
        [
          inserts.map((r) => r.deliveryId),
          inserts.map((r) => r.webhookId),
          inserts.map((r) => r.lane),
          inserts.map((r) => r.event),
          inserts.map((r) => r.payload),
          inserts.map((r) => r.createdAt),
        ],
      )
    },
    async claim({ now, limit, claimMs, maxPerWebhook, inFlight }) {
      // A claim's expiry is kept in the database's clock, as the leases are: servers' clocks are never
      // compared with each other. Each endpoint's due heads are ranked oldest first and only its room
      // (maxPerWebhook less what this server sends to it now) is taken.
      // The status and claim conditions are repeated at the level that locks the row, on purpose: when a
      // row was claimed or settled by another server after this statement's snapshot, FOR UPDATE (READ
      // COMMITTED) re-evaluates the conditions of its own query level on the row's newest version, and
      // only those; the ones inside `ranked` were checked on the old version. Without the repeat, two
      // servers whose passes overlap both claim the same head and both send it (seen under CPU load).
      const claimId = randomUUID()
      const claimed = await rows<OutboxRow>(
        `WITH ranked AS (
           SELECT o.seq, row_number() OVER (PARTITION BY o.webhook_id ORDER BY o.next_attempt_at, o.seq) AS rank,
                  $5::int - COALESCE(f.n, 0) AS room
           FROM webhook_outbox o JOIN (${HEADS}) h ON h.seq = o.seq
           LEFT JOIN unnest($6::text[], $7::int[]) AS f(id, n) ON f.id = o.webhook_id
           WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.claimed_until IS NULL OR o.claimed_until < ${DB_NOW_MS})),
         due AS (
           SELECT o.seq FROM webhook_outbox o JOIN ranked r ON r.seq = o.seq
           WHERE r.rank <= r.room AND o.status = 'pending' AND (o.claimed_until IS NULL OR o.claimed_until < ${DB_NOW_MS})
           ORDER BY o.next_attempt_at, o.seq LIMIT $2
           FOR UPDATE OF o SKIP LOCKED)
         UPDATE webhook_outbox w SET claimed_by = $3, claim_id = $8, claimed_until = ${DB_NOW_MS} + $4 FROM due WHERE w.seq = due.seq
         RETURNING ${columns('w')}`,
        [now, limit, serverId, claimMs, maxPerWebhook, [...inFlight.keys()], [...inFlight.values()], claimId],
      )
      // When to look again, in this server's clock: a claim's expiry is moved from the database's clock to ours.
      const next = await pool.query<{ at: string | null }>(
        `SELECT MIN(GREATEST(o.next_attempt_at, COALESCE(o.claimed_until - ${DB_NOW_MS} + $2, 0))) AS at
         FROM webhook_outbox o JOIN (${HEADS}) h ON h.seq = o.seq
         WHERE o.status = 'pending' AND NOT (o.claimed_by = $1 AND o.claimed_until >= ${DB_NOW_MS})`,
        [serverId, now],
      )
      const at = next.rows[0]?.at
      return { rows: claimed, nextAt: at === null || at === undefined ? null : Math.max(Number(at), now + 1) }
    },
    async release(seqs) {
      await pool.query('UPDATE webhook_outbox SET claimed_by = NULL, claimed_until = NULL, claim_id = NULL WHERE seq = ANY($1::bigint[]) AND claimed_by = $2', [
        seqs,
        serverId,
      ])
    },
    async releaseAll() {
      await pool.query(`UPDATE webhook_outbox SET claimed_by = NULL, claimed_until = NULL, claim_id = NULL WHERE claimed_by = $1 AND status = 'pending'`, [serverId])
    },
    async recordAttempt(record) {
      // Fenced by the claim: an attempt whose claim expired (another server may be sending the row now)
      // changes nothing, so the row's state is the current claim's alone.
      const result = await pool.query(
        `UPDATE webhook_outbox SET status = $2, attempts = attempts + 1, last_attempt_at = $3, next_attempt_at = $4, status_code = $5,
           error = $6, duration_ms = $7, response = $8, claimed_by = NULL, claimed_until = NULL, claim_id = NULL
         WHERE seq = $1 AND claim_id = $9`,
        [record.seq, record.status, record.at, record.nextAttemptAt, record.statusCode, record.error, record.durationMs, record.response, record.claimId],
      )
      if ((result.rowCount ?? 0) === 0) return false
      const { health } = record
      if (health.ok) await pool.query('UPDATE webhooks SET last_success_at = $1, failures_in_a_row = 0, last_error = NULL WHERE id = $2', [health.at, record.webhookId])
      else await pool.query('UPDATE webhooks SET failures_in_a_row = failures_in_a_row + 1, last_error = $1 WHERE id = $2', [health.error, record.webhookId])
      return true
    },
    deliveries({ webhookId, status, limit }) {
      return rows<OutboxRow>(
        `SELECT ${COLUMNS} FROM webhook_outbox WHERE ($1::text IS NULL OR webhook_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY seq DESC LIMIT $3`,
        [webhookId ?? null, status ?? null, limit],
      )
    },
    async byDeliveryId(deliveryId) {
      return (await rows<OutboxRow>(`SELECT ${COLUMNS} FROM webhook_outbox WHERE delivery_id = $1`, [deliveryId]))[0] ?? null
    },
    async requeue(deliveryId, now) {
      // A claim stays: a row being sent right now is sent again only after that attempt is recorded.
      await pool.query(
        `UPDATE webhook_outbox SET status = 'pending', queued_at = $2, next_attempt_at = $2 WHERE delivery_id = $1`,
        [deliveryId, now],
      )
    },
    async prune(before) {
      return (await pool.query(`DELETE FROM webhook_outbox WHERE status != 'pending' AND COALESCE(last_attempt_at, created_at) < $1`, [before])).rowCount ?? 0
    },
  }
}

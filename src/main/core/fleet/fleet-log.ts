// The fleet's event log (table fleet_events): every server appends the account events that happened on
// it, in one database sequence, and reads the others' by sequence (fleet-events.ts), so an event is
// never lost to a dropped LISTEN connection or a database restart. Main process, Electron-free.
//
// Appends hold one advisory lock until they commit: rows become visible in sequence order, so a reader
// that read up to N never misses a row numbered below N that commits later. A received message is
// appended in the same statement that records its id (received_messages): a message WhatsApp delivers
// again after a failover is appended once. Payloads are sealed with the data key, bound to the row's id.

import { fleetEventAad } from '../crypto/aad'
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { EventName } from '../../../shared/contract'
import type { Sealer } from '../crypto/sealer'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'

/** LISTEN/NOTIFY channel: "something was appended" (no payload; readers read the table). */
export const EVENTS_CHANNEL = 'irish_events'
/** pg_advisory_xact_lock key held by every append until it commits: an arbitrary constant ("irish" + 2). */
const APPEND_LOCK = (0x69726973_68000002n).toString()
/** Rows older than this are pruned: far longer than any reader's catch-up. */
const KEEP = "interval '1 hour'"
/** Appends waiting for a database that does not answer, at most; older ones are dropped with a warning. */
const MAX_PENDING = 10_000
const RETRY_MS = 1000

export interface LoggedEvent {
  seq: number
  origin: string
  event: EventName
  payload: unknown
}

export interface FleetLog {
  /** Appends an event (batched, in order); retried until the database takes it. */
  append(event: EventName, payload: unknown): void
  /**
   * Appends an event that may be reported again (a message: contract `repeatsBy`) unless its (account,
   * key) was appended before; resolves true when it was new.
   */
  appendOnce(event: EventName, payload: unknown, repeat: { account: string; key: string }): Promise<boolean>
  /** The events after `seq`, oldest first, at most `limit`. */
  after(seq: number, limit: number): Promise<LoggedEvent[]>
  /** The newest sequence number (0 when empty). */
  newest(): Promise<number>
  /** Deletes rows older than an hour. */
  prune(): Promise<void>
  /** Tries once more to append what waits (a graceful stop), then stops retrying. */
  close(): Promise<void>
}

export function createFleetLog(deps: { pool: pg.Pool; serverId: string; sealer: Sealer; logger: Logger }): FleetLog {
  const { pool, serverId, sealer, logger } = deps
  const aad = fleetEventAad
  const seal = (payload: unknown): { id: string; sealed: Buffer } => {
    const id = randomUUID()
    return { id, sealed: sealer.seal(Buffer.from(JSON.stringify(payload)), aad(id)) }
  }
  let pending: Array<{ event: EventName; id: string; sealed: Buffer }> = []
  let writing = false
  let closed = false
  let retry: NodeJS.Timeout | null = null

  async function drain(): Promise<void> {
    if (writing || closed) return
    writing = true
    try {
      while (pending.length > 0 && !closed) {
        const batch = pending.slice(0, 500)
        await pool.query(
          `WITH l AS (SELECT pg_advisory_xact_lock($1::bigint)),
           ins AS (INSERT INTO fleet_events (id, origin, event, payload)
                   SELECT t.i, $2, t.e, t.p FROM l, unnest($3::text[], $4::text[], $5::bytea[]) WITH ORDINALITY AS t(i, e, p, n) ORDER BY t.n RETURNING seq)
           SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM (SELECT count(*) FROM ins) c`,
          [APPEND_LOCK, serverId, batch.map((b) => b.id), batch.map((b) => b.event), batch.map((b) => b.sealed)],
        )
        pending = pending.slice(batch.length)
      }
    } catch (err) {
      logger.warn({ err: describePgError(err), waiting: pending.length }, 'fleet events could not be appended; retrying')
      retry ??= setTimeout(() => {
        retry = null
        void drain()
      }, RETRY_MS)
      retry.unref()
    } finally {
      writing = false
    }
  }

  return {
    append(event, payload) {
      if (closed) return
      const { id, sealed } = seal(payload)
      pending.push({ event, id, sealed })
      if (pending.length > MAX_PENDING) {
        pending.shift()
        logger.warn({}, 'the fleet event log is unreachable and too many events wait; the oldest one is dropped')
      }
      void drain()
    },
    async appendOnce(event, payload, repeat) {
      const { id, sealed } = seal(payload)
      const { rows } = await pool.query(
        `WITH l AS (SELECT pg_advisory_xact_lock($1::bigint)),
         seen AS (INSERT INTO received_messages (account_id, message_id) SELECT $2, $3 FROM l ON CONFLICT DO NOTHING RETURNING account_id),
         ins AS (INSERT INTO fleet_events (id, origin, event, payload) SELECT $4, $5, $7, $6 FROM seen RETURNING seq)
         SELECT seq, pg_notify('${EVENTS_CHANNEL}', '') FROM ins`,
        [APPEND_LOCK, repeat.account, repeat.key, id, serverId, sealed, event],
      )
      return rows.length > 0
    },
    async after(seq, limit) {
      const { rows } = await pool.query<{ seq: string; id: string; origin: string; event: EventName; payload: Buffer }>(
        'SELECT seq, id, origin, event, payload FROM fleet_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [seq, limit],
      )
      const out: LoggedEvent[] = []
      for (const row of rows) {
        const seq = Number(row.seq)
        try {
          out.push({ seq, origin: row.origin, event: row.event, payload: JSON.parse(sealer.open(row.payload, aad(row.id)).toString('utf8')) as unknown })
        } catch {
          // Passed over, not retried: a row that does not open now never will (written under another key).
          logger.warn({ seq, event: row.event }, 'a fleet event could not be opened with this data key; skipped')
          out.push({ seq, origin: serverId, event: row.event, payload: null })
        }
      }
      return out
    },
    async newest() {
      const { rows } = await pool.query<{ n: string | null }>('SELECT max(seq) AS n FROM fleet_events')
      return Number(rows[0]?.n ?? 0)
    },
    async prune() {
      await pool.query(`DELETE FROM fleet_events WHERE at < now() - ${KEEP}`)
    },
    async close() {
      if (retry) clearTimeout(retry)
      retry = null
      while (writing) await new Promise((resolve) => setTimeout(resolve, 10))
      await drain()
      closed = true
      if (retry) clearTimeout(retry)
    },
  }
}

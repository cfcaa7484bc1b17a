// The sends and known contacts in a fleet's PostgreSQL database (tables in db/postgres/schema.ts). The
// server that runs an account sends its queue; `claimed_by` names the server mid-send, so a new owner
// that takes the queue over sends again (same message id) what a gone owner left mid-send.
// Main process, Electron-free.

import type pg from 'pg'
import type { AccountId } from '../../../shared/ids'
import type { SendStore, WaitingRow } from './send-store'

const n = (value: unknown): number => Number(value)

export function createPgSendStore(pool: pg.Pool, serverId: string): SendStore {
  return {
    async recordSent(row) {
      await pool.query(
        `INSERT INTO sends (message_id, account_id, jid, payload, new_contact, state, created_at, done_at) VALUES ($1, $2, $3, NULL, $4, 'sent', $5, $5)`,
        [row.messageId, row.account, row.jid, row.newContact, row.at],
      )
    },
    async enqueue(row) {
      await pool.query(
        `INSERT INTO sends (message_id, account_id, jid, payload, new_contact, state, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6)`,
        [row.messageId, row.account, row.jid, row.payload, row.newContact, row.createdAt],
      )
    },
    async takeQueue(account) {
      // One statement: what was mid-send waits again, in its place, and the queue is read after it.
      const { rows } = await pool.query<{ messageId: string; jid: string; payload: Buffer; newContact: boolean; createdAt: string }>(
        `WITH back AS (UPDATE sends SET state = 'queued', claimed_by = NULL WHERE account_id = $1 AND state = 'sending' RETURNING seq)
         SELECT message_id AS "messageId", jid, payload, new_contact AS "newContact", created_at AS "createdAt" FROM sends
         WHERE account_id = $1 AND (state = 'queued' OR seq IN (SELECT seq FROM back)) ORDER BY seq`,
        [account],
      )
      return rows.map((r): WaitingRow => ({ ...r, createdAt: n(r.createdAt) }))
    },
    async claim(messageId) {
      const done = await pool.query(`UPDATE sends SET state = 'sending', claimed_by = $2 WHERE message_id = $1 AND state = 'queued'`, [messageId, serverId])
      return done.rowCount === 1
    },
    async unclaim(messageId) {
      await pool.query(`UPDATE sends SET state = 'queued', claimed_by = NULL WHERE message_id = $1 AND state = 'sending' AND claimed_by = $2`, [messageId, serverId])
    },
    async finish(messageId, outcome) {
      await pool.query(`UPDATE sends SET state = $2, done_at = $3, error = $4, payload = NULL, claimed_by = NULL WHERE message_id = $1`, [
        messageId,
        outcome.state,
        outcome.at,
        outcome.error,
      ])
    },
    async cancel(account, ids, at) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const { rows } = await client.query<{ id: string }>(
          `SELECT message_id AS id FROM sends WHERE account_id = $1 AND state = 'queued' AND message_id = ANY($2::text[]) FOR UPDATE`,
          [account, ids],
        )
        const waiting = new Set(rows.map((r) => r.id))
        const missing = ids.filter((id) => !waiting.has(id))
        if (missing.length === 0) {
          await client.query(`UPDATE sends SET state = 'cancelled', done_at = $2, payload = NULL WHERE message_id = ANY($1::text[])`, [ids, at])
        }
        await client.query('COMMIT')
        return missing
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    async history(account, since) {
      const { rows } = await pool.query<{ messageId: string; at: string; newContact: boolean }>(
        `SELECT message_id AS "messageId", done_at AS at, new_contact AS "newContact" FROM sends
         WHERE account_id = $1 AND state = 'sent' AND done_at > $2 ORDER BY done_at, seq`,
        [account, since],
      )
      return rows.map((r) => ({ ...r, at: n(r.at) }))
    },
    async counts(since) {
      const { rows } = await pool.query<{ account: AccountId; queued: string; sent: string }>(
        `SELECT account_id AS account, COUNT(*) FILTER (WHERE state IN ('queued', 'sending')) AS queued,
           COUNT(*) FILTER (WHERE state = 'sent' AND done_at > $1) AS sent
         FROM sends WHERE state IN ('queued', 'sending') OR (state = 'sent' AND done_at > $1) GROUP BY account_id`,
        [since],
      )
      return new Map(rows.map((r) => [r.account, { queued: n(r.queued), sent: n(r.sent) }]))
    },
    async contacts(account) {
      return (await pool.query<{ jid: string }>('SELECT jid FROM known_contacts WHERE account_id = $1', [account])).rows.map((r) => r.jid)
    },
    async remember(account, jid, at) {
      await pool.query('INSERT INTO known_contacts (account_id, jid, first_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [account, jid, at])
    },
    async prune(before) {
      return (await pool.query(`DELETE FROM sends WHERE state IN ('sent', 'failed', 'cancelled') AND done_at < $1`, [before])).rowCount ?? 0
    },
    async forget(account) {
      await pool.query('DELETE FROM sends WHERE account_id = $1', [account])
      await pool.query('DELETE FROM known_contacts WHERE account_id = $1', [account])
    },
  }
}

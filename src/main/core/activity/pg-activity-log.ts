// The activity log of a fleet: the same log as sqlite-activity-log.ts, in the fleet's PostgreSQL database, so
// every server shows the same history of an account whichever server ran it or was asked. Same bound
// per account, same order (newest first). Main process, Electron-free.
// Writes go through a write queue: recording stays as cheap for the session as on SQLite, entries land
// in the order they were recorded, and a failed write is logged, never thrown into the session.

import type pg from 'pg'
import type { ActivityActor, ActivityEntry, ActivityKind } from '../../../shared/contract'
import { createWriteQueue } from '../db/postgres/write-queue'
import type { Logger } from '../logger'
import { ACTIVITY_PER_ACCOUNT, type ActivityLog } from './activity-log'

interface Row {
  /** bigint columns arrive as strings from node-postgres. */
  seq: string
  at: string
  kind: ActivityKind
  message: string
  code: number | null
  actor: ActivityActor
}

export function createPgActivityLog(options: { pool: pg.Pool; logger: Logger; now?: () => number; perAccount?: number }): ActivityLog {
  const { pool } = options
  const now = options.now ?? Date.now
  const keep = options.perAccount ?? ACTIVITY_PER_ACCOUNT
  const queue = createWriteQueue(options.logger)

  return {
    record(entry) {
      const at = now()
      queue.push('An activity log entry', async () => {
        // One round trip: the entry, and everything older than the newest `keep` entries of the account
        // dropped, as the SQLite log does. The DELETE sees the rows as they were before this INSERT, so
        // it keeps the newest keep - 1 of those beside the new one. Another server writing for the same
        // account at once can only make this keep a few more, briefly.
        await pool.query(
          `WITH added AS (INSERT INTO activity (account_id, at, kind, message, code, actor) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq)
           DELETE FROM activity WHERE account_id = $1 AND seq <= (
             SELECT seq FROM activity WHERE account_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $7)`,
          [entry.account, at, entry.kind, entry.message.slice(0, 500), entry.code ?? null, entry.actor, keep - 1],
        )
      })
    },
    async list(account, limit = 100) {
      // This server's own entries first: a list right after a command shows that command.
      await queue.settled()
      const { rows } = await pool.query<Row>('SELECT seq, at, kind, message, code, actor FROM activity WHERE account_id = $1 ORDER BY seq DESC LIMIT $2', [
        account,
        limit,
      ])
      return rows.map((row): ActivityEntry => ({ ...row, seq: Number(row.seq), at: Number(row.at) }))
    },
    forget(account) {
      queue.push('Removing an account\'s activity log', () => pool.query('DELETE FROM activity WHERE account_id = $1', [account]))
    },
    settled: () => queue.settled(),
  }
}

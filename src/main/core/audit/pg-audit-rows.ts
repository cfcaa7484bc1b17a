// The audit trail's rows in a fleet's PostgreSQL database, one trail for every server: a batch is one
// INSERT. Main process, Electron-free.

import type pg from 'pg'
import type { AuditRows } from './audit-trail'
import { auditWhere, entryFromRow } from './sqlite-audit-rows'

export function pgAuditRows(pool: pg.Pool): AuditRows {
  return {
    async insert(entries) {
      await pool.query(
        `INSERT INTO audit (at, actor, command, accounts, result, server, subject)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          entries.map((e) => e.at),
          entries.map((e) => e.actor),
          entries.map((e) => e.command),
          entries.map((e) => JSON.stringify(e.accounts)),
          entries.map((e) => e.result),
          entries.map((e) => e.server),
          entries.map((e) => e.subject),
        ],
      )
    },
    async list(filter) {
      const { where, values } = auditWhere(filter, (n) => `$${n}`)
      const { rows } = await pool.query(
        `SELECT at, actor, command, accounts, result, server, subject FROM audit ${where} ORDER BY at DESC, seq DESC LIMIT $${values.length + 1}`,
        [...values, filter.limit],
      )
      return rows.map(entryFromRow)
    },
    prune: async (before) => (await pool.query('DELETE FROM audit WHERE at < $1', [before])).rowCount ?? 0,
  }
}

// The audit trail's rows in the SQLite database: a batch is one transaction. Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { AuditEntry } from '../../../shared/contract'
import type { AuditFilter, AuditRows } from './audit-trail'

interface Row {
  at: number | string
  actor: string
  command: string
  accounts: string
  result: string
  server: string
  subject: string | null
}

/** A row as either database returns it. */
export function entryFromRow(row: Row): AuditEntry {
  return { at: Number(row.at), actor: row.actor, command: row.command, accounts: JSON.parse(row.accounts) as string[], result: row.result, server: row.server, subject: row.subject }
}

/** The WHERE clause of a filter, with `?` or `$n` placeholders, and its values. */
export function auditWhere(filter: AuditFilter, placeholder: (n: number) => string): { where: string; values: unknown[] } {
  const parts: string[] = []
  const values: unknown[] = []
  const add = (sql: string, value: unknown): void => {
    values.push(value)
    parts.push(`${sql} ${placeholder(values.length)}`)
  }
  if (filter.since !== undefined) add('at >=', filter.since)
  if (filter.until !== undefined) add('at <', filter.until)
  if (filter.actor !== undefined) add('actor =', filter.actor)
  if (filter.command !== undefined) add('command =', filter.command)
  return { where: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', values }
}

export function sqliteAuditRows(sqlite: Database.Database): AuditRows {
  const insert = sqlite.prepare('INSERT INTO audit (at, actor, command, accounts, result, server, subject) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const insertAll = sqlite.transaction((entries: readonly AuditEntry[]) => {
    for (const e of entries) insert.run(e.at, e.actor, e.command, JSON.stringify(e.accounts), e.result, e.server, e.subject)
  })
  const prune = sqlite.prepare('DELETE FROM audit WHERE at < ?')
  return {
    insert: (entries) => insertAll(entries),
    async list(filter) {
      const { where, values } = auditWhere(filter, () => '?')
      const rows = sqlite.prepare<unknown[], Row>(`SELECT at, actor, command, accounts, result, server, subject FROM audit ${where} ORDER BY at DESC, seq DESC LIMIT ?`).all(...values, filter.limit)
      return rows.map(entryFromRow)
    },
    prune: async (before) => prune.run(before).changes,
  }
}

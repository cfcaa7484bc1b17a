// The activity log in the SQLite database (one server, the desktop app): each entry and the pruning of
// the account's oldest in one transaction, written at once. Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { ActivityActor, ActivityKind } from '../../../shared/contract'
import { ACTIVITY_PER_ACCOUNT, type ActivityLog, type NewActivity } from './activity-log'

interface Row {
  seq: number
  at: number
  kind: ActivityKind
  message: string
  code: number | null
  actor: ActivityActor
}

export function createSqliteActivityLog(options: { sqlite: Database.Database; now?: () => number; perAccount?: number }): ActivityLog {
  const now = options.now ?? Date.now
  const keep = options.perAccount ?? ACTIVITY_PER_ACCOUNT
  const insert = options.sqlite.prepare('INSERT INTO activity (account_id, at, kind, message, code, actor) VALUES (?, ?, ?, ?, ?, ?)')
  // Drops everything older than the newest `keep` entries of the account (the index covers both parts).
  const prune = options.sqlite.prepare(
    `DELETE FROM activity WHERE account_id = ? AND seq < (
       SELECT seq FROM activity WHERE account_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
  )
  const select = options.sqlite.prepare<[string, number], Row>(
    'SELECT seq, at, kind, message, code, actor FROM activity WHERE account_id = ? ORDER BY seq DESC LIMIT ?',
  )
  const remove = options.sqlite.prepare('DELETE FROM activity WHERE account_id = ?')
  const write = options.sqlite.transaction((entry: NewActivity) => {
    insert.run(entry.account, now(), entry.kind, entry.message.slice(0, 500), entry.code ?? null, entry.actor)
    prune.run(entry.account, entry.account, keep - 1)
  })

  return {
    record(entry) {
      write(entry)
    },
    async list(account, limit = 100) {
      return select.all(account, limit).map((row) => ({ ...row }))
    },
    forget(account) {
      remove.run(account)
    },
    async settled() {},
  }
}

// The activity log in the SQLite database (one server, the desktop app). Entries are queued in the order
// they are recorded and committed with the turn's write batch (db/write-batch.ts): each entry inserted,
// then each account's oldest beyond the bound pruned once. A list or a forget commits what is queued
// first, so it sees every entry recorded before it. Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { ActivityActor, ActivityKind } from '../../../shared/contract'
import type { WriteBatch } from '../db/write-batch'
import { ACTIVITY_PER_ACCOUNT, type ActivityLog } from './activity-log'

interface Row {
  seq: number
  at: number
  kind: ActivityKind
  message: string
  code: number | null
  actor: ActivityActor
}

interface Queued {
  account: string
  at: number
  kind: ActivityKind
  message: string
  code: number | null
  actor: ActivityActor
}

export function createSqliteActivityLog(options: { sqlite: Database.Database; batch: WriteBatch; now?: () => number; perAccount?: number }): ActivityLog {
  const { batch } = options
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
  let queued: Queued[] = []

  batch.add({
    write() {
      const accounts = new Set<string>()
      for (const e of queued) {
        insert.run(e.account, e.at, e.kind, e.message, e.code, e.actor)
        accounts.add(e.account)
      }
      for (const account of accounts) prune.run(account, account, keep - 1)
    },
    committed() {
      queued = []
    },
  })

  return {
    record(entry) {
      queued.push({ account: entry.account, at: now(), kind: entry.kind, message: entry.message.slice(0, 500), code: entry.code ?? null, actor: entry.actor })
      batch.schedule()
    },
    async list(account, limit = 100) {
      batch.flush()
      return select.all(account, limit).map((row) => ({ ...row }))
    },
    forget(account) {
      batch.flush()
      queued = queued.filter((e) => e.account !== account)
      remove.run(account)
    },
    async settled() {
      batch.flush()
    },
  }
}

// The sends and known contacts in the SQLite database (tables in db/schema.ts), for the send service.
// Main process, Electron-free. Prepared statements: a send that goes at once costs one insert.

import type { Database } from 'better-sqlite3'
import type { AccountId } from '../../../shared/ids'
import type { SendStore, WaitingRow } from './send-store'

export function createSqliteSendStore(sqlite: Database): SendStore {
  const insertSent = sqlite.prepare(
    `INSERT INTO sends (message_id, account_id, jid, payload, new_contact, state, created_at, done_at) VALUES (?, ?, ?, NULL, ?, 'sent', ?, ?)`,
  )
  const insertQueued = sqlite.prepare(
    `INSERT INTO sends (message_id, account_id, jid, payload, new_contact, state, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
  )
  const requeue = sqlite.prepare(`UPDATE sends SET state = 'queued' WHERE account_id = ? AND state = 'sending'`)
  const selectQueue = sqlite.prepare(
    `SELECT message_id AS messageId, jid, payload, new_contact AS newContact, created_at AS createdAt FROM sends
     WHERE account_id = ? AND state = 'queued' ORDER BY seq`,
  )
  const claim = sqlite.prepare(`UPDATE sends SET state = 'sending' WHERE message_id = ? AND state = 'queued'`)
  const unclaim = sqlite.prepare(`UPDATE sends SET state = 'queued' WHERE message_id = ? AND state = 'sending'`)
  const finish = sqlite.prepare(`UPDATE sends SET state = ?, done_at = ?, error = ?, payload = NULL WHERE message_id = ?`)
  const waitingOf = sqlite.prepare(`SELECT message_id AS messageId FROM sends WHERE account_id = ? AND state = 'queued'`)
  const cancelOne = sqlite.prepare(`UPDATE sends SET state = 'cancelled', done_at = ?, payload = NULL WHERE message_id = ? AND state = 'queued'`)
  const history = sqlite.prepare(
    `SELECT message_id AS messageId, done_at AS at, new_contact AS newContact FROM sends
     WHERE account_id = ? AND state = 'sent' AND done_at > ? ORDER BY done_at, seq`,
  )
  const counts = sqlite.prepare(
    `SELECT account_id AS account, SUM(state IN ('queued', 'sending')) AS queued, SUM(state = 'sent' AND done_at > ?) AS sent FROM sends
     WHERE state IN ('queued', 'sending') OR (state = 'sent' AND done_at > ?) GROUP BY account_id`,
  )
  const contacts = sqlite.prepare(`SELECT jid FROM known_contacts WHERE account_id = ?`)
  const remember = sqlite.prepare(`INSERT OR IGNORE INTO known_contacts (account_id, jid, first_at) VALUES (?, ?, ?)`)
  const prune = sqlite.prepare(`DELETE FROM sends WHERE state IN ('sent', 'failed', 'cancelled') AND done_at < ?`)
  const forgetSends = sqlite.prepare(`DELETE FROM sends WHERE account_id = ?`)
  const forgetContacts = sqlite.prepare(`DELETE FROM known_contacts WHERE account_id = ?`)

  const takeQueue = sqlite.transaction((account: string) => {
    requeue.run(account)
    return (selectQueue.all(account) as Array<Omit<WaitingRow, 'newContact'> & { newContact: number }>).map((row): WaitingRow => ({ ...row, newContact: row.newContact === 1 }))
  })
  const cancel = sqlite.transaction((account: string, ids: readonly string[], at: number) => {
    const waiting = new Set((waitingOf.all(account) as Array<{ messageId: string }>).map((r) => r.messageId))
    const missing = ids.filter((id) => !waiting.has(id))
    if (missing.length > 0) return missing
    for (const id of ids) cancelOne.run(at, id)
    return []
  })

  return {
    async recordSent(row) {
      insertSent.run(row.messageId, row.account, row.jid, row.newContact ? 1 : 0, row.at, row.at)
    },
    async enqueue(row) {
      insertQueued.run(row.messageId, row.account, row.jid, row.payload, row.newContact ? 1 : 0, row.createdAt)
    },
    takeQueue: async (account) => takeQueue(account),
    claim: async (messageId) => claim.run(messageId).changes === 1,
    unclaim: async (messageId) => void unclaim.run(messageId),
    async finish(messageId, outcome) {
      finish.run(outcome.state, outcome.at, outcome.error, messageId)
    },
    cancel: async (account, ids, at) => cancel(account, ids, at),
    async history(account, since) {
      return (history.all(account, since) as Array<{ messageId: string; at: number; newContact: number }>).map((r) => ({ ...r, newContact: r.newContact === 1 }))
    },
    async counts(since) {
      const out = new Map<AccountId, { queued: number; sent: number }>()
      for (const row of counts.all(since, since) as Array<{ account: AccountId; queued: number; sent: number }>) out.set(row.account, { queued: row.queued, sent: row.sent })
      return out
    },
    contacts: async (account) => (contacts.all(account) as Array<{ jid: string }>).map((r) => r.jid),
    remember: async (account, jid, at) => void remember.run(account, jid, at),
    prune: async (before) => prune.run(before).changes,
    async forget(account) {
      forgetSends.run(account)
      forgetContacts.run(account)
    },
  }
}

// The most writes seen per linked device, in the SQLite database. Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { SeenIdentities } from './seen-identities'

/** The query both databases answer `seen` with (`?` placeholders; PostgreSQL numbers them). */
export const SEEN_SQL = `SELECT writes, account_id FROM (
  SELECT writes, account_id FROM seen_identities WHERE identity = ?
  UNION ALL SELECT writes, account_id FROM auth_creds WHERE identity = ?
) ORDER BY writes DESC LIMIT 1`

export function sqliteSeenIdentities(sqlite: Database.Database, now: () => number = Date.now): SeenIdentities {
  const seen = sqlite.prepare<[string, string], { writes: number; account_id: string }>(SEEN_SQL)
  const record = sqlite.prepare(
    'INSERT INTO seen_identities (identity, writes, account_id, at) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (identity) DO UPDATE SET writes = excluded.writes, account_id = excluded.account_id, at = excluded.at WHERE excluded.writes > seen_identities.writes',
  )
  const current = sqlite.prepare<[string], { identity: string | null; writes: number }>('SELECT identity, writes FROM auth_creds WHERE account_id = ?')
  return {
    async seen(device) {
      const row = seen.get(device, device)
      return row ? { writes: Number(row.writes), accountId: row.account_id } : null
    },
    async record(device, writes, accountId) {
      record.run(device, writes, accountId, now())
    },
    async remember(accountId) {
      const row = current.get(accountId)
      if (row?.identity) record.run(row.identity, row.writes, accountId, now())
    },
  }
}

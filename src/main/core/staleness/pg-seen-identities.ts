// The most writes seen per linked device, in a fleet's PostgreSQL database. Main process, Electron-free.

import type pg from 'pg'
import type { SeenIdentities } from './seen-identities'

export function pgSeenIdentities(pool: pg.Pool, now: () => number = Date.now): SeenIdentities {
  const record = (device: string, writes: number, accountId: string): Promise<unknown> =>
    pool.query(
      'INSERT INTO seen_identities (identity, writes, account_id, at) VALUES ($1, $2, $3, $4) ' +
        'ON CONFLICT (identity) DO UPDATE SET writes = excluded.writes, account_id = excluded.account_id, at = excluded.at WHERE excluded.writes > seen_identities.writes',
      [device, writes, accountId, now()],
    )
  return {
    async seen(device) {
      const { rows } = await pool.query<{ writes: string; account_id: string }>(
        `SELECT writes, account_id FROM (
           SELECT writes, account_id FROM seen_identities WHERE identity = $1
           UNION ALL SELECT writes, account_id FROM auth_creds WHERE identity = $1
         ) s ORDER BY writes DESC LIMIT 1`,
        [device],
      )
      return rows[0] ? { writes: Number(rows[0].writes), accountId: rows[0].account_id } : null
    },
    record: async (device, writes, accountId) => void (await record(device, writes, accountId)),
    async remember(accountId) {
      const row = (await pool.query<{ identity: string | null; writes: string }>('SELECT identity, writes FROM auth_creds WHERE account_id = $1', [accountId])).rows[0]
      if (row?.identity) await record(row.identity, Number(row.writes), accountId)
    },
  }
}

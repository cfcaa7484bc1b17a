// The LID store of a fleet, in its PostgreSQL database, so whichever server runs an account next knows
// the same numbers. Writes go through a write queue: saving stays as cheap for the session as on SQLite,
// and a failed write is logged, never thrown into the session. Main process, Electron-free.

import type pg from 'pg'
import type { AccountId } from '../../../shared/ids'
import { createWriteQueue } from '../db/postgres/write-queue'
import type { Logger } from '../logger'
import type { LidMappingRow, LidStore } from './lid-store'

export function createPgLidStore(options: { pool: pg.Pool; logger: Logger }): LidStore {
  const { pool } = options
  const queue = createWriteQueue(options.logger)
  return {
    async load(account: AccountId) {
      // This server's own writes first: a mapping saved a moment ago is part of the answer.
      await queue.settled()
      const result = await pool.query<LidMappingRow>('SELECT lid, pn FROM lid_mappings WHERE account_id = $1', [account])
      return result.rows
    },
    save(account, mapping, at) {
      queue.push('A LID mapping', () =>
        pool.query(
          'INSERT INTO lid_mappings (account_id, lid, pn, learned_at) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, lid) DO UPDATE SET pn = excluded.pn, learned_at = excluded.learned_at',
          [account, mapping.lid, mapping.pn, at],
        ),
      )
    },
    forget(account) {
      queue.push('Removing LID mappings', () => pool.query('DELETE FROM lid_mappings WHERE account_id = $1', [account]))
    },
    settled: () => queue.settled(),
  }
}

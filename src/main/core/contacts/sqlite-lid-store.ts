// The LID store in the SQLite database (one server, the desktop app): written at once.
// Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { Logger } from '../logger'
import type { LidMappingRow, LidStore } from './lid-store'

export function createSqliteLidStore(options: { sqlite: Database.Database; logger: Logger }): LidStore {
  const select = options.sqlite.prepare<[string], LidMappingRow>('SELECT lid, pn FROM lid_mappings WHERE account_id = ?')
  const upsert = options.sqlite.prepare(
    'INSERT INTO lid_mappings (account_id, lid, pn, learned_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, lid) DO UPDATE SET pn = excluded.pn, learned_at = excluded.learned_at',
  )
  const remove = options.sqlite.prepare('DELETE FROM lid_mappings WHERE account_id = ?')
  return {
    async load(account) {
      return select.all(account)
    },
    save(account, mapping, at) {
      try {
        upsert.run(account, mapping.lid, mapping.pn, at)
      } catch (err) {
        // A mapping is learned again from the next message; losing one must never break the session.
        options.logger.warn({ err, account }, 'could not save a LID mapping')
      }
    },
    forget(account) {
      remove.run(account)
    },
    settled: async () => undefined,
  }
}

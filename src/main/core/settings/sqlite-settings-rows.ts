// The settings rows in the SQLite database, for settings-store.ts: read and written through Drizzle, a
// change in one transaction. Main process, Electron-free.

import type { AppDatabase } from '../db/open-database'
import { settings as settingsTable } from '../db/schema'
import type { SettingsRows } from './settings-store'

export function sqliteSettingsRows(db: AppDatabase): SettingsRows {
  return {
    all: () => db.select().from(settingsTable).all(),
    put(entries) {
      db.transaction((tx) => {
        for (const { key, value } of entries) {
          tx.insert(settingsTable).values({ key, value }).onConflictDoUpdate({ target: settingsTable.key, set: { value } }).run()
        }
      })
    },
  }
}

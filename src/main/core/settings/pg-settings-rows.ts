// The settings rows on PostgreSQL, for settings-store.ts: read once at open, kept in memory, written
// through the write queue in one transaction per change. Main process, Electron-free.

import type { SettingsRows } from './settings-store'
import type { PgDatabase } from '../db/postgres/open-postgres'
import { settings } from '../db/postgres/schema'
import type { WriteQueue } from '../db/postgres/write-queue'

export interface PgSettingsRows extends SettingsRows {
  reload(): Promise<void>
}

export async function createPgSettingsRows(db: PgDatabase, queue: WriteQueue): Promise<PgSettingsRows> {
  const cache = new Map<string, string>()
  async function reload(): Promise<void> {
    await queue.settled()
    const rows = await db.select().from(settings)
    cache.clear()
    for (const row of rows) cache.set(row.key, row.value)
  }
  await reload()
  return {
    reload,
    all: () => [...cache].map(([key, value]) => ({ key, value })),
    put(entries) {
      for (const { key, value } of entries) cache.set(key, value)
      queue.push('Saving settings', () =>
        db.transaction(async (tx) => {
          for (const { key, value } of entries) {
            await tx.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } })
          }
        }),
      )
    },
  }
}

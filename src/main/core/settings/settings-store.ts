// Settings persisted in the settings table as JSON values, validated with the contract's schema on
// the way in and on the way out (a value edited by hand in the database cannot crash the app).
// Main process, Electron-free.

import { SettingsSchema, type Settings } from '../../../shared/contract'
import type { AppDatabase } from '../db/open-database'
import { settings as settingsTable } from '../db/schema'
import type { Logger } from '../logger'

export const DEFAULT_SETTINGS: Settings = { whatsappUrl: null, trustedRootKey: null, autoStart: true }

export interface SettingsStore {
  get(): Settings
  set(patch: Partial<Settings>): Settings
}

export function createSettingsStore(db: AppDatabase, logger: Logger): SettingsStore {
  function read(): Settings {
    const rows = db.select().from(settingsTable).all()
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS }
    for (const row of rows) {
      try {
        raw[row.key] = JSON.parse(row.value)
      } catch {
        logger.warn({ key: row.key }, 'ignoring a setting that is not valid JSON')
      }
    }
    const parsed = SettingsSchema.safeParse(raw)
    if (parsed.success) return parsed.data
    logger.warn({ issues: parsed.error.issues.length }, 'stored settings are invalid; using the defaults')
    return DEFAULT_SETTINGS
  }

  return {
    get: read,
    set(patch) {
      const next = SettingsSchema.parse({ ...read(), ...patch })
      db.transaction((tx) => {
        for (const [key, value] of Object.entries(patch)) {
          if (value === undefined) continue
          const json = JSON.stringify(next[key as keyof Settings])
          tx.insert(settingsTable).values({ key, value: json }).onConflictDoUpdate({ target: settingsTable.key, set: { value: json } }).run()
        }
      })
      return next
    },
  }
}

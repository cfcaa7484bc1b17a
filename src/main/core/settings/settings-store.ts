// Settings persisted as JSON values in a settings table, validated with the contract's schema on the
// way in and on the way out (a value edited by hand in the database cannot crash the app). The table is
// the SettingsRows port: sqlite-settings-rows.ts and pg-settings-rows.ts beside this file.
// Main process, Electron-free.

import { SettingsSchema, type Settings } from '../../../shared/contract'
import type { Logger } from '../logger'

export const DEFAULT_SETTINGS: Settings = { whatsappUrl: null, trustedRootKey: null, autoStart: true, rankingMinSamples: 100, auditRetentionDays: 90 }

export interface SettingsStore {
  get(): Settings
  set(patch: Partial<Settings>): Settings
}

/** Where the settings rows live: the SQLite table, or a cached PostgreSQL table (a fleet). */
export interface SettingsRows {
  all(): Array<{ key: string; value: string }>
  /** Writes every entry, atomically. */
  put(entries: Array<{ key: string; value: string }>): void
}

export function createSettingsStore(rows: SettingsRows, logger: Logger): SettingsStore {
  function read(): Settings {
    const all = rows.all()
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS }
    for (const row of all) {
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
      const entries = Object.entries(patch)
        .filter(([, value]) => value !== undefined)
        .map(([key]) => ({ key, value: JSON.stringify(next[key as keyof Settings]) }))
      rows.put(entries)
      return next
    },
  }
}

// Settings persisted as JSON values in a settings table, validated with the contract's schema on the
// way in and on the way out (a value edited by hand in the database cannot crash the app). The table is
// the SettingsRows port: sqlite-settings-rows.ts and pg-settings-rows.ts beside this file.
// The default proxy holds a password: it is stored sealed (proxy/proxy-secret.ts) with its shown form,
// and only the shown form leaves this module through get(). Main process, Electron-free.

import { SettingsSchema, type Settings } from '../../../shared/contract'
import type { Logger } from '../logger'
import type { ProxySecrets } from '../proxy/proxy-secret'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'

/**
 * maxQueuePerAccount 1,000: two days of sends at the default perDay; a queue that long means sends pile
 * up faster than the limits let out.
 *
 * staleSocketSeconds: 30. On a healthy idle connection the only frames are WhatsApp's answers to the
 * keep-alive ping Baileys sends every 30 s (keepAliveIntervalMs), so 30 s without any frame means that
 * ping went unanswered or is about to be. Probing then costs at most one extra ping per idle account
 * and interval, and finds a dead socket within 30 + 5 s (plus the 1 s check), where Baileys' own
 * keep-alive takes 35 to 65 s (docs/session-doctor.md, "Stale sockets").
 */
export const DEFAULT_SETTINGS: Settings = {
  whatsappUrl: null,
  trustedRootKey: null,
  autoStart: true,
  staleSocketSeconds: 30,
  rankingMinSamples: 100,
  auditRetentionDays: 90,
  defaultProxy: null,
  defaultLimits: DEFAULT_SEND_LIMITS,
  maxQueuePerAccount: 1000,
}

export interface SettingsStore {
  /** The settings as they may be shown: the default proxy's password as ***. */
  get(): Settings
  /** `defaultProxy` given back in its shown form keeps the stored URL. */
  set(patch: Partial<Settings>): Settings
  /** The default proxy's whole URL, for a new account; null when there is none. */
  defaultProxyUrl(): string | null
}

/** Where the settings rows live: the SQLite table, or a cached PostgreSQL table (a fleet). */
export interface SettingsRows {
  all(): Array<{ key: string; value: string }>
  /** Writes every entry, atomically. */
  put(entries: Array<{ key: string; value: string }>): void
}

/** The default proxy's row: its shown form and the whole URL sealed (base64). */
interface SealedSetting {
  shown: string
  sealed: string
}

const DEFAULT_PROXY = 'defaultProxy'

function isSealedSetting(value: unknown): value is SealedSetting {
  return typeof value === 'object' && value !== null && typeof (value as SealedSetting).shown === 'string' && typeof (value as SealedSetting).sealed === 'string'
}

export function createSettingsStore(rows: SettingsRows, logger: Logger, secrets: ProxySecrets): SettingsStore {
  function stored(): Record<string, unknown> {
    const raw: Record<string, unknown> = {}
    for (const row of rows.all()) {
      try {
        raw[row.key] = JSON.parse(row.value)
      } catch {
        logger.warn({ key: row.key }, 'ignoring a setting that is not valid JSON')
      }
    }
    return raw
  }

  function read(): Settings {
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...stored() }
    const proxy = raw[DEFAULT_PROXY]
    raw[DEFAULT_PROXY] = isSealedSetting(proxy) ? proxy.shown : null
    const parsed = SettingsSchema.safeParse(raw)
    if (parsed.success) return parsed.data
    logger.warn({ issues: parsed.error.issues.length }, 'stored settings are invalid; using the defaults')
    return DEFAULT_SETTINGS
  }

  return {
    get: read,
    set(patch) {
      const current = read()
      const next = SettingsSchema.parse({ ...current, ...patch })
      const entries = Object.entries(patch)
        .filter(([key, value]) => value !== undefined && !(key === DEFAULT_PROXY && value === current.defaultProxy))
        .map(([key]) => {
          if (key !== DEFAULT_PROXY || next.defaultProxy === null) return { key, value: JSON.stringify(next[key as keyof Settings]) }
          const sealed = secrets.seal('default', next.defaultProxy)
          const value: SealedSetting = { shown: sealed.shown, sealed: sealed.sealed.toString('base64') }
          return { key, value: JSON.stringify(value) }
        })
      if (entries.length > 0) rows.put(entries)
      return read()
    },
    defaultProxyUrl() {
      const proxy = stored()[DEFAULT_PROXY]
      return isSealedSetting(proxy) ? secrets.open('default', Buffer.from(proxy.sealed, 'base64')) : null
    },
  }
}

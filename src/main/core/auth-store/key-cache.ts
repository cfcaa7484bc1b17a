// The Signal key cache's storage: an LRU bounded by entries, with a TTL, behind Baileys' CacheStore
// interface. Main process, Electron-free. One per account (telemetry wraps it to count hits and misses).
//
// Why not Baileys' default (@cacheable/node-cache): it sizes every value byte by byte on each `set`
// (O(n²) in its visited check), ~49 µs for a 1.2 kB Buffer and over a second for one large
// app-state-sync-version value. Why not lru-cache either: it preallocates its index arrays for `max`
// entries when it is made (~80 kB for 2,000), for every account on every connection, used or not: 2.1%
// of a mass reconnect's CPU, and at 10,000 accounts most of a gigabyte. This one is a Map in recency
// order (a hit moves its key to the end, the first key is the least recently used), so an account's
// cache costs what it holds: nothing until its first key. `set` is O(1) whatever the value. Values are
// kept by reference: Baileys expects its Buffers back by identity.

import type { CacheStore } from '@whiskeysockets/baileys'

/** Baileys' own default for the Signal key cache (DEFAULT_CACHE_TTLS.SIGNAL_STORE): 5 minutes. */
export const KEY_CACHE_TTL_SECONDS = 300

/**
 * Entries one account's cache holds before it evicts the least recently used. The cache holds what was
 * read or written in the last five minutes: sessions and sender keys of active contacts, pre-keys being
 * consumed, app-state keys. 2,000 covers a busy account; a miss costs one SQLite read (~10 µs). Nothing is
 * allocated for entries an account does not use, so the bound costs nothing until it is reached.
 */
export const KEY_CACHE_MAX_ENTRIES = 2_000

export interface KeyCacheOptions {
  ttlSeconds?: number
  maxEntries?: number
  /** Clock for the TTL, in milliseconds (tests). Default: performance.now. */
  now?: () => number
}

interface Entry {
  value: unknown
  /** When it stops counting as cached (the clock's milliseconds). */
  expires: number
}

export function createLruKeyCache(options: KeyCacheOptions = {}): CacheStore {
  const max = options.maxEntries ?? KEY_CACHE_MAX_ENTRIES
  const ttlMs = (options.ttlSeconds ?? KEY_CACHE_TTL_SECONDS) * 1000
  const now = options.now ?? (() => performance.now())
  // Created on the first write: an account that never caches a key holds no Map at all.
  let entries: Map<string, Entry> | null = null
  return {
    get: <T>(key: string) => {
      const entry = entries?.get(key)
      if (!entry) return undefined
      // Expiry is checked on read, so the cache keeps no timer per entry.
      if (entry.expires <= now()) {
        entries!.delete(key)
        return undefined
      }
      // Most recently used last: delete and put back moves it to the end of the Map's order.
      entries!.delete(key)
      entries!.set(key, entry)
      // null is a real value here: a deleted key is cached as null.
      return entry.value as T
    },
    set: (key, value) => {
      entries ??= new Map()
      entries.delete(key)
      entries.set(key, { value, expires: now() + ttlMs })
      if (entries.size > max) entries.delete(entries.keys().next().value!)
    },
    del: (key) => {
      entries?.delete(key)
    },
    flushAll: () => {
      entries = null
    },
    close: () => {
      entries = null
    },
  }
}

// The Signal key cache's storage: an LRU bounded by entries, with a TTL, behind Baileys' CacheStore
// interface. Main process, Electron-free. One per account (telemetry wraps it to count hits and misses).
//
// Why not Baileys' default (@cacheable/node-cache): it sizes every value byte by byte on each `set`
// (O(n²) in its visited check), ~49 µs for a 1.2 kB Buffer and over a second for one large
// app-state-sync-version value. lru-cache bounds by entry count and never walks values, so a `set` is
// O(1) whatever the value. Values are kept by reference: Baileys expects its Buffers back by identity.

import type { CacheStore } from '@whiskeysockets/baileys'
import { LRUCache } from 'lru-cache'

/** Baileys' own default for the Signal key cache (DEFAULT_CACHE_TTLS.SIGNAL_STORE): 5 minutes. */
export const KEY_CACHE_TTL_SECONDS = 300

/**
 * Entries one account's cache holds before it evicts the least recently used. The cache holds what was
 * read or written in the last five minutes: sessions and sender keys of active contacts, pre-keys being
 * consumed, app-state keys. 2,000 covers a busy account; a miss costs one SQLite read (~10 µs). Kept
 * modest on purpose: lru-cache preallocates its index arrays (~20 bytes per entry) for every account's
 * cache, on every connection, and a process holds thousands of accounts.
 */
export const KEY_CACHE_MAX_ENTRIES = 2_000

export interface KeyCacheOptions {
  ttlSeconds?: number
  maxEntries?: number
  /** Clock for the TTL, in milliseconds (tests). Default: performance.now. */
  now?: () => number
}

export function createLruKeyCache(options: KeyCacheOptions = {}): CacheStore {
  // null is a real value here (a deleted key is cached as null); lru-cache refuses null and undefined
  // values, so every value is boxed on the way in and out.
  const cache = new LRUCache<string, { value: unknown }>({
    max: options.maxEntries ?? KEY_CACHE_MAX_ENTRIES,
    ttl: (options.ttlSeconds ?? KEY_CACHE_TTL_SECONDS) * 1000,
    // No ttlAutopurge: expiry is checked on read, so the cache keeps no timer per entry.
    ttlAutopurge: false,
    // A given clock is read on every check (lru-cache otherwise caches "now" for a millisecond).
    ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
  })
  return {
    get: <T>(key: string) => cache.get(key)?.value as T | undefined,
    set: (key, value) => {
      cache.set(key, { value })
    },
    del: (key) => {
      cache.delete(key)
    },
    flushAll: () => cache.clear(),
    close: () => cache.clear(),
  }
}

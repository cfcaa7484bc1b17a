// A Baileys CacheStore for makeCacheableSignalKeyStore that counts hits and misses per key type and
// publishes them on auth_store:cache. Main process, Electron-free. The store behind the cache only sees
// misses; this is the other half of the picture. One cache per account.

import { LRUCache } from 'lru-cache'
import type { CacheStore } from '@whiskeysockets/baileys'
import { authStoreCacheChannel } from './channels'

/** Baileys' own default for the Signal key cache (DEFAULT_CACHE_TTLS.SIGNAL_STORE): 5 minutes. */
export const KEY_CACHE_TTL_SECONDS = 300

/**
 * Entries one account's cache holds before it evicts the least recently used. A paired account holds
 * ~800 pre-keys, a few sessions per contact and a few app-state keys; 5,000 covers a busy account while
 * bounding the worst case (a 20k-entry app-state-sync-version is still one entry).
 */
export const KEY_CACHE_MAX_ENTRIES = 5_000

export interface CacheCounts {
  hits: number
  misses: number
}

export interface ObservedKeyCache extends CacheStore {
  /** Hits and misses since creation, by key type. */
  counts(): Record<string, CacheCounts>
  /** Stops the inner cache's expiry timer. */
  close(): void
}

export interface ObservedKeyCacheOptions {
  account: string
  ttlSeconds?: number
  maxEntries?: number
  /** The cache doing the storing. Default: an LRU bounded by entries with the TTL above. */
  inner?: CacheStore
}

export function createObservedKeyCache(options: ObservedKeyCacheOptions): ObservedKeyCache {
  const { account } = options
  const inner: CacheStore = options.inner ?? lruCacheStore(options.ttlSeconds ?? KEY_CACHE_TTL_SECONDS, options.maxEntries ?? KEY_CACHE_MAX_ENTRIES)
  const totals = new Map<string, CacheCounts>()

  function count(key: string, found: boolean): void {
    // makeCacheableSignalKeyStore uses `${type}.${id}`; types never contain a dot, ids may (JIDs).
    const dot = key.indexOf('.')
    const type = dot === -1 ? key : key.slice(0, dot)
    let entry = totals.get(type)
    if (!entry) {
      entry = { hits: 0, misses: 0 }
      totals.set(type, entry)
    }
    if (found) entry.hits += 1
    else entry.misses += 1
    if (authStoreCacheChannel.hasSubscribers) {
      authStoreCacheChannel.publish({ account, type, hits: found ? 1 : 0, misses: found ? 0 : 1 })
    }
  }

  return {
    get<T>(key: string): T | undefined | Promise<T> {
      const result = inner.get<T>(key)
      if (result instanceof Promise) {
        return result.then((value) => {
          count(key, value !== undefined)
          return value
        })
      }
      // Baileys counts anything but undefined as cached (a deleted key is cached as null), and so do we.
      count(key, result !== undefined)
      return result
    },
    set: (key, value) => inner.set(key, value),
    del: (key) => inner.del(key),
    flushAll: () => inner.flushAll(),
    counts: () => Object.fromEntries([...totals].map(([type, c]) => [type, { ...c }])),
    close: () => inner.close?.(),
  }
}

/**
 * Why not Baileys' default (@cacheable/node-cache): it sizes every value byte by byte on each `set`
 * (O(n²) in its visited check), ~49 µs for a 1.2 kB Buffer and over a second for one large
 * app-state-sync-version value. lru-cache bounds by entry count and never walks values, so a `set` is
 * O(1) whatever the value. Values are kept by reference: Baileys expects its Buffers back by identity.
 */
function lruCacheStore(ttlSeconds: number, maxEntries: number): CacheStore {
  // null is a real value here (Baileys caches a deleted key as null); lru-cache refuses null and
  // undefined, so null is boxed on the way in and out.
  const cache = new LRUCache<string, { value: unknown }>({ max: maxEntries, ttl: ttlSeconds * 1000, ttlAutopurge: false })
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

// A Baileys CacheStore for makeCacheableSignalKeyStore that counts hits and misses per key type and
// publishes them on auth_store:cache. Main process, Electron-free. The store behind the cache only sees
// misses; this is the other half of the picture. One cache per account.

import type { CacheStore } from '@whiskeysockets/baileys'
import { createLruKeyCache, type KeyCacheOptions } from '../auth-store/key-cache'
import { authStoreCacheChannel } from './channels'

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

export interface ObservedKeyCacheOptions extends KeyCacheOptions {
  account: string
  /** The cache doing the storing. Default: the LRU key cache (auth-store/key-cache). */
  inner?: CacheStore
}

export function createObservedKeyCache(options: ObservedKeyCacheOptions): ObservedKeyCache {
  const { account } = options
  const inner: CacheStore = options.inner ?? createLruKeyCache(options)
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

// A Signal key store with a cache in front, for Baileys' `state.keys`. Main process, Electron-free.
// It does what Baileys' makeCacheableSignalKeyStore does (reads hit the cache first and fill it from
// the store; writes go to the cache and then the store; `null` is cached as a deletion), without its
// process-wide async mutex and its await per cached key: on the write path those cost more than the
// cache saves (measured by `npm run bench:store`, as-app path).
//
// Why no mutex is needed for coherence: a write puts its values into the cache synchronously, before
// its store write starts; a read that missed fills the cache only where the key is still absent, so it
// never puts back a value that a write made meanwhile stale. Baileys serialises writes per key type
// itself (addTransactionCapability), so store writes do not overtake each other.

import type { CacheStore, SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys'

const cacheKey = (type: string, id: string): string => `${type}.${id}`

export function makeCachedKeyStore(store: SignalKeyStore, cache: CacheStore): SignalKeyStore {
  return {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {}
      let missing: string[] | undefined
      for (const id of ids) {
        const cached = cache.get<SignalDataTypeMap[T] | null>(cacheKey(type, id))
        const item = cached instanceof Promise ? await cached : cached
        if (item === undefined) (missing ??= []).push(id)
        else if (item !== null) found[id] = item
      }
      if (missing) {
        const fetched = await store.get(type, missing)
        for (const id of missing) {
          const item = fetched[id]
          if (!item) continue
          found[id] = item
          const key = cacheKey(type, id)
          const current = cache.get(key)
          if ((current instanceof Promise ? await current : current) === undefined) await cache.set(key, item)
        }
      }
      return found
    },

    async set(data: SignalDataSet) {
      for (const type in data) {
        const entries = data[type as keyof SignalDataSet]
        if (!entries) continue
        for (const id in entries) {
          const done = cache.set(cacheKey(type, id), entries[id] ?? null)
          if (done instanceof Promise) await done
        }
      }
      await store.set(data)
    },

    async clear() {
      await cache.flushAll()
      await store.clear?.()
    },
  }
}

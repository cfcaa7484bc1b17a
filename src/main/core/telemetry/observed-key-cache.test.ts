import { describe, expect, it } from 'vitest'
import diagnosticsChannel from 'node:diagnostics_channel'
import { AUTH_STORE_CACHE } from './channels'
import { createObservedKeyCache } from './observed-key-cache'

describe('observed key cache', () => {
  it('returns values by identity, keeps a deleted key as null, and tells a miss apart', async () => {
    const cache = createObservedKeyCache({ account: 'acct-a' })
    const value = Buffer.from('session record')
    cache.set('session.123@s.whatsapp.net', value)
    cache.set('pre-key.7', null)
    expect(await cache.get('session.123@s.whatsapp.net')).toBe(value)
    expect(await cache.get('pre-key.7')).toBeNull()
    expect(await cache.get('pre-key.8')).toBeUndefined()
    expect(cache.counts()).toEqual({ session: { hits: 1, misses: 0 }, 'pre-key': { hits: 1, misses: 1 } })
    cache.del('session.123@s.whatsapp.net')
    expect(await cache.get('session.123@s.whatsapp.net')).toBeUndefined()
  })

  it('never walks a value on set (no per-write sizing), so a large value costs what a small one does', () => {
    // A value that counts every property read: Baileys' old default cache sized values byte by byte.
    let reads = 0
    const large = new Proxy(
      Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`index-${i}`, { valueMac: Buffer.alloc(32) }])),
      {
        get(target, key, receiver) {
          reads += 1
          return Reflect.get(target, key, receiver) as unknown
        },
        ownKeys(target) {
          reads += 1
          return Reflect.ownKeys(target)
        },
      },
    )
    const cache = createObservedKeyCache({ account: 'acct-b' })
    cache.set('app-state-sync-version.critical_block', large)
    expect(reads).toBe(0)
  })

  it('is bounded by entries: the least recently used goes first', async () => {
    const cache = createObservedKeyCache({ account: 'acct-c', maxEntries: 3 })
    for (const id of ['1', '2', '3']) cache.set(`pre-key.${id}`, Buffer.from(id))
    await cache.get('pre-key.1')
    cache.set('pre-key.4', Buffer.from('4'))
    expect(await cache.get('pre-key.2')).toBeUndefined()
    expect(await cache.get('pre-key.1')).toBeDefined()
    expect(await cache.get('pre-key.4')).toBeDefined()
  })

  it('forgets entries after the TTL, on the clock it is given', async () => {
    let now = 1_000
    const cache = createObservedKeyCache({ account: 'acct-d', ttlSeconds: 300, now: () => now })
    cache.set('session.1', Buffer.from('x'))
    now += 299_000
    expect(await cache.get('session.1')).toBeDefined()
    now += 2_000
    expect(await cache.get('session.1')).toBeUndefined()
  })

  it('publishes hits and misses per key type on the cache channel', async () => {
    const seen: unknown[] = []
    const listener = (message: unknown): void => void seen.push(message)
    diagnosticsChannel.subscribe(AUTH_STORE_CACHE, listener)
    try {
      const cache = createObservedKeyCache({ account: 'acct-e' })
      cache.set('sender-key.g1::a::0', Buffer.from('k'))
      await cache.get('sender-key.g1::a::0')
      await cache.get('sender-key.missing')
    } finally {
      diagnosticsChannel.unsubscribe(AUTH_STORE_CACHE, listener)
    }
    expect(seen).toEqual([
      { account: 'acct-e', type: 'sender-key', hits: 1, misses: 0 },
      { account: 'acct-e', type: 'sender-key', hits: 0, misses: 1 },
    ])
  })
})

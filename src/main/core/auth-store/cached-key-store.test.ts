import type { SignalDataSet, SignalKeyStore } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { makeCachedKeyStore } from './cached-key-store'
import { createLruKeyCache } from './key-cache'

/** A store that records what reaches it and can hold a read until the test releases it. */
function recordingStore() {
  const rows = new Map<string, unknown>()
  const reads: string[][] = []
  let hold: Promise<void> | null = null
  const store: SignalKeyStore = {
    async get(type, ids) {
      reads.push(ids)
      const snapshot = Object.fromEntries(ids.filter((id) => rows.has(`${type}.${id}`)).map((id) => [id, rows.get(`${type}.${id}`)]))
      if (hold) await hold
      return snapshot as never
    },
    async set(data: SignalDataSet) {
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null) rows.delete(`${type}.${id}`)
          else rows.set(`${type}.${id}`, value)
        }
      }
    },
  }
  return {
    store,
    rows,
    reads,
    holdReads() {
      let release!: () => void
      hold = new Promise((resolve) => (release = resolve))
      return () => {
        hold = null
        release()
      }
    },
  }
}

describe('cached key store', () => {
  it('reads through once, then from the cache; the store sees only misses', async () => {
    const backing = recordingStore()
    backing.rows.set('session.a', Buffer.from('A'))
    const keys = makeCachedKeyStore(backing.store, createLruKeyCache())
    expect(await keys.get('session', ['a', 'b'])).toEqual({ a: Buffer.from('A') })
    expect(await keys.get('session', ['a'])).toEqual({ a: Buffer.from('A') })
    expect(backing.reads).toEqual([['a', 'b']])
  })

  it('writes to the cache and the store; a deletion is cached as absent, not fetched again', async () => {
    const backing = recordingStore()
    const keys = makeCachedKeyStore(backing.store, createLruKeyCache())
    await keys.set({ 'pre-key': { '1': { public: Buffer.from('p'), private: Buffer.from('q') } } })
    expect(backing.rows.has('pre-key.1')).toBe(true)
    await keys.set({ 'pre-key': { '1': null } })
    expect(backing.rows.has('pre-key.1')).toBe(false)
    expect(await keys.get('pre-key', ['1'])).toEqual({})
    expect(backing.reads).toEqual([])
  })

  it('never lets a slow read put back a value that a write made stale meanwhile', async () => {
    const backing = recordingStore()
    backing.rows.set('session.a', Buffer.from('old'))
    const keys = makeCachedKeyStore(backing.store, createLruKeyCache())
    const release = backing.holdReads()
    const slowRead = keys.get('session', ['a'])
    await keys.set({ session: { a: Buffer.from('new') } })
    release()
    // The read began before the write, so it may answer with the old value; the cache must not keep it.
    expect((await slowRead).a).toEqual(Buffer.from('old'))
    expect(await keys.get('session', ['a'])).toEqual({ a: Buffer.from('new') })
  })

  it('clear empties the cache and the store', async () => {
    const backing = recordingStore()
    let cleared = false
    const keys = makeCachedKeyStore({ ...backing.store, clear: async () => void (cleared = true) }, createLruKeyCache())
    await keys.set({ session: { a: Buffer.from('A') } })
    await keys.clear!()
    backing.rows.clear()
    expect(cleared).toBe(true)
    expect(await keys.get('session', ['a'])).toEqual({})
  })
})

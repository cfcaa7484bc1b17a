import { afterEach, describe, expect, it } from 'vitest'
import { makeCacheableSignalKeyStore, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys'
import { ALL_ACCOUNTS, type TelemetryAggregator, createTelemetryAggregator } from './aggregator'
import { type AuthStoreReq, authStoreCacheChannel, authStoreStopChannel } from './channels'
import { HISTOGRAM_RELATIVE_ERROR } from './histogram'
import { createObservedKeyCache } from './observed-key-cache'

const T0 = 1_700_000_000_000 // a whole second, in ms

function fakeClock(start = T0) {
  let ms = start
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) }
}

function stop(account: string, req: AuthStoreReq, durationNs: number, result: 'ok' | 'error' = 'ok') {
  authStoreStopChannel.publish({ req, account, result, durationNs })
}

const open: TelemetryAggregator[] = []
function aggregator(options: Parameters<typeof createTelemetryAggregator>[0]) {
  const agg = createTelemetryAggregator(options)
  open.push(agg)
  return agg
}
afterEach(() => {
  for (const agg of open.splice(0)) agg.dispose()
})

describe('telemetry aggregator', () => {
  it('counts ops and errors per account and per req, and across accounts', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    stop('a', 'keys_get', 1000)
    stop('a', 'keys_get', 3000, 'error')
    stop('a', 'keys_set', 5000)
    stop('b', 'keys_get', 7000)

    const a = agg.snapshot('a')
    expect(a.byReq.keys_get).toMatchObject({ count: 2, errors: 1, maxNs: 3000 })
    expect(a.byReq.keys_set).toMatchObject({ count: 1, errors: 0, maxNs: 5000 })
    expect(a.byReq.load_creds.count).toBe(0)
    expect(a.total).toMatchObject({ count: 3, errors: 1, maxNs: 5000 })
    const all = agg.snapshot()
    expect(all.account).toBe(ALL_ACCOUNTS)
    expect(all.byReq.keys_get).toMatchObject({ count: 3, errors: 1, maxNs: 7000 })
    expect(agg.accounts().sort()).toEqual(['a', 'b'])
  })

  it('reports percentiles of a known distribution within the histogram error', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    // 1..10000 µs, spread over 10 seconds so the window merge is exercised too.
    for (let i = 1; i <= 10_000; i++) {
      if (i % 1000 === 0) clock.advance(1)
      stop('a', 'keys_get', i * 1000)
    }
    const s = agg.snapshot('a').byReq.keys_get
    expect(s.count).toBe(10_000)
    expect(s.maxNs).toBe(10_000_000)
    for (const [got, exact] of [[s.p50Ns, 5_000_000], [s.p95Ns, 9_500_000], [s.p99Ns, 9_900_000]] as const) {
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * HISTOGRAM_RELATIVE_ERROR)
    }
  })

  it('keeps one point per finished second, merging req types when asked', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    stop('a', 'keys_get', 100)
    stop('a', 'keys_set', 300)
    clock.advance(2)
    stop('a', 'keys_get', 200, 'error')
    // The current second is still open: only the first point is finished.
    expect(agg.series('a', 'keys_get')).toEqual([{ t: T0 / 1000, count: 1, errors: 0, p50Ns: 100, p95Ns: 100, p99Ns: 100, maxNs: 100 }])
    clock.advance(1)
    const merged = agg.series('a')
    expect(merged.map((p) => [p.t, p.count, p.errors, p.maxNs])).toEqual([
      [T0 / 1000, 2, 0, 300],
      [T0 / 1000 + 2, 1, 1, 200],
    ])
    expect(agg.series('a', 'keys_get', 1)).toHaveLength(1)
  })

  it('drops seconds older than the 15-minute window', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    stop('a', 'keys_get', 1000)
    clock.advance(600)
    stop('a', 'keys_get', 2000)
    clock.advance(299)
    expect(agg.snapshot('a').byReq.keys_get.count).toBe(2)
    clock.advance(1) // the first op is now exactly 900 s old: out
    expect(agg.snapshot('a').byReq.keys_get).toMatchObject({ count: 1, maxNs: 2000 })
    expect(agg.series('a', 'keys_get').map((p) => p.t)).toEqual([T0 / 1000 + 600])
    clock.advance(600)
    expect(agg.snapshot('a').byReq.keys_get.count).toBe(0)
    expect(agg.snapshot().byReq.keys_get.count).toBe(0)
    // An account with nothing left in the window is forgotten by itself.
    expect(agg.accounts()).toEqual([])
  })

  it('keeps memory bounded by the window, whatever the op rate (1e6 ops)', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    const started = performance.now()
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 500 === 0) clock.advance(1) // 2000 simulated seconds, more than twice the window
      stop('a', i % 2 ? 'keys_get' : 'keys_set', 1000 + ((i * 7919) % 5_000_000))
    }
    const elapsedMs = performance.now() - started
    agg.tick()
    const memory = agg.memory()
    // 'a' and '*', each 4 req series of at most 900 one-second slots.
    expect(memory.accounts).toBe(1)
    expect(memory.slots).toBeLessThanOrEqual(2 * 4 * 900)
    expect(memory.sparseEntries).toBeLessThanOrEqual(2 * 4 * 900 * 592)
    // The window is the current second and the 899 before it, 500 ops each.
    expect(agg.snapshot('a').total.count).toBe(900 * 500)
    // Recording is meant to run always: well under a microsecond or two per op even here.
    expect(elapsedMs).toBeLessThan(5000)
  })

  it('tick returns what finished since the previous tick, once', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    stop('a', 'load_creds', 10)
    authStoreCacheChannel.publish({ account: 'a', type: 'session', hits: 1, misses: 0 })
    expect(agg.tick().points).toEqual([]) // that second is not over yet
    clock.advance(1)
    const first = agg.tick()
    expect(first.to).toBe(T0 / 1000)
    expect(first.points.map((p) => [p.account, p.req, p.t, p.count])).toEqual([
      [ALL_ACCOUNTS, 'load_creds', T0 / 1000, 1],
      ['a', 'load_creds', T0 / 1000, 1],
    ])
    expect(first.cache).toEqual([
      { account: ALL_ACCOUNTS, t: T0 / 1000, hits: 1, misses: 0 },
      { account: 'a', t: T0 / 1000, hits: 1, misses: 0 },
    ])
    clock.advance(1)
    expect(agg.tick()).toMatchObject({ points: [], cache: [] })
  })

  it('forget drops an account; dispose unsubscribes', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    stop('a', 'keys_get', 10)
    agg.forget('a')
    expect(agg.snapshot('a').total.count).toBe(0)
    expect(agg.snapshot().total.count).toBe(1)
    expect(authStoreStopChannel.hasSubscribers).toBe(true)
    agg.dispose()
    expect(authStoreStopChannel.hasSubscribers).toBe(false)
    expect(authStoreCacheChannel.hasSubscribers).toBe(false)
    stop('a', 'keys_get', 10)
    expect(agg.snapshot().total.count).toBe(1)
  })
})

describe('observed key cache in front of a real makeCacheableSignalKeyStore', () => {
  function memoryKeyStore() {
    const data = new Map<string, unknown>()
    const calls: Array<[string, string[]]> = []
    const store: SignalKeyStore = {
      async get(type, ids) {
        calls.push([type, ids])
        const out: { [id: string]: SignalDataTypeMap[typeof type] } = {}
        for (const id of ids) {
          const v = data.get(`${type}.${id}`)
          if (v !== undefined) out[id] = v as SignalDataTypeMap[typeof type]
        }
        return out
      },
      async set(values) {
        for (const [type, byId] of Object.entries(values)) {
          for (const [id, v] of Object.entries(byId ?? {})) {
            if (v === null) data.delete(`${type}.${id}`)
            else data.set(`${type}.${id}`, v)
          }
        }
      },
    }
    return { store, calls }
  }

  it('counts hits and misses per key type, on the channel and in the aggregator', async () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    const { store, calls } = memoryKeyStore()
    const cache = createObservedKeyCache({ account: 'acct-1' })
    const keys = makeCacheableSignalKeyStore(store, undefined, cache)

    const session = new Uint8Array([1, 2, 3])
    await store.set({ session: { '123@s.whatsapp.net.0': session } })
    // Cold: both ids miss and reach the store.
    expect(await keys.get('session', ['123@s.whatsapp.net.0', '456.1'])).toEqual({ '123@s.whatsapp.net.0': session })
    expect(calls).toEqual([['session', ['123@s.whatsapp.net.0', '456.1']]])
    // Warm: the found id hits; the absent one misses again (Baileys caches only found values).
    await keys.get('session', ['123@s.whatsapp.net.0', '456.1'])
    // Written through the cache: a hit without touching the store.
    await keys.set({ 'pre-key': { 7: { public: new Uint8Array(32), private: new Uint8Array(32) } } })
    await keys.get('pre-key', ['7'])

    expect(cache.counts()).toEqual({ session: { hits: 1, misses: 3 }, 'pre-key': { hits: 1, misses: 0 } })
    expect(calls.map(([type, ids]) => `${type}:${ids.join(',')}`)).toEqual([
      'session:123@s.whatsapp.net.0,456.1',
      'session:456.1',
    ])
    const snap = agg.snapshot('acct-1').cache
    expect(snap).toMatchObject({ hits: 2, misses: 3 })
    expect(snap.byType).toEqual({
      session: { hits: 1, misses: 3, hitRatio: 0.25 },
      'pre-key': { hits: 1, misses: 0, hitRatio: 1 },
    })
    clock.advance(1)
    expect(agg.cacheSeries('acct-1')).toEqual([{ t: T0 / 1000, hits: 2, misses: 3 }])
    cache.close()
  })

  it('publishes nothing with no subscriber, and still counts', async () => {
    expect(authStoreCacheChannel.hasSubscribers).toBe(false)
    const cache = createObservedKeyCache({ account: 'acct-2' })
    const keys = makeCacheableSignalKeyStore(memoryKeyStore().store, undefined, cache)
    await keys.get('session', ['x'])
    expect(cache.counts()).toEqual({ session: { hits: 0, misses: 1 } })
    cache.close()
  })
})

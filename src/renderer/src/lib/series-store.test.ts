import { describe, expect, it } from 'vitest'
import type { CachePoint, SeriesPoint, StoreRequest } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { cacheColumns, latencyColumns, MIN_LATENCY_MS, rangeLabel, throughputColumns } from './chart-data'
import { emptySeriesStore, mergeSeries, WINDOW_SECONDS } from './series-store'

const A = 'acc-a' as AccountId

function point(t: number, req: StoreRequest = 'keys_get', p50 = 1): SeriesPoint {
  return { t, account: A, req, count: 2, errors: 0, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 }
}

function cache(t: number, hits: number, misses: number): CachePoint {
  return { t, account: A, hits, misses }
}

describe('mergeSeries', () => {
  it('appends in order and replaces a second it already holds', () => {
    let store = mergeSeries(emptySeriesStore(), [point(10), point(11)], [], 11)
    store = mergeSeries(store, [point(11, 'keys_get', 5), point(12)], [], 12)
    expect(store.latency.keys_get.map((p) => [p.t, p.p50])).toEqual([
      [10, 1],
      [11, 5],
      [12, 1],
    ])
    expect(store.latest).toBe(12)
  })

  it('puts an out-of-order second in its place', () => {
    const store = mergeSeries(mergeSeries(emptySeriesStore(), [point(10), point(13)], [], 13), [point(11)], [], 13)
    expect(store.latency.keys_get.map((p) => p.t)).toEqual([10, 11, 13])
  })

  it('keeps the arrays a tick did not touch', () => {
    const before = mergeSeries(emptySeriesStore(), [point(10, 'keys_set')], [cache(10, 1, 1)], 10)
    const after = mergeSeries(before, [point(11, 'keys_get')], [], 11)
    expect(after.latency.keys_set).toBe(before.latency.keys_set)
    expect(after.cache).toBe(before.cache)
    expect(after).not.toBe(before)
  })

  it('stays bounded: a week of ticks holds one window at most', () => {
    let store = emptySeriesStore()
    const start = 1_000_000
    for (let t = start; t < start + 7 * WINDOW_SECONDS; t++) {
      store = mergeSeries(store, [point(t), point(t, 'keys_set')], [cache(t, 3, 1)], t)
    }
    expect(store.latency.keys_get.length).toBeLessThanOrEqual(WINDOW_SECONDS)
    expect(store.latency.keys_set.length).toBeLessThanOrEqual(WINDOW_SECONDS)
    expect(store.cache.length).toBeLessThanOrEqual(WINDOW_SECONDS)
    expect(store.latency.keys_get[0]!.t).toBeGreaterThan(store.latest - WINDOW_SECONDS)
  })

  it('drops old points once time moves on, even with no new ones', () => {
    const store = mergeSeries(emptySeriesStore(), [point(100)], [cache(100, 1, 0)], 100)
    const later = mergeSeries(store, [], [], 100 + WINDOW_SECONDS + 1)
    expect(later.latency.keys_get).toEqual([])
    expect(later.cache).toEqual([])
  })
})

describe('chart columns', () => {
  const now = 2_000_000
  const store = mergeSeries(emptySeriesStore(), [point(now - 3, 'keys_get', 2), point(now - 3, 'keys_set', 4), point(now - 1)], [cache(now - 2, 3, 1), cache(now - 1, 0, 0)], now)

  it('spans every second of the window, with gaps where nothing happened', () => {
    const { columns, points } = latencyColumns(store, 'keys_get', now)
    expect(columns[0]).toHaveLength(WINDOW_SECONDS)
    expect(columns[0].at(-1)).toBe(now - 1)
    expect(points).toBe(2)
    expect(columns[1]!.at(-3)).toBe(2)
    expect(columns[1]!.at(-2)).toBeNull()
    expect(columns[3]!.at(-3)).toBe(6)
  })

  it('adds request types together for throughput, zero when quiet', () => {
    const { columns, points } = throughputColumns(store, now)
    expect(columns[1]!.at(-3)).toBe(4)
    expect(columns[1]!.at(-2)).toBe(0)
    expect(points).toBe(2)
  })

  it('gives the hit ratio in percent and no value for a second without lookups', () => {
    const { columns, points } = cacheColumns(store, now)
    expect(columns[1]!.at(-2)).toBe(75)
    expect(columns[1]!.at(-1)).toBeNull()
    expect(points).toBe(1)
  })

  it('covers only the chosen range (1, 5 or 15 min) and names it', () => {
    const old = mergeSeries(store, [point(now - 120)], [], now)
    const minute = latencyColumns(old, 'keys_get', now, 60)
    expect(minute.columns[0]).toHaveLength(60)
    expect(minute.columns[0][0]).toBe(now - 60)
    expect(minute.points).toBe(2)
    expect(latencyColumns(old, 'keys_get', now, 300).points).toBe(3)
    expect(throughputColumns(old, now, 60).columns[0]).toHaveLength(60)
    expect(cacheColumns(old, now, 300).columns[0]).toHaveLength(300)
    expect([60, 300, 900].map(rangeLabel)).toEqual(['last 1 min', 'last 5 min', 'last 15 min'])
    expect(rangeLabel(1)).toBe('last 1 s')
  })

  it('floors latencies for the log axis instead of drawing zero', () => {
    const zero = mergeSeries(emptySeriesStore(), [point(now - 1, 'keys_get', 0)], [], now)
    const { columns } = latencyColumns(zero, 'keys_get', now, 60)
    expect(columns[1]!.at(-1)).toBe(MIN_LATENCY_MS)
    expect(columns[3]!.at(-1)).toBe(MIN_LATENCY_MS)
  })
})

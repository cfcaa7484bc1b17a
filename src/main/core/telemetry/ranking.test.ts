// The aggregation behind the outlier ranking and the per-view ticks: stats over a chosen part
// of the window, every account in one pass, and ticks that carry only the accounts someone watches.

import { afterEach, describe, expect, it } from 'vitest'
import { ALL_ACCOUNTS, type TelemetryAggregator, createTelemetryAggregator } from './aggregator'
import { type AuthStoreReq, authStoreCacheChannel, authStoreStopChannel } from './channels'
import { HISTOGRAM_RELATIVE_ERROR } from './histogram'

const T0 = 1_700_000_000_000

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

function near(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * HISTOGRAM_RELATIVE_ERROR + 1)
}

describe('window stats over part of the window', () => {
  it('counts only the last N seconds, the open one included', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    // Ten minutes ago: one slow op. Then one fast op a second for the last 30 s.
    stop('a', 'keys_get', 40_000_000)
    clock.advance(600)
    for (let i = 0; i < 30; i++) {
      stop('a', i % 2 ? 'keys_get' : 'keys_set', 50_000)
      clock.advance(1)
    }
    stop('a', 'keys_get', 60_000) // the open second

    const lastMinute = agg.windowStats('a', 60)
    expect(lastMinute.count).toBe(31)
    near(lastMinute.p99Ns, 60_000)
    expect(lastMinute.maxNs).toBe(60_000)
    const whole = agg.windowStats('a', 900)
    expect(whole.count).toBe(32)
    expect(whole.maxNs).toBe(40_000_000)
    // The snapshot agrees with windowStats on the same range, and says which range it covers.
    const snap = agg.snapshot('a', 60)
    expect(snap.windowSeconds).toBe(60)
    expect(snap.total.count).toBe(31)
    expect(snap.byReq.keys_get.count + snap.byReq.keys_set.count).toBe(31)
    expect(agg.snapshot('a').windowSeconds).toBe(900)
    // '*' sees the same ops.
    expect(agg.windowStats(ALL_ACCOUNTS, 60).count).toBe(31)
  })

  it('gives zeros for an unknown account and refuses a range that is not a positive integer', () => {
    const agg = aggregator({ now: fakeClock().now })
    expect(agg.windowStats('nobody', 60)).toEqual({ count: 0, errors: 0, p50Ns: 0, p95Ns: 0, p99Ns: 0, maxNs: 0 })
    stop('a', 'keys_get', 10)
    expect(() => agg.windowStats('a', 0)).toThrow(RangeError)
    expect(() => agg.snapshot('a', 1.5)).toThrow(RangeError)
  })

  it('counts cache lookups of the range only', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    authStoreCacheChannel.publish({ account: 'a', type: 'session', hits: 5, misses: 5 })
    clock.advance(120)
    authStoreCacheChannel.publish({ account: 'a', type: 'session', hits: 3, misses: 1 })
    expect(agg.snapshot('a', 60).cache).toMatchObject({ hits: 3, misses: 1, hitRatio: 0.75 })
    expect(agg.snapshot('a', 300).cache).toMatchObject({ hits: 8, misses: 6 })
  })
})

describe('ranking stats', () => {
  it('gives every account with ops in the range, and the slow one has the highest p99', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    for (let s = 0; s < 20; s++) {
      for (let n = 0; n < 50; n++) stop(`acct-${n}`, 'keys_get', n === 17 ? 40_000_000 : 50_000)
      stop('acct-3', 'keys_set', 60_000, 'error')
      clock.advance(1)
    }
    // An account busy only long ago is in the 15-minute ranking, not in the 1-minute one.
    stop('old', 'keys_get', 10)
    clock.advance(200)
    stop('acct-0', 'keys_get', 50_000)

    const minute = agg.rankingStats(60)
    expect(minute.map((r) => r.account)).toEqual(['acct-0'])
    const rows = agg.rankingStats(900)
    expect(rows).toHaveLength(51)
    expect(rows.some((r) => r.account === ALL_ACCOUNTS)).toBe(false)
    const worst = [...rows].sort((a, b) => b.p99Ns - a.p99Ns)[0]!
    expect(worst.account).toBe('acct-17')
    near(worst.p99Ns, 40_000_000)
    const errors = [...rows].sort((a, b) => b.errors - a.errors)[0]!
    expect(errors).toMatchObject({ account: 'acct-3', errors: 20, count: 40 })
    expect(rows.find((r) => r.account === 'acct-0')?.count).toBe(21)
  })
})

describe('ticks carry the aggregate always and an account only when included', () => {
  it('filters accounts, keeps their points for series(), and stays the same size with more accounts', () => {
    const clock = fakeClock()
    const agg = aggregator({ now: clock.now })
    const sizes: number[] = []
    for (const accounts of [10, 500]) {
      for (let n = 0; n < accounts; n++) {
        stop(`acct-${n}`, 'keys_get', 50_000)
        stop(`acct-${n}`, 'keys_set', 70_000)
        authStoreCacheChannel.publish({ account: `acct-${n}`, type: 'session', hits: 1, misses: 0 })
      }
      clock.advance(1)
      const tick = agg.tick((account) => account === 'acct-7')
      expect(new Set(tick.points.map((p) => p.account))).toEqual(new Set([ALL_ACCOUNTS, 'acct-7']))
      expect(new Set(tick.cache.map((p) => p.account))).toEqual(new Set([ALL_ACCOUNTS, 'acct-7']))
      expect(tick.points.find((p) => p.account === ALL_ACCOUNTS && p.req === 'keys_get')?.count).toBe(accounts)
      sizes.push(JSON.stringify(tick).length)
    }
    expect(sizes[1]).toBeLessThan(sizes[0]! * 1.2)
    // Left out of the tick, not lost: the account's history is still there when a view asks for it.
    expect(agg.series('acct-300', 'keys_get')).toHaveLength(1)
    // Without a filter every account comes along, as before.
    stop('acct-1', 'keys_get', 10)
    clock.advance(1)
    expect(agg.tick().points.map((p) => p.account).sort()).toEqual([ALL_ACCOUNTS, 'acct-1'])
  })
})

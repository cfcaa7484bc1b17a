// Telemetry as the app uses it: instruments stores, gives each account an observed key cache, runs the
// aggregator, and turns its figures into the contract's shapes (milliseconds) and a ~1 Hz batched
// `telemetry:tick` event. Main process, Electron-free.

import type { CacheStore } from '@whiskeysockets/baileys'
import {
  STORE_REQUESTS,
  type KeyCountOverview,
  type LatencyStats,
  type StoreRequest,
  type TelemetryRanking,
  type TelemetrySeries,
  type TelemetrySnapshot,
} from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { AuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { ALL_ACCOUNTS, createTelemetryAggregator, type LatencyStats as NsStats } from './aggregator'
import { instrumentStore } from './instrument-store'
import { holdLoopDelaySampler } from './loop-delay'
import { createKeyCountIndex, type KeyCountIndex, type KeyCountSource } from './key-counts'
import { createObservedKeyCache, type ObservedKeyCache } from './observed-key-cache'
import { createWatchers } from './watchers'

export interface Telemetry {
  instrument<T extends AuthStore>(store: T): T
  /**
   * A fresh key cache for an account's next connection. Fresh on purpose: after a logout cleared the
   * store, a reused cache would hand Baileys the deleted keys for up to five minutes.
   */
  keyCache(account: AccountId): CacheStore
  snapshot(account: AccountId | null, windowSeconds?: number): TelemetrySnapshot
  series(account: AccountId | null, req: StoreRequest | null, sinceSeconds: number): TelemetrySeries
  /** Every account with operations in the last `windowSeconds`, unsorted. */
  ranking(windowSeconds: number): TelemetryRanking
  /** Ticks carry these accounts' points for `client` until its lease (returned, seconds) lapses. */
  watch(client: string, accounts: readonly AccountId[]): number
  /** Where key counts come from; set once the session manager exists. */
  useKeySource(source: KeyCountSource): void
  /** Where the ranking's decryption failures come from (the doctor): per account, over a window in seconds. */
  useDecryptFailures(source: (windowSeconds: number) => ReadonlyMap<AccountId, number>): void
  keyCounts(): Promise<KeyCountOverview>
  forget(account: AccountId): void
  dispose(): void
}

const NS_PER_MS = 1e6

export function createTelemetry(options: { events: EventBus; logger: Logger; now?: () => number; tickMs?: number }): Telemetry {
  const aggregator = createTelemetryAggregator(options.now ? { now: options.now } : {})
  // The loop's delay beside the store's latency (loop-delay.ts); released in dispose().
  const releaseLoopSampler = holdLoopDelaySampler()
  const caches = new Map<AccountId, ObservedKeyCache>()
  const watchers = createWatchers(options.now ? { now: options.now } : {})
  let keyCounts: KeyCountIndex | null = null
  let decryptFailures: (windowSeconds: number) => ReadonlyMap<AccountId, number> = () => new Map()
  const stopTicks = aggregator.onTick(
    (tick) => {
      options.events.emit('telemetry:tick', {
        t: tick.to,
        points: tick.points.map((point) => ({ ...toMs(point), t: point.t, account: point.account as AccountId, req: point.req })),
        cache: tick.cache.map((point) => ({ t: point.t, account: point.account as AccountId, hits: point.hits, misses: point.misses })),
      })
    },
    options.tickMs ?? 1000,
    watchers.isWatched,
  )

  return {
    instrument: instrumentStore,

    keyCache(account) {
      caches.get(account)?.close()
      const cache = createObservedKeyCache({ account })
      caches.set(account, cache)
      return cache
    },

    snapshot(account, windowSeconds) {
      const scope = account ?? ALL_ACCOUNTS
      const figures = aggregator.snapshot(scope, windowSeconds)
      const requests = Object.fromEntries(STORE_REQUESTS.map((req) => [req, toMs(figures.byReq[req])])) as Record<StoreRequest, LatencyStats>
      // Over the same window as every other figure here, so the tile and the table never disagree.
      return {
        account,
        windowSeconds: figures.windowSeconds,
        requests,
        opsPerSecond: figures.total.count / figures.windowSeconds,
        cache: { hits: figures.cache.hits, misses: figures.cache.misses, hitRatio: figures.cache.hitRatio },
        loopDelay: toMs(figures.loopDelay),
      }
    },

    series(account, req, sinceSeconds) {
      const scope = account ?? ALL_ACCOUNTS
      const reqs = req ? [req] : STORE_REQUESTS
      return {
        points: reqs.flatMap((r) =>
          aggregator.series(scope, r, sinceSeconds).map((point) => ({ ...toMs(point), t: point.t, account: scope as AccountId, req: r })),
        ),
        cache: aggregator.cacheSeries(scope, sinceSeconds).map((point) => ({ ...point, account: scope as AccountId })),
      }
    },

    ranking(windowSeconds) {
      const failures = decryptFailures(windowSeconds)
      const rows = aggregator.rankingStats(windowSeconds).map((row) => ({
        ...toMs(row),
        account: row.account as AccountId,
        opsPerSecond: row.count / windowSeconds,
        decryptFailures: failures.get(row.account as AccountId) ?? 0,
      }))
      // An account whose failures came without store operations in the window still ranks by them.
      const ranked = new Set(rows.map((row) => row.account))
      for (const [account, count] of failures) {
        if (!ranked.has(account)) rows.push({ ...toMs(EMPTY_STATS), account, opsPerSecond: 0, decryptFailures: count })
      }
      return { windowSeconds, rows }
    },

    watch(client, accounts) {
      return watchers.watch(client, accounts)
    },

    useDecryptFailures(source) {
      decryptFailures = source
    },

    useKeySource(source) {
      keyCounts?.dispose()
      keyCounts = createKeyCountIndex({ source, events: options.events })
    },

    async keyCounts() {
      return keyCounts ? keyCounts.overview() : { totals: {}, accounts: [] }
    },

    forget(account) {
      caches.get(account)?.close()
      caches.delete(account)
      aggregator.forget(account)
      watchers.forget(account)
    },

    dispose() {
      stopTicks()
      releaseLoopSampler()
      keyCounts?.dispose()
      for (const cache of caches.values()) cache.close()
      caches.clear()
      aggregator.dispose()
    },
  }
}

const EMPTY_STATS: NsStats = { count: 0, errors: 0, p50Ns: 0, p95Ns: 0, p99Ns: 0, maxNs: 0 }

function toMs(stats: NsStats): LatencyStats {
  return {
    count: stats.count,
    errors: stats.errors,
    p50: stats.p50Ns / NS_PER_MS,
    p95: stats.p95Ns / NS_PER_MS,
    p99: stats.p99Ns / NS_PER_MS,
    max: stats.maxNs / NS_PER_MS,
  }
}

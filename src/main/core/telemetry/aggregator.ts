// Rolling per-second telemetry for the auth store: per account and per request type, counts, errors and
// latency percentiles over the last 15 minutes, plus key-cache hits and misses, and the event loop's delay. Main process,
// Electron-free. Subscribes to the auth_store channels when created and only then; cheap enough to run
// always: memory per account is bounded by the window (at most one slot per second), not by the op rate.

import diagnosticsChannel from 'node:diagnostics_channel'
import { BUCKET_COUNT, bucketOf, quantiles } from './histogram'
import {
  AUTH_STORE_CACHE,
  AUTH_STORE_REQS,
  AUTH_STORE_STOP,
  EVENT_LOOP_DELAY,
  type AuthStoreCacheEvent,
  type EventLoopDelayEvent,
  type AuthStoreReq,
  type AuthStoreStopEvent,
  isAuthStoreReq,
} from './channels'

/** The key under which every account's operations are aggregated too. Never a valid AccountId. */
export const ALL_ACCOUNTS = '*'

export interface LatencyStats {
  count: number
  errors: number
  p50Ns: number
  p95Ns: number
  p99Ns: number
  maxNs: number
}

export interface CacheStats {
  hits: number
  misses: number
  /** hits / (hits + misses), or null with no lookups. */
  hitRatio: number | null
}

export interface TelemetrySnapshot {
  /** An account id, or '*' for all accounts. */
  account: string
  /** Unix seconds of the newest second included (the current, still open one). */
  at: number
  windowSeconds: number
  /** All request types together. */
  total: LatencyStats
  byReq: Record<AuthStoreReq, LatencyStats>
  cache: CacheStats & { byType: Record<string, CacheStats> }
  /** How late the event loop ran over the same seconds (process-wide, whatever the account). */
  loopDelay: LatencyStats
}

/** One finished second. Seconds without operations have no point; a chart draws them as zero. */
export interface SeriesPoint extends LatencyStats {
  /** Unix seconds. */
  t: number
}

export interface CachePoint {
  t: number
  hits: number
  misses: number
}

/** What finished since the previous tick: the payload of a ~1 Hz batched UI event. */
export interface TelemetryTick {
  /** Seconds t with from < t <= to are covered. */
  from: number
  to: number
  points: Array<SeriesPoint & { account: string; req: AuthStoreReq }>
  cache: Array<CachePoint & { account: string }>
}

export interface TelemetryAggregator {
  /**
   * Totals over the window, or its last `sinceSeconds` (including the current second), for one account
   * or all accounts.
   */
  snapshot(account?: string, sinceSeconds?: number): TelemetrySnapshot
  /**
   * Per-second points of the finished seconds among the last `sinceSeconds` (default: the window),
   * oldest first; all request types merged when `req` is omitted.
   */
  series(account?: string, req?: AuthStoreReq, sinceSeconds?: number): SeriesPoint[]
  cacheSeries(account?: string, sinceSeconds?: number): CachePoint[]
  /**
   * Totals of the last `sinceSeconds` (default: the window) including the current second, every
   * request type together, for one account or '*'. Cheaper than snapshot(): one histogram, no cache.
   */
  windowStats(account?: string, sinceSeconds?: number): LatencyStats
  /** windowStats of every account with data in the window ('*' excluded), in one pass. */
  rankingStats(sinceSeconds?: number): Array<LatencyStats & { account: string }>
  /**
   * Finishes the seconds before now and returns what finished since the previous tick: the '*'
   * aggregate always, an account's points only when `include(account)` says so (default: every account).
   */
  tick(include?: (account: string) => boolean): TelemetryTick
  /** Calls `cb` with each non-empty tick, every `intervalMs` (default 1000). Returns a stop function. */
  onTick(cb: (tick: TelemetryTick) => void, intervalMs?: number, include?: (account: string) => boolean): () => void
  /** Drops one account's data (the all-accounts aggregate keeps it until it ages out of the window). */
  forget(account: string): void
  /** Accounts with data in the window, '*' excluded. */
  accounts(): string[]
  /** Sizes of the internal structures, to check that memory stays bounded. */
  memory(): { accounts: number; series: number; slots: number; sparseEntries: number }
  /** Unsubscribes from the channels and stops tick timers. */
  dispose(): void
}

export interface TelemetryAggregatorOptions {
  /** Seconds of history kept; default 900 (15 minutes). */
  windowSeconds?: number
  /** Milliseconds since the epoch; injectable for tests. Default Date.now. */
  now?: () => number
}

// ---------------------------------------------------------------------------------------------------

/** A finished second: a summary for charts plus its non-zero buckets, to subtract when it expires. */
interface LatencySlot {
  t: number
  count: number
  errors: number
  max: number
  p50: number
  p95: number
  p99: number
  /** [bucket, count, bucket, count, …], ascending buckets. A plain array: a typed array's fixed
   *  overhead (~150 bytes) would outweigh the few entries a second usually has. */
  sparse: number[]
}

/**
 * One request type's seconds. The all-accounts series (and the loop's) is dense: the open second in a
 * 592-bucket array and a running histogram of the window, so a whole-window snapshot is 592 additions.
 * An account's series is sparse: its open second in a Map of the buckets it used and no running
 * histogram (a snapshot walks its slots), because the dense form costs 7 kB per series whether used or
 * not, 28 kB per account: 280 MB for 10,000 accounts that each connected once.
 */
class LatencySeries {
  readonly slots: LatencySlot[] = []
  /** Dense only: the finished seconds of the window, summed. */
  readonly window: Float64Array | null
  windowCount = 0
  windowErrors = 0
  // The open second; `touched` lists its non-zero buckets (dense), so finishing it is cheap.
  openT = -Infinity
  openCount = 0
  openErrors = 0
  openMax = 0
  readonly open: Uint32Array | null
  readonly openSparse: Map<number, number> | null
  touched: number[] = []

  constructor(dense: boolean) {
    this.window = dense ? new Float64Array(BUCKET_COUNT) : null
    this.open = dense ? new Uint32Array(BUCKET_COUNT) : null
    this.openSparse = dense ? null : new Map()
  }

  record(t: number, ns: number, ok: boolean): void {
    if (t > this.openT) {
      this.finish()
      this.openT = t
    }
    // An earlier second (the wall clock stepped back) is folded into the open one.
    const b = bucketOf(ns)
    if (this.open) {
      if (this.open[b] === 0) this.touched.push(b)
      this.open[b]! += 1
    } else {
      this.openSparse!.set(b, (this.openSparse!.get(b) ?? 0) + 1)
    }
    this.openCount += 1
    if (!ok) this.openErrors += 1
    if (ns > this.openMax) this.openMax = ns
  }

  /** The open second's buckets, ascending, and their counts (clearing them). */
  private takeOpen(): { order: number[]; counts: ArrayLike<number> } {
    if (this.open) {
      const order = this.touched.sort((a, b) => a - b)
      this.touched = []
      return { order, counts: this.open }
    }
    const order = [...this.openSparse!.keys()].sort((a, b) => a - b)
    const counts: number[] = []
    for (const b of order) counts[b] = this.openSparse!.get(b)!
    this.openSparse!.clear()
    return { order, counts }
  }

  finish(): void {
    if (this.openCount === 0) return
    const { order, counts } = this.takeOpen()
    const [p50, p95, p99] = quantiles(counts, this.openCount, this.openMax, order)
    const sparse = new Array<number>(order.length * 2)
    for (let k = 0; k < order.length; k++) {
      const b = order[k]!
      const c = counts[b]!
      sparse[2 * k] = b
      sparse[2 * k + 1] = c
      if (this.window) this.window[b]! += c
      if (this.open) this.open[b] = 0
    }
    this.slots.push({ t: this.openT, count: this.openCount, errors: this.openErrors, max: this.openMax, p50, p95, p99, sparse })
    this.windowCount += this.openCount
    this.windowErrors += this.openErrors
    this.openCount = 0
    this.openErrors = 0
    this.openMax = 0
  }

  /** Finishes seconds before `now` and drops slots at or before `oldest`. */
  advance(now: number, oldest: number): void {
    if (this.openT < now) this.finish()
    let drop = 0
    while (drop < this.slots.length && this.slots[drop]!.t <= oldest) {
      const slot = this.slots[drop]!
      if (this.window) for (let k = 0; k < slot.sparse.length; k += 2) this.window[slot.sparse[k]!]! -= slot.sparse[k + 1]!
      this.windowCount -= slot.count
      this.windowErrors -= slot.errors
      drop++
    }
    if (drop > 0) this.slots.splice(0, drop)
  }

  isEmpty(): boolean {
    return this.slots.length === 0 && this.openCount === 0
  }

  /**
   * Adds the seconds from `from` on (the open one included) into `into`; returns [count, errors, max].
   * A dense series' whole window comes from its running histogram (592 additions); a part of it, or a
   * sparse series, from the slots' sparse buckets, so a short range costs what those seconds hold.
   */
  mergeInto(into: Float64Array, from = -Infinity): [number, number, number] {
    let max = this.openMax
    let count = this.openCount
    let errors = this.openErrors
    const first = this.slots[0]
    if (this.window && (first === undefined || first.t >= from)) {
      for (const slot of this.slots) if (slot.max > max) max = slot.max
      for (let b = 0; b < BUCKET_COUNT; b++) into[b]! += this.window[b]!
      count += this.windowCount
      errors += this.windowErrors
    } else {
      for (let k = this.slots.length - 1; k >= 0; k--) {
        const slot = this.slots[k]!
        if (slot.t < from) break
        for (let j = 0; j < slot.sparse.length; j += 2) into[slot.sparse[j]!]! += slot.sparse[j + 1]!
        count += slot.count
        errors += slot.errors
        if (slot.max > max) max = slot.max
      }
    }
    if (this.openCount > 0) {
      if (this.open) for (const b of this.touched) into[b]! += this.open[b]!
      else for (const [b, c] of this.openSparse!) into[b]! += c
    }
    return [count, errors, max]
  }
}

interface CacheSlot {
  t: number
  hits: number
  misses: number
  byType: Map<string, [number, number]>
}

class CacheSeries {
  readonly slots: CacheSlot[] = []
  open: CacheSlot | null = null

  record(t: number, type: string, hits: number, misses: number): void {
    if (!this.open || t > this.open.t) {
      this.finish()
      this.open = { t, hits: 0, misses: 0, byType: new Map() }
    }
    const slot = this.open
    slot.hits += hits
    slot.misses += misses
    const entry = slot.byType.get(type)
    if (entry) {
      entry[0] += hits
      entry[1] += misses
    } else {
      slot.byType.set(type, [hits, misses])
    }
  }

  finish(): void {
    if (this.open) this.slots.push(this.open)
    this.open = null
  }

  advance(now: number, oldest: number): void {
    if (this.open && this.open.t < now) this.finish()
    let drop = 0
    while (drop < this.slots.length && this.slots[drop]!.t <= oldest) drop++
    if (drop > 0) this.slots.splice(0, drop)
  }

  isEmpty(): boolean {
    return this.slots.length === 0 && this.open === null
  }

  all(): CacheSlot[] {
    return this.open ? [...this.slots, this.open] : this.slots
  }
}

interface AccountState {
  reqs: Record<AuthStoreReq, LatencySeries>
  cache: CacheSeries
}

function newAccountState(dense = false): AccountState {
  return {
    reqs: { load_creds: new LatencySeries(dense), save_creds: new LatencySeries(dense), keys_get: new LatencySeries(dense), keys_set: new LatencySeries(dense) },
    cache: new CacheSeries(),
  }
}

function latencyStats(counts: Float64Array, count: number, errors: number, max: number): LatencyStats {
  const [p50Ns, p95Ns, p99Ns] = quantiles(counts, count, max)
  return { count, errors, p50Ns, p95Ns, p99Ns, maxNs: max }
}

function cacheStats(hits: number, misses: number): CacheStats {
  return { hits, misses, hitRatio: hits + misses > 0 ? hits / (hits + misses) : null }
}

export function createTelemetryAggregator(options: TelemetryAggregatorOptions = {}): TelemetryAggregator {
  const windowSeconds = options.windowSeconds ?? 900
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError('windowSeconds must be a positive integer')
  const now = options.now ?? Date.now
  const accounts = new Map<string, AccountState>([[ALL_ACCOUNTS, newAccountState(true)]])
  /** The event loop's delay (loop-delay.ts), process-wide: not an account's, not the store's. */
  const loop = new LatencySeries(true)
  const timers = new Set<ReturnType<typeof setInterval>>()
  let lastTick = Math.floor(now() / 1000) - 1
  let disposed = false

  const second = () => Math.floor(now() / 1000)

  function stateFor(account: string): AccountState {
    let state = accounts.get(account)
    if (!state) {
      state = newAccountState()
      accounts.set(account, state)
    }
    return state
  }

  function onStop(message: unknown): void {
    const event = message as Partial<AuthStoreStopEvent> | null
    // Anyone can publish on a public channel: ignore what does not have the documented shape.
    if (!event || typeof event.account !== 'string' || !isAuthStoreReq(event.req)) return
    const ns = event.durationNs
    if (typeof ns !== 'number' || !(ns >= 0)) return
    const t = second()
    const ok = event.result === 'ok'
    stateFor(event.account).reqs[event.req].record(t, ns, ok)
    accounts.get(ALL_ACCOUNTS)!.reqs[event.req].record(t, ns, ok)
  }

  function onCache(message: unknown): void {
    const event = message as Partial<AuthStoreCacheEvent> | null
    if (!event || typeof event.account !== 'string' || typeof event.type !== 'string') return
    const hits = typeof event.hits === 'number' ? event.hits : 0
    const misses = typeof event.misses === 'number' ? event.misses : 0
    const t = second()
    stateFor(event.account).cache.record(t, event.type, hits, misses)
    accounts.get(ALL_ACCOUNTS)!.cache.record(t, event.type, hits, misses)
  }

  function onLoopDelay(message: unknown): void {
    const ns = (message as Partial<EventLoopDelayEvent> | null)?.delayNs
    if (typeof ns !== 'number' || !(ns >= 0)) return
    loop.record(second(), ns, true)
  }

  diagnosticsChannel.subscribe(AUTH_STORE_STOP, onStop)
  diagnosticsChannel.subscribe(AUTH_STORE_CACHE, onCache)
  diagnosticsChannel.subscribe(EVENT_LOOP_DELAY, onLoopDelay)

  /** Finishes past seconds and expires old ones everywhere; drops accounts left with nothing. */
  function advanceAll(t: number): void {
    const oldest = t - windowSeconds
    loop.advance(t, oldest)
    for (const [account, state] of accounts) {
      let empty = true
      for (const req of AUTH_STORE_REQS) {
        state.reqs[req].advance(t, oldest)
        if (!state.reqs[req].isEmpty()) empty = false
      }
      state.cache.advance(t, oldest)
      if (!state.cache.isEmpty()) empty = false
      if (empty && account !== ALL_ACCOUNTS) accounts.delete(account)
    }
  }

  /** The first second of the last `sinceSeconds`, the current (open) one counted. */
  function firstSecond(t: number, sinceSeconds: number): number {
    if (!Number.isInteger(sinceSeconds) || sinceSeconds < 1) throw new RangeError('sinceSeconds must be a positive integer')
    return t - Math.min(sinceSeconds, windowSeconds) + 1
  }

  function snapshot(account: string = ALL_ACCOUNTS, sinceSeconds = windowSeconds): TelemetrySnapshot {
    const t = second()
    advanceAll(t)
    const from = firstSecond(t, sinceSeconds)
    const state = accounts.get(account) ?? newAccountState()
    const merged = new Float64Array(BUCKET_COUNT)
    const perReq = new Float64Array(BUCKET_COUNT)
    let count = 0
    let errors = 0
    let max = 0
    const byReq = {} as Record<AuthStoreReq, LatencyStats>
    for (const req of AUTH_STORE_REQS) {
      perReq.fill(0)
      const [c, e, m] = state.reqs[req].mergeInto(perReq, from)
      byReq[req] = latencyStats(perReq, c, e, m)
      for (let b = 0; b < BUCKET_COUNT; b++) merged[b]! += perReq[b]!
      count += c
      errors += e
      if (m > max) max = m
    }
    let hits = 0
    let misses = 0
    const byType = new Map<string, [number, number]>()
    for (const slot of state.cache.all()) {
      if (slot.t < from) continue
      hits += slot.hits
      misses += slot.misses
      for (const [type, [h, m]] of slot.byType) {
        const entry = byType.get(type)
        if (entry) {
          entry[0] += h
          entry[1] += m
        } else byType.set(type, [h, m])
      }
    }
    const loopCounts = new Float64Array(BUCKET_COUNT)
    const [loopCount, , loopMax] = loop.mergeInto(loopCounts, from)
    return {
      account,
      at: t,
      windowSeconds: t - from + 1,
      total: latencyStats(merged, count, errors, max),
      loopDelay: latencyStats(loopCounts, loopCount, 0, loopMax),
      byReq,
      cache: {
        ...cacheStats(hits, misses),
        byType: Object.fromEntries([...byType].map(([type, [h, m]]) => [type, cacheStats(h, m)])),
      },
    }
  }

  function series(account: string = ALL_ACCOUNTS, req?: AuthStoreReq, sinceSeconds = windowSeconds): SeriesPoint[] {
    const t = second()
    advanceAll(t)
    const state = accounts.get(account)
    if (!state) return []
    // Finished seconds only, so the last N seconds before the current one.
    const from = t - sinceSeconds
    if (req) {
      return state.reqs[req].slots
        .filter((s) => s.t >= from)
        .map((s) => ({ t: s.t, count: s.count, errors: s.errors, p50Ns: s.p50, p95Ns: s.p95, p99Ns: s.p99, maxNs: s.max }))
    }
    // All request types: merge the slots of each second through their sparse buckets.
    const bySecond = new Map<number, LatencySlot[]>()
    for (const r of AUTH_STORE_REQS) {
      for (const slot of state.reqs[r].slots) {
        if (slot.t < from) continue
        const list = bySecond.get(slot.t)
        if (list) list.push(slot)
        else bySecond.set(slot.t, [slot])
      }
    }
    const scratch = new Float64Array(BUCKET_COUNT)
    return [...bySecond.keys()]
      .sort((a, b) => a - b)
      .map((sec) => {
        const slots = bySecond.get(sec)!
        if (slots.length === 1) {
          const s = slots[0]!
          return { t: sec, count: s.count, errors: s.errors, p50Ns: s.p50, p95Ns: s.p95, p99Ns: s.p99, maxNs: s.max }
        }
        scratch.fill(0)
        let count = 0
        let errors = 0
        let max = 0
        for (const s of slots) {
          for (let k = 0; k < s.sparse.length; k += 2) scratch[s.sparse[k]!]! += s.sparse[k + 1]!
          count += s.count
          errors += s.errors
          if (s.max > max) max = s.max
        }
        return { t: sec, ...latencyStats(scratch, count, errors, max) }
      })
  }

  function cacheSeries(account: string = ALL_ACCOUNTS, sinceSeconds = windowSeconds): CachePoint[] {
    const t = second()
    advanceAll(t)
    const state = accounts.get(account)
    if (!state) return []
    const from = t - sinceSeconds
    return state.cache.slots.filter((s) => s.t >= from).map((s) => ({ t: s.t, hits: s.hits, misses: s.misses }))
  }

  /** Every request type of one account merged over the seconds from `from`, into `scratch` (cleared). */
  function mergedStats(state: AccountState, from: number, scratch: Float64Array): LatencyStats {
    scratch.fill(0)
    let count = 0
    let errors = 0
    let max = 0
    for (const req of AUTH_STORE_REQS) {
      const [c, e, m] = state.reqs[req].mergeInto(scratch, from)
      count += c
      errors += e
      if (m > max) max = m
    }
    return latencyStats(scratch, count, errors, max)
  }

  function windowStats(account: string = ALL_ACCOUNTS, sinceSeconds = windowSeconds): LatencyStats {
    const t = second()
    advanceAll(t)
    const state = accounts.get(account)
    const scratch = new Float64Array(BUCKET_COUNT)
    return state ? mergedStats(state, firstSecond(t, sinceSeconds), scratch) : latencyStats(scratch, 0, 0, 0)
  }

  function rankingStats(sinceSeconds = windowSeconds): Array<LatencyStats & { account: string }> {
    const t = second()
    advanceAll(t)
    const from = firstSecond(t, sinceSeconds)
    const scratch = new Float64Array(BUCKET_COUNT)
    const rows: Array<LatencyStats & { account: string }> = []
    for (const [account, state] of accounts) {
      if (account === ALL_ACCOUNTS) continue
      const stats = mergedStats(state, from, scratch)
      if (stats.count > 0) rows.push({ account, ...stats })
    }
    return rows
  }

  function tick(include?: (account: string) => boolean): TelemetryTick {
    const t = second()
    advanceAll(t)
    const from = lastTick
    const to = t - 1
    const result: TelemetryTick = { from, to, points: [], cache: [] }
    for (const [account, state] of accounts) {
      // Nobody looks at most accounts: their points stay here (series() still has them) and the tick
      // stays the same size however many accounts there are.
      if (account !== ALL_ACCOUNTS && include && !include(account)) continue
      for (const req of AUTH_STORE_REQS) {
        const slots = state.reqs[req].slots
        // Newest slots are at the end: walk back only as far as the previous tick.
        let k = slots.length
        while (k > 0 && slots[k - 1]!.t > from) k--
        for (; k < slots.length; k++) {
          const s = slots[k]!
          result.points.push({ account, req, t: s.t, count: s.count, errors: s.errors, p50Ns: s.p50, p95Ns: s.p95, p99Ns: s.p99, maxNs: s.max })
        }
      }
      const cacheSlots = state.cache.slots
      let k = cacheSlots.length
      while (k > 0 && cacheSlots[k - 1]!.t > from) k--
      for (; k < cacheSlots.length; k++) {
        const s = cacheSlots[k]!
        result.cache.push({ account, t: s.t, hits: s.hits, misses: s.misses })
      }
    }
    lastTick = Math.max(lastTick, to)
    return result
  }

  function onTick(cb: (tick: TelemetryTick) => void, intervalMs = 1000, include?: (account: string) => boolean): () => void {
    if (disposed) throw new Error('telemetry aggregator is disposed')
    const timer = setInterval(() => {
      const result = tick(include)
      if (result.points.length > 0 || result.cache.length > 0) cb(result)
    }, intervalMs)
    // Telemetry must never keep a shutting-down process alive.
    timer.unref()
    timers.add(timer)
    return () => {
      clearInterval(timer)
      timers.delete(timer)
    }
  }

  return {
    snapshot,
    series,
    cacheSeries,
    windowStats,
    rankingStats,
    tick,
    onTick,
    forget(account) {
      if (account !== ALL_ACCOUNTS) accounts.delete(account)
    },
    accounts() {
      advanceAll(second())
      return [...accounts.keys()].filter((a) => a !== ALL_ACCOUNTS)
    },
    memory() {
      let series = 0
      let slots = 0
      let sparseEntries = 0
      for (const state of accounts.values()) {
        for (const req of AUTH_STORE_REQS) {
          const s = state.reqs[req]
          series += 1
          slots += s.slots.length
          for (const slot of s.slots) sparseEntries += slot.sparse.length / 2
        }
        series += 1
        slots += state.cache.slots.length
      }
      return { accounts: accounts.size - 1, series, slots, sparseEntries }
    },
    dispose() {
      if (disposed) return
      disposed = true
      diagnosticsChannel.unsubscribe(AUTH_STORE_STOP, onStop)
      diagnosticsChannel.unsubscribe(AUTH_STORE_CACHE, onCache)
      diagnosticsChannel.unsubscribe(EVENT_LOOP_DELAY, onLoopDelay)
      for (const timer of timers) clearInterval(timer)
      timers.clear()
    },
  }
}

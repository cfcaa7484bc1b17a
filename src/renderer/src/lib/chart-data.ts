// Turns a scope's series store into the column arrays uPlot draws: x is every second of the window
// (so a quiet stretch shows as a gap or a zero, never as a line drawn across it), then one array per
// line. `points` counts the seconds that have data, for the chart's caption.

import type { AccountId } from '../../../shared/ids'
import { STORE_REQUESTS, type ALL_ACCOUNTS, type StoreRequest } from '../../../shared/contract'
import { WINDOW_SECONDS, type SeriesStore } from './series-store'

/** One account, or every account together. */
export type Scope = AccountId | typeof ALL_ACCOUNTS

export type Columns = [number[], ...(number | null)[][]]

export interface ChartData {
  columns: Columns
  /** Seconds in the window that have data. */
  points: number
}

/** Every finished second of the `range` seconds ending at `now` (epoch seconds), oldest first. */
function windowSeconds(now: number, range: number): number[] {
  const length = Math.max(1, Math.min(range, WINDOW_SECONDS))
  const xs = new Array<number>(length)
  const first = now - length
  for (let i = 0; i < length; i++) xs[i] = first + i
  return xs
}

/** "last 15 min", "last 1 min", "last 30 s": how every figure names its window. */
export function rangeLabel(seconds: number): string {
  return seconds % 60 === 0 ? `last ${seconds / 60} min` : `last ${seconds} s`
}

/**
 * The smallest latency drawn: a log axis cannot show zero, and a store answering in under a
 * microsecond is drawn at 1 µs rather than dropped.
 */
export const MIN_LATENCY_MS = 0.001

/**
 * [t, p50, p95, p99] in milliseconds for one request type; seconds without requests are gaps. Values
 * are floored at MIN_LATENCY_MS so they fit a log axis.
 */
export function latencyColumns(store: SeriesStore, req: StoreRequest, now: number, range: number = WINDOW_SECONDS): ChartData {
  const xs = windowSeconds(now, range)
  const first = xs[0] as number
  const p50 = new Array<number | null>(xs.length).fill(null)
  const p95 = p50.slice()
  const p99 = p50.slice()
  let points = 0
  for (const point of store.latency[req]) {
    const i = point.t - first
    if (i < 0 || i >= xs.length) continue
    p50[i] = latency(point.p50)
    p95[i] = latency(point.p95)
    p99[i] = latency(point.p99)
    points += 1
  }
  return { columns: [xs, p50, p95, p99], points }
}

/** [t, operations, errors] per second, every request type together; a quiet second is a zero. */
export function throughputColumns(store: SeriesStore, now: number, range: number = WINDOW_SECONDS): ChartData {
  const xs = windowSeconds(now, range)
  const first = xs[0] as number
  const ops = new Array<number>(xs.length).fill(0)
  const errors = new Array<number>(xs.length).fill(0)
  for (const req of STORE_REQUESTS) {
    for (const point of store.latency[req]) {
      const i = point.t - first
      if (i < 0 || i >= xs.length) continue
      ops[i] = (ops[i] as number) + point.count
      errors[i] = (errors[i] as number) + point.errors
    }
  }
  return { columns: [xs, ops, errors], points: ops.filter((n) => n > 0).length }
}

/** [t, hit ratio in percent]; seconds without lookups are gaps, not zeros. */
export function cacheColumns(store: SeriesStore, now: number, range: number = WINDOW_SECONDS): ChartData {
  const xs = windowSeconds(now, range)
  const first = xs[0] as number
  const ratio = new Array<number | null>(xs.length).fill(null)
  let points = 0
  for (const point of store.cache) {
    const i = point.t - first
    if (i < 0 || i >= xs.length || point.hits + point.misses === 0) continue
    ratio[i] = round((point.hits / (point.hits + point.misses)) * 100)
    points += 1
  }
  return { columns: [xs, ratio], points }
}

function latency(ms: number): number {
  return Math.max(MIN_LATENCY_MS, Math.round(ms * 10_000) / 10_000)
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}

/** How the seconds in one drawn point become its value. */
export type Reduce = 'max' | 'mean'

/**
 * At most `maxPoints` points per line: consecutive seconds share one point when the window holds more
 * seconds than the chart has pixels (15 minutes are 900 seconds; a phone's chart is 300 px wide), so
 * every drawn point stands for the seconds under it instead of a sample of them. A point's time is its
 * first second; its value per line is the `reduce` of that line's non-null values (max for latencies:
 * the worst of the seconds; mean for rates and ratios), and null when all of them are null, so a quiet
 * stretch stays a gap.
 */
export function aggregateColumns(data: ChartData, maxPoints: number, reduce: readonly Reduce[]): ChartData {
  const [xs, ...lines] = data.columns
  const size = Math.ceil(xs.length / Math.max(1, Math.floor(maxPoints)))
  // Already one point per pixel or fewer: the same data, so nothing downstream redraws for nothing.
  if (size <= 1) return data
  const outX: number[] = []
  const outLines = lines.map(() => [] as Array<number | null>)
  for (let start = 0; start < xs.length; start += size) {
    outX.push(xs[start] as number)
    lines.forEach((line, i) => {
      let total = 0
      let count = 0
      let max = -Infinity
      for (let k = start; k < Math.min(start + size, xs.length); k++) {
        const v = line[k]
        if (v === null || v === undefined) continue
        total += v
        count += 1
        if (v > max) max = v
      }
      outLines[i]!.push(count === 0 ? null : reduce[i] === 'max' ? max : round(total / count))
    })
  }
  return { columns: [outX, ...outLines] as Columns, points: data.points }
}

/** The newest value of each line (its last non-null), for a legend that reads without hovering. */
export function latestValues({ columns }: ChartData): Array<number | null> {
  return columns.slice(1).map((line) => {
    for (let i = line.length - 1; i >= 0; i--) if (line[i] !== null && line[i] !== undefined) return line[i] as number
    return null
  })
}

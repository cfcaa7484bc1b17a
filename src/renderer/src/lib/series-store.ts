// The telemetry series of one scope (an account, or '*' for all accounts together), as the charts draw
// them: per request type one point per finished second for the last 15 minutes, plus the key cache's
// hits and misses. Immutable: a merge returns a new store, sharing the arrays it did not touch. Bounded
// by time and by length, so a page left open for a week holds no more than one window.

import { STORE_REQUESTS, type CachePoint, type SeriesPoint, type StoreRequest } from '../../../shared/contract'

export const WINDOW_SECONDS = 900

export interface SeriesStore {
  /** Points sorted by t, no two with the same t. */
  readonly latency: Readonly<Record<StoreRequest, readonly SeriesPoint[]>>
  readonly cache: readonly CachePoint[]
  /** The newest second seen (epoch seconds), 0 before any. */
  readonly latest: number
}

export function emptySeriesStore(): SeriesStore {
  return { latency: { load_creds: [], save_creds: [], keys_get: [], keys_set: [] }, cache: [], latest: 0 }
}

/**
 * Adds points (a point for a second already held replaces it) and drops everything that has left
 * the window relative to the newest of `now` and the points' own seconds.
 */
export function mergeSeries(store: SeriesStore, points: readonly SeriesPoint[], cache: readonly CachePoint[], now: number): SeriesStore {
  let latest = Math.max(store.latest, now)
  for (const p of points) latest = Math.max(latest, p.t)
  for (const c of cache) latest = Math.max(latest, c.t)
  const cutoff = latest - WINDOW_SECONDS

  const latency = { ...store.latency }
  for (const req of STORE_REQUESTS) {
    const incoming = points.filter((p) => p.req === req)
    const merged = incoming.length > 0 ? upsertAll(latency[req], incoming) : latency[req]
    latency[req] = trim(merged, cutoff)
  }
  return { latency, cache: trim(cache.length > 0 ? upsertAll(store.cache, cache) : store.cache, cutoff), latest }
}

function upsertAll<T extends { t: number }>(existing: readonly T[], incoming: readonly T[]): T[] {
  const next = existing.slice()
  for (const point of incoming) {
    const last = next[next.length - 1]
    if (last === undefined || point.t > last.t) {
      next.push(point)
      continue
    }
    // Rare: a second that is already held, or arrives out of order. Binary search for its place.
    let lo = 0
    let hi = next.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((next[mid] as T).t < point.t) lo = mid + 1
      else hi = mid
    }
    if (next[lo]?.t === point.t) next[lo] = point
    else next.splice(lo, 0, point)
  }
  return next
}

/** Keeps points newer than `cutoff`, never more than one per second of the window. */
function trim<T extends { t: number }>(points: readonly T[], cutoff: number): readonly T[] {
  const first = points[0]
  if (first === undefined || (first.t > cutoff && points.length <= WINDOW_SECONDS)) return points
  let start = 0
  while (start < points.length && (points[start] as T).t <= cutoff) start += 1
  return points.slice(Math.max(start, points.length - WINDOW_SECONDS))
}

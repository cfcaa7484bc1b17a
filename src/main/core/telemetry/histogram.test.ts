import { describe, expect, it } from 'vitest'
import { BUCKET_COUNT, HISTOGRAM_RELATIVE_ERROR, bucketLow, bucketOf, bucketValue, quantiles } from './histogram'

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('latency histogram', () => {
  it('maps every value into the bucket whose range holds it, buckets in ascending order', () => {
    for (let i = 1; i < BUCKET_COUNT; i++) expect(bucketLow(i)).toBeGreaterThan(bucketLow(i - 1))
    const random = rng(1)
    for (let k = 0; k < 20_000; k++) {
      const v = Math.floor(2 ** (random() * 39.9))
      const b = bucketOf(v)
      expect(bucketLow(b)).toBeLessThanOrEqual(v)
      if (b + 1 < BUCKET_COUNT) expect(bucketLow(b + 1)).toBeGreaterThan(v)
      expect(Math.abs(bucketValue(b) - v)).toBeLessThanOrEqual(v * HISTOGRAM_RELATIVE_ERROR)
    }
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(15)).toBe(15)
    expect(bucketOf(2 ** 45)).toBe(BUCKET_COUNT - 1)
  })

  it('gives p50, p95 and p99 within the stated 1/32 of the exact nearest-rank values', () => {
    const random = rng(42)
    // A log-normal-ish latency mix: mostly ~50 µs, a slow tail in the milliseconds.
    const values = Array.from({ length: 100_000 }, () =>
      Math.round(random() < 0.97 ? 20_000 + 80_000 * random() : 1_000_000 + 30_000_000 * random() ** 3),
    )
    const counts = new Float64Array(BUCKET_COUNT)
    for (const v of values) counts[bucketOf(v)]! += 1
    const sorted = [...values].sort((a, b) => a - b)
    const max = sorted[sorted.length - 1]!
    const estimated = quantiles(counts, values.length, max)
    ;[0.5, 0.95, 0.99].forEach((q, i) => {
      const exact = sorted[Math.ceil(q * values.length) - 1]!
      expect(Math.abs(estimated[i]! - exact)).toBeLessThanOrEqual(exact * HISTOGRAM_RELATIVE_ERROR)
    })
  })

  it('never reports a quantile above the exact maximum', () => {
    // The lowest value of a wide bucket: the bucket's midpoint lies above it.
    const v = bucketLow(bucketOf(1_000_000))
    expect(bucketValue(bucketOf(v))).toBeGreaterThan(v)
    const counts = new Float64Array(BUCKET_COUNT)
    counts[bucketOf(v)] = 1
    expect(quantiles(counts, 1, v)).toEqual([v, v, v])
  })
})

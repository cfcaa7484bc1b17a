// A log-linear latency histogram (the HDR idea, fixed size): exact below 16 ns, then 16 buckets per
// power of two up to 2^40 ns (~18 minutes). Reporting a bucket's midpoint is within 1/32 (3.125 %) of
// any value in it. Main process, Electron-free, no allocation on the recording path.

const SUB_BITS = 4
const SUB = 1 << SUB_BITS // 16 buckets per power of two
const MAX_EXPONENT = 39 // values from 2^39 up share the top bucket row; max is tracked exactly elsewhere
export const BUCKET_COUNT = SUB + (MAX_EXPONENT - SUB_BITS + 1) * SUB // 592
const TOP = BUCKET_COUNT - 1
/** Relative error bound of a reported percentile against the true value at that rank. */
export const HISTOGRAM_RELATIVE_ERROR = 1 / (2 * SUB)

/** The bucket holding a duration of `ns` nanoseconds. */
export function bucketOf(ns: number): number {
  if (!(ns >= SUB)) return ns > 0 ? Math.floor(ns) : 0
  const v = Math.floor(ns)
  // floor(log2(v)) exactly, for v beyond 32 bits too.
  const exponent = v < 0x1_0000_0000 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / 0x1_0000_0000))
  if (exponent > MAX_EXPONENT) return TOP
  const shift = 2 ** (exponent - SUB_BITS)
  const mantissa = Math.floor(v / shift) - SUB // 0..15
  return SUB * (exponent - SUB_BITS + 1) + mantissa
}

/** The smallest value in bucket `i`. */
export function bucketLow(i: number): number {
  if (i < SUB) return i
  const row = Math.floor(i / SUB) // 1.. ; exponent = row + SUB_BITS - 1
  const width = 2 ** (row - 1)
  return (SUB + (i % SUB)) * width
}

/** The value reported for bucket `i`: the middle of its integer range. */
export function bucketValue(i: number): number {
  if (i < SUB) return i
  const width = 2 ** (Math.floor(i / SUB) - 1)
  return bucketLow(i) + (width - 1) / 2
}

/** Quantiles wanted in one pass over a histogram. */
export const QUANTILES = [0.5, 0.95, 0.99] as const

/**
 * Nearest-rank quantiles (p50, p95, p99) from bucket counts, walking only `order` (ascending bucket
 * indices with a non-zero count) when given, else all buckets. Each is capped at `max`, the exact maximum.
 */
export function quantiles(
  counts: ArrayLike<number>,
  total: number,
  max: number,
  order?: ArrayLike<number>,
): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0]
  if (total <= 0) return out
  const ranks = QUANTILES.map((q) => Math.max(1, Math.ceil(q * total)))
  let q = 0
  let seen = 0
  const n = order ? order.length : counts.length
  for (let k = 0; k < n && q < 3; k++) {
    const i = order ? order[k]! : k
    const c = counts[i]!
    if (c === 0) continue
    seen += c
    while (q < 3 && seen >= ranks[q]!) {
      out[q] = Math.min(bucketValue(i), max)
      q++
    }
  }
  return out
}

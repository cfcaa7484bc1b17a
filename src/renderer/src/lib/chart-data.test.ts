import { describe, expect, it } from 'vitest'
import { aggregateColumns, latestValues, type ChartData } from './chart-data'

const data = (xs: number[], ...lines: Array<Array<number | null>>): ChartData => ({ columns: [xs, ...lines], points: xs.length })

describe('points to the pixel', () => {
  it('leaves a window that fits the width as it is', () => {
    const d = data([1, 2, 3], [1, 2, 3])
    expect(aggregateColumns(d, 10, ['max'])).toBe(d)
  })

  it('puts consecutive seconds into one point each: the worst latency, the mean rate, a gap where all were empty', () => {
    const xs = Array.from({ length: 9 }, (_, i) => 100 + i)
    const latency = [1, 5, 2, null, null, null, 3, null, 8]
    const rate = [0, 3, 6, 0, 0, 0, 9, 9, 9]
    const out = aggregateColumns(data(xs, latency, rate), 3, ['max', 'mean'])
    expect(out.columns).toEqual([
      [100, 103, 106],
      [5, null, 8],
      [3, 0, 9],
    ])
    // 900 seconds on a 300-pixel phone chart: 300 points of 3 seconds.
    const wide = aggregateColumns(data(Array.from({ length: 900 }, (_, i) => i), Array(900).fill(1)), 300, ['mean'])
    expect(wide.columns[0]).toHaveLength(300)
  })

  it("reads each line's newest value for the legend", () => {
    expect(latestValues(data([1, 2, 3], [4, null, null], [null, null, null], [0, 1, 0]))).toEqual([4, null, 0])
  })
})

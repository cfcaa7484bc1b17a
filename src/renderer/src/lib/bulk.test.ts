import { describe, expect, it } from 'vitest'
import { runBulk } from './bulk'

describe('runBulk', () => {
  it('runs every key, at most `concurrency` at once, and reports progress after each', async () => {
    let running = 0
    let peak = 0
    const seen: number[] = []
    const progress: number[] = []
    const result = await runBulk(
      [1, 2, 3, 4, 5, 6, 7],
      async (key) => {
        running++
        peak = Math.max(peak, running)
        await new Promise((resolve) => setImmediate(resolve))
        seen.push(key)
        running--
      },
      { concurrency: 3, onProgress: (p) => progress.push(p.done) },
    )
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(peak).toBe(3)
    expect(progress).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(result).toEqual({ done: 7, total: 7, failures: [] })
  })

  it('keeps going past failures and lists them', async () => {
    const result = await runBulk(['a', 'b', 'c'], async (key) => {
      if (key === 'b') throw new Error('b is not connected')
    })
    expect(result.done).toBe(3)
    expect(result.failures).toEqual([{ key: 'b', message: 'b is not connected' }])
  })

  it('stops taking new keys once cancelled', async () => {
    const signal = { cancelled: false }
    const seen: number[] = []
    await runBulk(
      [1, 2, 3, 4],
      async (key) => {
        seen.push(key)
        if (key === 2) signal.cancelled = true
      },
      { concurrency: 1, signal },
    )
    expect(seen).toEqual([1, 2])
  })
})

import { describe, expect, it } from 'vitest'
import { runBulk, runChunked } from './bulk'

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

describe('runChunked', () => {
  it('sends the keys in chunks, one call at a time, and reports progress after each call', async () => {
    const calls: number[][] = []
    const progress: Array<[number, number]> = []
    const result = await runChunked(
      [1, 2, 3, 4, 5, 6, 7],
      async (chunk) => {
        calls.push(chunk)
        return chunk.map((key) => ({ key, failure: key === 5 ? 'already running' : null }))
      },
      { chunkSize: 3, onProgress: (p) => progress.push([p.done, p.failures.length]) },
    )
    expect(calls).toEqual([[1, 2, 3], [4, 5, 6], [7]])
    expect(progress).toEqual([
      [0, 0],
      [3, 0],
      [6, 1],
      [7, 1],
    ])
    expect(result).toEqual({ done: 7, total: 7, failures: [{ key: 5, message: 'already running' }] })
  })

  it('fails every key of a call that fails as a whole, and goes on with the next chunk', async () => {
    const result = await runChunked(
      ['a', 'b', 'c'],
      async (chunk) => {
        if (chunk.includes('a')) throw new Error('server unreachable')
        return chunk.map((key) => ({ key, failure: null }))
      },
      { chunkSize: 2 },
    )
    expect(result.failures).toEqual([
      { key: 'a', message: 'server unreachable' },
      { key: 'b', message: 'server unreachable' },
    ])
    expect(result.done).toBe(3)
  })
})

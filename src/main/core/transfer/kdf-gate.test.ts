// The scrypt gate: two derivations at once, a few waiting, the rest refused as unavailable; every slot
// comes back whether the work succeeds or fails. Plus the real gate around real bundle decoding.

import { describe, expect, it } from 'vitest'
import { createKdfGate } from './kdf-gate'

function deferred(): { promise: Promise<void>; resolve(): void; reject(e: Error): void } {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('kdf gate', () => {
  it('runs two at once, queues two, refuses the rest, and frees slots on success and failure', async () => {
    const gate = createKdfGate(2, 2)
    const works = [deferred(), deferred(), deferred(), deferred()]
    const started: number[] = []
    const runs = works.map((w, i) =>
      gate.run(async () => {
        started.push(i)
        await w.promise
        return i
      }),
    )
    await Promise.resolve()
    expect(started).toEqual([0, 1])
    expect([gate.running, gate.waiting]).toEqual([2, 2])
    await expect(gate.run(async () => 'late')).rejects.toMatchObject({ code: 'unavailable' })
    works[0]!.reject(new Error('scrypt failed'))
    await expect(runs[0]).rejects.toThrow('scrypt failed')
    works[1]!.resolve()
    expect(await runs[1]).toBe(1)
    works[2]!.resolve()
    works[3]!.resolve()
    expect(await Promise.all(runs.slice(2))).toEqual([2, 3])
    expect(started).toEqual([0, 1, 2, 3])
    expect([gate.running, gate.waiting]).toEqual([0, 0])
  })
})

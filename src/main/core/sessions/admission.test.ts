import { describe, expect, it } from 'vitest'
import { createAdmission } from './admission'

describe('admission control', () => {
  it('lets `limit` in at once and the rest in order as slots are released; a release counts once', async () => {
    const gate = createAdmission(2)
    const order: number[] = []
    const releases = new Map<number, () => void>()
    const entered = [1, 2, 3, 4].map((n) =>
      gate.enter().then((release) => {
        order.push(n)
        releases.set(n, release)
      }),
    )
    await Promise.all(entered.slice(0, 2))
    expect(order).toEqual([1, 2])
    expect(gate.inFlight()).toBe(2)
    expect(gate.waiting()).toBe(2)

    releases.get(2)!()
    releases.get(2)!()
    await entered[2]
    expect(order).toEqual([1, 2, 3])
    expect(gate.inFlight()).toBe(2)
    expect(gate.waiting()).toBe(1)

    releases.get(1)!()
    await entered[3]
    expect(order).toEqual([1, 2, 3, 4])
    releases.get(3)!()
    releases.get(4)!()
    expect(gate.inFlight()).toBe(0)
  })

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => createAdmission(0)).toThrow(/at least 1/)
    expect(() => createAdmission(2.5)).toThrow(/whole number/)
  })
})

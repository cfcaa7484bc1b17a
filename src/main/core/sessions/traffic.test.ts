import { describe, expect, it } from 'vitest'
import { createTrafficCounter, TRAFFIC_STEP_MS, TRAFFIC_WINDOW_MS } from './traffic'

describe('the traffic counter', () => {
  it('counts the last 24 hours in 15-minute steps and remembers the newest time', () => {
    const counter = createTrafficCounter()
    const start = 1_700_000_000_000
    expect(counter.lastAt()).toBeNull()
    expect(counter.lastDay(start)).toBe(0)
    for (let i = 0; i < 10; i++) counter.record(start + i * 60_000)
    counter.record(start - 5_000)
    expect(counter.lastAt()).toBe(start + 9 * 60_000)
    expect(counter.lastDay(start + 10 * 60_000)).toBe(11)
    // A day and a step later, the first ones are out; a message now counts alone.
    const later = start + TRAFFIC_WINDOW_MS + 2 * TRAFFIC_STEP_MS
    expect(counter.lastDay(later)).toBe(0)
    counter.record(later)
    expect(counter.lastDay(later)).toBe(1)
    expect(counter.lastAt()).toBe(later)
  })

  it('reuses its slots as days pass, never counting an old day twice', () => {
    const counter = createTrafficCounter()
    const start = 1_700_000_000_000
    for (let day = 0; day < 5; day++) for (let i = 0; i < 3; i++) counter.record(start + day * TRAFFIC_WINDOW_MS + i)
    expect(counter.lastDay(start + 4 * TRAFFIC_WINDOW_MS + 10)).toBe(3)
  })
})

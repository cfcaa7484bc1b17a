import { describe, expect, it } from 'vitest'
import { createWatchers, MAX_WATCH_CLIENTS, MAX_WATCHED_PER_CLIENT } from './watchers'

function clock() {
  let ms = 1_000_000
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) }
}

describe('telemetry watchers', () => {
  it('unions the clients, replaces a client\'s list, and an empty list ends it', () => {
    const c = clock()
    const w = createWatchers({ now: c.now })
    expect(w.watch('client-one', ['a', 'b'])).toBe(60)
    w.watch('client-two', ['b', 'c'])
    expect([...w.watched()].sort()).toEqual(['a', 'b', 'c'])
    w.watch('client-one', ['d'])
    expect([...w.watched()].sort()).toEqual(['b', 'c', 'd'])
    expect(w.isWatched('a')).toBe(false)
    w.watch('client-two', [])
    expect([...w.watched()]).toEqual(['d'])
  })

  it('lets a lease lapse unless renewed', () => {
    const c = clock()
    const w = createWatchers({ now: c.now, leaseSeconds: 30 })
    w.watch('tab-aaaaaaaa', ['a'])
    w.watch('tab-bbbbbbbb', ['b'])
    c.advance(20)
    w.watch('tab-aaaaaaaa', ['a']) // renewed
    c.advance(15)
    expect(w.isWatched('a')).toBe(true)
    expect(w.isWatched('b')).toBe(false)
    c.advance(31)
    expect(w.watched().size).toBe(0)
  })

  it('is bounded per client and in clients, and forgets removed accounts', () => {
    const c = clock()
    const w = createWatchers({ now: c.now })
    w.watch('greedy-client', Array.from({ length: 50 }, (_, i) => `acct-${i}`))
    expect(w.watched().size).toBe(MAX_WATCHED_PER_CLIENT)
    for (let i = 0; i < MAX_WATCH_CLIENTS + 10; i++) w.watch(`client-${i}`, [`x-${i}`])
    // The oldest leases made room: the greedy one first.
    expect(w.isWatched('acct-0')).toBe(false)
    expect(w.isWatched(`x-${MAX_WATCH_CLIENTS + 9}`)).toBe(true)
    w.forget(`x-${MAX_WATCH_CLIENTS + 9}`)
    expect(w.isWatched(`x-${MAX_WATCH_CLIENTS + 9}`)).toBe(false)
  })
})

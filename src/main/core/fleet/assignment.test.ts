// The fleet's spreading decisions (assignment.ts) and how an account shows while it moves (present.ts).

import { describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { claimLimit, claimOrder, handOverTarget, loads, type FleetView } from './assignment'
import { presentAccount } from './present'

const accounts = (n: number): string[] => Array.from({ length: n }, (_, i) => `acc-${i}`)

function view(overrides: Partial<FleetView> & Pick<FleetView, 'serverId'>): FleetView {
  return { live: ['srv-a', 'srv-b', 'srv-c'], owners: new Map(), offered: new Map(), wanted: accounts(6), held: 0, capacity: Infinity, capacities: new Map(), ...overrides }
}

describe('fleet assignment', () => {
  it('claims up to the fair share, counting itself live even when its own heartbeat looks stale', () => {
    expect(claimLimit(view({ serverId: 'srv-a' }))).toBe(2)
    // Back from a pause: its heartbeat was old in the snapshot; it is not alone.
    expect(claimLimit(view({ serverId: 'srv-a', live: ['srv-b', 'srv-c'] }))).toBe(2)
    expect(claimLimit(view({ serverId: 'srv-a', capacity: 1 }))).toBe(1)
    expect(claimLimit(view({ serverId: 'srv-a', live: [], wanted: accounts(7) }))).toBe(7)
  })

  it('claims what is offered to it first, never what is offered to another server, and free ones in its own order', () => {
    const owners = new Map([['acc-0', 'srv-b']])
    const offered = new Map([
      ['acc-1', 'srv-a'],
      ['acc-2', 'srv-c'],
    ])
    const order = claimOrder(view({ serverId: 'srv-a', owners, offered }), (id) => String(9 - Number(id.slice(4))))
    expect(order).toEqual({ offered: ['acc-1'], free: ['acc-5', 'acc-4', 'acc-3'] })
  })

  it('hands one account over from the most loaded server to the least loaded, only when they differ by two or more', () => {
    const six = (owner: string) => new Map(accounts(6).map((id) => [id, owner]))
    // Six paired through srv-a: srv-a gives to srv-b (the least loaded, lowest id among equals).
    expect(handOverTarget(view({ serverId: 'srv-a', owners: six('srv-a'), held: 6 }))).toBe('srv-b')
    // The others are not the most loaded: they do not give.
    expect(handOverTarget(view({ serverId: 'srv-b', owners: six('srv-a') }))).toBeNull()
    // An offer in flight counts for its target, so the next gift goes to srv-c.
    const offered = new Map([['acc-5', 'srv-b']])
    const owners = new Map(accounts(5).map((id) => [id, 'srv-a']))
    expect(handOverTarget(view({ serverId: 'srv-a', owners, offered, held: 5 }))).toBe('srv-c')
    // [2, 2, 2]: even. [3, 2, 1]: one more move. [3, 3, 2]: even enough.
    const spread = (counts: number[]) => {
      const map = new Map<string, string>()
      let n = 0
      counts.forEach((count, i) => {
        for (let k = 0; k < count; k++) map.set(`acc-${n++}`, ['srv-a', 'srv-b', 'srv-c'][i]!)
      })
      return map
    }
    expect(handOverTarget(view({ serverId: 'srv-a', owners: spread([2, 2, 2]), held: 2 }))).toBeNull()
    expect(handOverTarget(view({ serverId: 'srv-a', owners: spread([3, 2, 1]), held: 3 }))).toBe('srv-c')
    expect(handOverTarget(view({ serverId: 'srv-a', owners: spread([3, 3, 2]), held: 3, wanted: accounts(8) }))).toBeNull()
    // A fourth server joins [2, 2, 2]: the lowest id among the most loaded gives it one.
    const four = { live: ['srv-a', 'srv-b', 'srv-c', 'srv-d'], owners: spread([2, 2, 2]) }
    expect(handOverTarget(view({ serverId: 'srv-a', ...four, held: 2 }))).toBe('srv-d')
    expect(handOverTarget(view({ serverId: 'srv-b', ...four, held: 2 }))).toBeNull()
  })

  it('leaves a capped server out of the others\' share: what it cannot take falls to them, never to nobody', () => {
    // srv-c runs none (capacity 0): six accounts split between srv-a and srv-b.
    const gateway = new Map([['srv-c', 0]])
    expect(claimLimit(view({ serverId: 'srv-a', capacities: gateway }))).toBe(3)
    expect(claimLimit(view({ serverId: 'srv-c', capacity: 0 }))).toBe(0)
    // srv-b takes at most one of seven: srv-a and srv-c share the other six.
    expect(claimLimit(view({ serverId: 'srv-a', wanted: accounts(7), capacities: new Map([['srv-b', 1]]) }))).toBe(3)
    // A cap above the share changes nothing.
    expect(claimLimit(view({ serverId: 'srv-a', capacities: new Map([['srv-b', 5]]) }))).toBe(2)
    // Every server capped at 0: nobody claims.
    expect(claimLimit(view({ serverId: 'srv-a', capacity: 0, live: ['srv-b'], capacities: new Map([['srv-b', 0]]) }))).toBe(0)
  })

  it('never hands an account over to a server at its capacity', () => {
    const six = new Map(accounts(6).map((id) => [id, 'srv-a']))
    // srv-b runs none by its capacity: srv-a gives to srv-c.
    expect(handOverTarget(view({ serverId: 'srv-a', owners: six, held: 6, capacities: new Map([['srv-b', 0]]) }))).toBe('srv-c')
    // Two servers, the other with capacity 0: nothing to give, however uneven.
    expect(handOverTarget(view({ serverId: 'srv-a', live: ['srv-a', 'srv-b'], owners: six, held: 6, capacities: new Map([['srv-b', 0]]) }))).toBeNull()
    // A server at a cap of 1 that holds one takes no more.
    const five = new Map([...accounts(5).map((id): [string, string] => [id, 'srv-a']), ['acc-5', 'srv-b']])
    expect(handOverTarget(view({ serverId: 'srv-a', live: ['srv-a', 'srv-b'], owners: five, held: 5, capacities: new Map([['srv-b', 1]]) }))).toBeNull()
  })

  it("counts its own accounts from memory and ignores dead servers' leases", () => {
    const owners = new Map([
      ['acc-0', 'srv-a'],
      ['acc-1', 'srv-dead'],
    ])
    expect(loads(view({ serverId: 'srv-a', owners, held: 3 }))).toEqual(new Map([
      ['srv-a', 3],
      ['srv-b', 0],
      ['srv-c', 0],
    ]))
  })
})

describe('an account while it moves', () => {
  const running = accountSummary('acc-1' as AccountId, { status: 'connected' })

  it('shows "moving" with no server when no live lease runs it although it is wanted and was running', () => {
    expect(presentAccount(running, null, true)).toMatchObject({ status: 'moving', server: null })
    expect(presentAccount(running, 'srv-b', true)).toMatchObject({ status: 'connected', server: 'srv-b' })
    // Stopped by the operator, or never running: as it is.
    expect(presentAccount(running, null, false)).toMatchObject({ status: 'connected', server: null })
    expect(presentAccount({ ...running, status: 'failed' }, null, true)).toMatchObject({ status: 'failed', server: null })
    expect(presentAccount({ ...running, status: 'pairing' }, null, true)).toMatchObject({ status: 'pairing', server: null })
  })
})

// Telemetry as the app wires it: ticks on the event bus carry the '*' aggregate always and an
// account only while a watch names it; the ranking and snapshots come out in milliseconds over the
// chosen range; key counts come from the source the core plugs in; the watch input is checked.

import { afterEach, describe, expect, it } from 'vitest'
import { commands, type EventMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { createMemoryAuthStoreFactory } from '../auth-store/memory-store'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { createTelemetry, type Telemetry } from './wiring'

const open: Telemetry[] = []
afterEach(() => {
  for (const t of open.splice(0)) t.dispose()
})

const A = 'acct-a' as AccountId
const B = 'acct-b' as AccountId

function setup() {
  const events = createEventBus(silentLogger())
  const telemetry = createTelemetry({ events, logger: silentLogger(), tickMs: 50 })
  open.push(telemetry)
  const factory = createMemoryAuthStoreFactory()
  const stores = { a: telemetry.instrument(factory.open(A)), b: telemetry.instrument(factory.open(B)) }
  /** Resolves with the next tick that satisfies `accept`, so the test waits on events, not on time. */
  function nextTick(accept: (tick: EventMessage<'telemetry:tick'>['payload']) => boolean) {
    return new Promise<EventMessage<'telemetry:tick'>['payload']>((resolve) => {
      const stop = events.subscribe((message) => {
        if (message.event !== 'telemetry:tick') return
        const tick = message.payload as EventMessage<'telemetry:tick'>['payload']
        if (!accept(tick)) return
        stop()
        resolve(tick)
      })
    })
  }
  return { events, telemetry, stores, factory, nextTick }
}

/** Keeps both accounts busy until stopped: a tick only carries finished seconds with operations. */
function busy(stores: Record<string, { get(type: string, ids: string[]): Promise<unknown> }>) {
  const timer = setInterval(() => {
    for (const store of Object.values(stores)) void store.get('session', ['x'])
  }, 20)
  return () => clearInterval(timer)
}

describe('telemetry wiring', () => {
  it('ticks carry the aggregate always, and an account only while it is watched', async () => {
    const { telemetry, stores, nextTick } = setup()
    const stop = busy(stores)
    try {
      const unwatched = await nextTick((t) => t.points.some((p) => p.account === '*'))
      expect(new Set(unwatched.points.map((p) => p.account))).toEqual(new Set(['*']))

      expect(telemetry.watch('view-aaaaaaaa', [A])).toBe(60)
      const watched = await nextTick((t) => t.points.some((p) => p.account === A))
      expect(new Set(watched.points.map((p) => p.account))).toEqual(new Set(['*', A]))
      // Milliseconds, as the contract says.
      expect(watched.points.every((p) => p.p99 < 1000)).toBe(true)

      telemetry.watch('view-aaaaaaaa', [])
      const after = await nextTick((t) => t.points.some((p) => p.account === '*') && t.t > watched.t)
      expect(after.points.some((p) => p.account === A)).toBe(false)
    } finally {
      stop()
    }
  }, 10_000)

  it('ranks every account over the chosen range, in milliseconds with ops per second', async () => {
    const { telemetry, stores } = setup()
    for (let i = 0; i < 30; i++) await stores.a.get('session', ['x'])
    await stores.b.set({ session: { y: new Uint8Array(3) } })
    const ranking = telemetry.ranking(60)
    expect(ranking.windowSeconds).toBe(60)
    const byAccount = new Map(ranking.rows.map((r) => [r.account, r]))
    expect(byAccount.get(A)).toMatchObject({ count: 30, errors: 0, opsPerSecond: 0.5 })
    expect(byAccount.get(B)?.count).toBe(1)
    expect(byAccount.get(A)!.p99).toBeLessThan(1000)
    const snap = telemetry.snapshot(A, 300)
    expect(snap).toMatchObject({ account: A, windowSeconds: 300, opsPerSecond: 30 / 300 })
    expect(snap.requests.keys_get?.count).toBe(30)
    // Checked at the boundary: only 1, 5 and 15 minutes.
    expect(commands['telemetry:ranking'].input.safeParse({ windowSeconds: 120 }).success).toBe(false)
    expect(commands['telemetry:snapshot'].input.safeParse({ windowSeconds: 300 }).success).toBe(true)
  })

  it('answers key counts of every account from the source, and nothing before one is plugged in', async () => {
    const { telemetry, factory } = setup()
    expect(await telemetry.keyCounts()).toEqual({ totals: {}, accounts: [] })
    await factory.open(A).set({ 'pre-key': { 1: new Uint8Array(1), 2: new Uint8Array(1) } })
    telemetry.useKeySource({ accounts: () => [A, B], count: (id) => factory.open(id).counts() })
    expect(await telemetry.keyCounts()).toEqual({
      totals: { 'pre-key': 2 },
      accounts: [
        { account: A, counts: { 'pre-key': 2 }, total: 2 },
        { account: B, counts: {}, total: 0 },
      ],
    })
  })

  it('refuses a watch with a malformed client id or too many accounts, with a readable message', () => {
    const input = commands['telemetry:watch'].input
    expect(input.safeParse({ client: 'view-aaaaaaaa', accounts: [A] }).success).toBe(true)
    const badClient = input.safeParse({ client: 'x', accounts: [] })
    expect(badClient.error?.issues[0]?.message).toMatch(/8 to 64 letters/)
    const tooMany = input.safeParse({ client: 'view-aaaaaaaa', accounts: Array.from({ length: 21 }, (_, i) => `acct-${i}`) })
    expect(tooMany.error?.issues[0]?.message).toBe('Watch at most 20 accounts at once.')
    expect(input.safeParse({ client: 'view-aaaaaaaa', accounts: ['Not An Id'] }).success).toBe(false)
  })
})

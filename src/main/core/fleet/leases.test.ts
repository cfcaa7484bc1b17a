// Leases and fencing at the store level: two "servers" (two pools, two lease managers, two auth store
// factories) in one test process against one real PostgreSQL cluster.

import { initAuthCreds } from '@whiskeysockets/baileys'
import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import type { AuthStoreFactory } from '../auth-store/types'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { pgAuthStoreFactory } from '../auth-store/pg-store'
import { silentLogger } from '../logger'
import { createLeaseManager, type LeaseManager, type LeaseOptions } from './leases'

const ACC = 'acc-1' as AccountId
const logger = silentLogger()

interface TestServer {
  id: string
  database: OpenedPostgres
  leases: LeaseManager
  stores: AuthStoreFactory
  lost: Array<{ account: AccountId; reason: string }>
}

describePostgres('leases with fencing', () => {
  const ref = usePostgresCluster()
  let url: string
  let dataKey: Buffer
  const servers: TestServer[] = []

  beforeEach(async () => {
    url = await ref.cluster.createDatabase()
    dataKey = randomBytes(32)
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      await s.leases.stop().catch(() => undefined)
      await s.database.close()
    }
  })

  async function server(id: string, options: Partial<LeaseOptions> = {}, holdWrite?: () => Promise<void>, leaseTtlMs?: number): Promise<TestServer> {
    const database = await openPostgres({ url, dataKey, logger, ...(leaseTtlMs ? { leaseTtlMs } : {}) })
    const lost: TestServer['lost'] = []
    const leases = createLeaseManager({
      pool: database.pool,
      control: database.control,
      serverId: id,
      url: `http://127.0.0.1:1/${id}`,
      logger,
      ttlMs: 60_000,
      onLost: (account, reason) => lost.push({ account, reason }),
      ...options,
    })
    await leases.register()
    const s = { id, database, leases, stores: pgAuthStoreFactory(database, { fence: leases, ...(holdWrite ? { holdWrite } : {}) }), lost }
    servers.push(s)
    return s
  }

  async function rows(database: OpenedPostgres): Promise<{ lease: unknown; digest: string }> {
    const lease = (await database.pool.query('SELECT owner, epoch::int AS epoch FROM leases WHERE account_id = $1', [ACC])).rows[0]
    const keys = (await database.pool.query("SELECT type, id, encode(value, 'hex') AS v FROM auth_keys WHERE account_id = $1 ORDER BY type, id", [ACC])).rows
    const creds = (await database.pool.query("SELECT encode(value, 'hex') AS v FROM auth_creds WHERE account_id = $1", [ACC])).rows
    return { lease, digest: createHash('sha256').update(JSON.stringify({ keys, creds })).digest('hex') }
  }

  /** Makes the lease expire now, as if its owner had stopped renewing for a whole ttl. */
  async function expire(database: OpenedPostgres): Promise<void> {
    await database.pool.query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE account_id = $1", [ACC])
  }

  it('gives a lease to one server at a time; the other cannot write a key', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    expect(await a.leases.claim(ACC)).toBe(1)
    expect(await b.leases.claim(ACC)).toBeNull()
    await a.stores.open(ACC).set({ session: { peer: Buffer.from('from a') } })
    const before = await rows(a.database)
    const refused = await b.stores.open(ACC).set({ session: { peer: Buffer.from('from b') } }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ code: 'conflict' })
    expect((refused as Error).message).toMatch(/holds no lease/)
    await expect(b.stores.open(ACC).saveCreds(initAuthCreds())).rejects.toMatchObject({ code: 'conflict' })
    expect(await rows(a.database)).toEqual(before)
    // Reads are not fenced: any server may look.
    expect(Object.keys(await b.stores.open(ACC).get('session', ['peer']))).toEqual(['peer'])
  })

  it('claims for an assignment round only while the operator wants the account running and has not moved it', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    const now = Date.now()
    await a.database.pool.query("INSERT INTO accounts (id, label, status, status_since, created_at, want_running) VALUES ($1, 'One', 'stopped', $2, $2, false)", [ACC, now])
    const lease = async (): Promise<unknown> => (await a.database.pool.query('SELECT owner, epoch::int AS epoch FROM leases WHERE account_id = $1', [ACC])).rows[0] ?? null
    // No lease row yet: stopped, then moved, then wanted.
    expect(await b.leases.claim(ACC, { wanted: true })).toBeNull()
    await a.database.pool.query("UPDATE accounts SET want_running = true, moved_to = 'http://127.0.0.1:9' WHERE id = $1", [ACC])
    expect(await b.leases.claim(ACC, { wanted: true })).toBeNull()
    expect(await lease()).toBeNull()
    await a.database.pool.query('UPDATE accounts SET moved_to = NULL WHERE id = $1', [ACC])
    expect(await b.leases.claim(ACC, { wanted: true })).toBe(1)
    // A released lease (the row is there): the stop written meanwhile keeps it free.
    await b.leases.release(ACC)
    await a.database.pool.query('UPDATE accounts SET want_running = false WHERE id = $1', [ACC])
    expect(await a.leases.claim(ACC, { wanted: true })).toBeNull()
    expect(await lease()).toEqual({ owner: null, epoch: 1 })
    // A claim that is not an assignment (a pairing, a start asked of this server) does not ask.
    expect(await a.leases.claim(ACC)).toBe(2)
  })

  it('fences the old owner after a takeover: it writes nothing, learns it lost the lease, and the epoch grew', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    expect(await a.leases.claim(ACC)).toBe(1)
    await a.stores.open(ACC).saveCreds(initAuthCreds())
    await expire(a.database)
    expect(await b.leases.claim(ACC)).toBe(2)
    await b.stores.open(ACC).set({ session: { peer: Buffer.from('from b') } })
    const before = await rows(a.database)
    expect(before.lease).toEqual({ owner: 'srv-b', epoch: 2 })

    // A still believes it holds epoch 1 (it was "paused"); its writes must all fail.
    expect(a.leases.token(ACC)).toEqual({ owner: 'srv-a', epoch: 1 })
    const refused = await a.stores.open(ACC).set({ session: { peer: Buffer.from('stale a') }, 'pre-key': { '1': Buffer.from('x') } }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'conflict' })
    expect((refused as Error).message).toMatch(/epoch 1\) was taken over/)
    expect(a.lost).toEqual([{ account: ACC, reason: expect.stringMatching(/taken over/) }])
    expect(a.leases.token(ACC)).toBeNull()
    await expect(a.stores.open(ACC).saveCreds(initAuthCreds())).rejects.toMatchObject({ code: 'conflict' })
    expect(await rows(a.database)).toEqual(before)
  })

  it('renewal finds a lease taken over and reports it before any write', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    await expire(a.database)
    await b.leases.claim(ACC)
    await a.leases.renew()
    expect(a.lost).toEqual([{ account: ACC, reason: expect.stringMatching(/another server took its lease over \(epoch 1/) }])
    expect(a.leases.held().size).toBe(0)    // The figures /metrics reports: one lease lost on A, one failover (takeover of an expired lease) on B.
    expect(a.leases.stats()).toEqual({ losses: 1, takeovers: 0 })
    expect(b.leases.stats()).toEqual({ losses: 0, takeovers: 1 })
  })

  it('counts a claim after a graceful release as no failover', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    await a.leases.release(ACC)
    expect(await b.leases.claim(ACC)).toBe(2)
    expect(a.leases.stats()).toEqual({ losses: 0, takeovers: 0 })
    expect(b.leases.stats()).toEqual({ losses: 0, takeovers: 0 })
  })

  it('renewal keeps a lease alive past its expiry, and the heartbeat moves', async () => {
    const a = await server('srv-a', { ttlMs: 2000, renewEveryMs: 400 })
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    const first = (await a.database.pool.query("SELECT heartbeat_at FROM servers WHERE id = 'srv-a'")).rows[0].heartbeat_at as Date
    const expiry = async (): Promise<Date> => (await a.database.pool.query('SELECT expires_at FROM leases WHERE account_id = $1', [ACC])).rows[0].expires_at
    const initial = await expiry()
    await a.leases.renew()
    expect((await expiry()).getTime()).toBeGreaterThan(initial.getTime())
    const second = (await a.database.pool.query("SELECT heartbeat_at FROM servers WHERE id = 'srv-a'")).rows[0].heartbeat_at as Date
    expect(second.getTime()).toBeGreaterThan(first.getTime())
    // Renewed on its timer for a span longer than the expiry: B never gets it.
    a.leases.start()
    const until = Date.now() + 3500
    while (Date.now() < until) {
      expect(await b.leases.claim(ACC)).toBeNull()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(a.lost).toEqual([])
    expect(a.leases.token(ACC)).toEqual({ owner: 'srv-a', epoch: 1 })
  })

  it('drops every lease by its own clock when it could not renew for a whole ttl', async () => {
    let clock = 0
    const a = await server('srv-a', { ttlMs: 1000, renewEveryMs: 300, now: () => clock })
    await a.leases.claim(ACC)
    await a.leases.claim('acc-2' as AccountId)
    clock = 999
    await a.leases.renew()
    expect(a.lost).toEqual([])
    // The last successful renewal was sent at 999; by 1999 nothing proves the lease still runs.
    clock = 1999
    await a.leases.renew()
    expect(a.lost.map((l) => l.account).sort()).toEqual(['acc-1', 'acc-2'])
    expect(a.lost[0]!.reason).toMatch(/could not be renewed for 1000 ms/)
    await expect(a.stores.open(ACC).set({ session: { x: Buffer.from('x') } })).rejects.toMatchObject({ code: 'conflict' })
  })

  it('a released lease moves at once, and epochs grow with every owner', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    expect(await a.leases.claim(ACC)).toBe(1)
    await a.leases.release(ACC)
    expect(await b.leases.claim(ACC)).toBe(2)
    await b.leases.release(ACC)
    expect(await a.leases.claim(ACC)).toBe(3)
    // Claiming what it holds is a no-op, not a new epoch that would fence its own writes.
    expect(await a.leases.claim(ACC)).toBe(3)
    await a.stores.open(ACC).set({ session: { peer: Buffer.from('a again') } })
    expect((await rows(a.database)).lease).toEqual({ owner: 'srv-a', epoch: 3 })
  })

  it('stop releases every lease and removes the server row', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    await a.leases.claim('acc-2' as AccountId)
    await a.leases.stop()
    const registered = (await b.database.pool.query('SELECT id FROM servers ORDER BY id')).rows.map((r) => r.id)
    expect(registered).toEqual(['srv-b'])
    expect(await b.leases.claim(ACC)).toBe(2)
    expect(await b.leases.claim('acc-2' as AccountId)).toBe(2)
    expect(await a.leases.claim(ACC)).toBeNull()
  })

  it('stop waits for a renewal in flight, so its heartbeat does not bring the server row back', async () => {
    const b = await server('srv-b')
    // A's renewals go through a gate the test opens: one is sent, and lands only after the stop began.
    let armed = false
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    const control = {
      query: async (...args: Parameters<pg.Pool['query']>) => {
        if (armed) await gate
        return (b.database.control.query as (...a: unknown[]) => Promise<unknown>)(...args)
      },
    } as unknown as pg.Pool
    const a = await server('srv-a', { control })
    await a.leases.claim(ACC)
    armed = true
    const renewing = a.leases.renew()
    const stopping = a.leases.stop()
    await expect.poll(async () => (await b.database.pool.query('SELECT owner FROM leases WHERE account_id = $1', [ACC])).rows[0]?.owner).toBeNull()
    open()
    await renewing
    await stopping
    expect((await b.database.pool.query('SELECT id FROM servers ORDER BY id')).rows.map((r) => r.id)).toEqual(['srv-b'])
  })

  it('a write in flight finishes before a takeover; the next one is fenced', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    await expire(a.database)
    // Many keys: the write holds its lease row (FOR KEY SHARE) while it runs; B's claim skips the row
    // meanwhile (it never waits on another server) and takes it on a later try.
    const big = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, randomBytes(64)]))
    const write = a.stores.open(ACC).set({ session: big })
    const claim = (async () => {
      for (;;) {
        const epoch = await b.leases.claim(ACC)
        if (epoch !== null) return epoch
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    const [written, epoch] = await Promise.allSettled([write, claim])
    expect(epoch).toEqual({ status: 'fulfilled', value: 2 })
    // Either A's write landed whole (before the takeover) or it was fenced whole: never part of it.
    const count = (await a.database.pool.query('SELECT count(*)::int AS n FROM auth_keys WHERE account_id = $1', [ACC])).rows[0].n
    expect(count).toBe(written.status === 'fulfilled' ? 3000 : 0)
    await expect(a.stores.open(ACC).set({ session: { after: Buffer.from('x') } })).rejects.toMatchObject({ code: 'conflict' })
  })

  it("renews while a key write of its own is open, and a takeover's claim skips that lease instead of waiting", async () => {
    let release!: () => void
    let holding!: () => void
    const held = new Promise<void>((resolve) => (holding = resolve))
    const a = await server('srv-a', { ttlMs: 2000, renewEveryMs: 600 }, () => {
      holding()
      return new Promise<void>((resolve) => (release = resolve))
    })
    const b = await server('srv-b', { ttlMs: 2000, renewEveryMs: 600 })
    await a.leases.claim(ACC)
    const write = a.stores.open(ACC).set({ session: { peer: Buffer.from('held') } })
    await held
    // The write holds its lease row; the owner's renewal goes through anyway, at once.
    let started = performance.now()
    await a.leases.renew()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(a.lost).toEqual([])
    // Expired, the lease is still locked by the write: another server's claim moves on (null), at once.
    await expire(a.database)
    started = performance.now()
    expect(await b.leases.claim(ACC)).toBeNull()
    expect(performance.now() - started).toBeLessThan(1000)
    release()
    await write
    expect(await b.leases.claim(ACC)).toBe(2)
  })

  it('ends a transaction left open by a paused writer within a third of the ttl, so the takeover proceeds', async () => {
    // The "paused" writer never sends its statements; PostgreSQL ends its session (idle in transaction).
    const a = await server('srv-a', { ttlMs: 3000, renewEveryMs: 1000 }, () => new Promise<void>((resolve) => setTimeout(resolve, 2500)), 3000)
    const b = await server('srv-b', { ttlMs: 3000, renewEveryMs: 1000 }, undefined, 3000)
    expect(a.database.timeouts).toEqual({ idleInTransactionMs: 1000, lockMs: 1000, statementMs: 3000 })
    await a.leases.claim(ACC)
    const write = a.stores.open(ACC).set({ session: { peer: Buffer.from('never') } }).catch((e: unknown) => e)
    await expire(a.database)
    const started = performance.now()
    let epoch: number | null = null
    while (epoch === null) {
      epoch = await b.leases.claim(ACC)
      if (epoch === null) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // Taken within the idle-in-transaction limit (1 s) and some slack, not after the writer's 2.5 s.
    expect(performance.now() - started).toBeLessThan(2000)
    expect(epoch).toBe(2)
    expect(await write).toBeInstanceOf(AppError)
    expect((await rows(b.database)).digest).toBe((await rows(a.database)).digest)
    const keys = (await b.database.pool.query('SELECT count(*)::int AS n FROM auth_keys WHERE account_id = $1', [ACC])).rows[0].n
    expect(keys).toBe(0)
  })

  it('a lease locked by a takeover in progress is neither renewed nor reported lost until the takeover commits', async () => {
    const a = await server('srv-a')
    const b = await server('srv-b')
    await a.leases.claim(ACC)
    await expire(a.database)
    const taker = await b.database.pool.connect()
    try {
      await taker.query('BEGIN')
      await taker.query('SELECT 1 FROM leases WHERE account_id = $1 FOR UPDATE', [ACC])
      await a.leases.renew()
      expect(a.lost).toEqual([])
      await taker.query("UPDATE leases SET owner = 'srv-b', epoch = epoch + 1, expires_at = clock_timestamp() + interval '1 minute' WHERE account_id = $1", [ACC])
      await taker.query('COMMIT')
    } finally {
      taker.release()
    }
    await a.leases.renew()
    expect(a.lost).toEqual([{ account: ACC, reason: expect.stringMatching(/took its lease over/) }])
  })

  it('a lease handed over may be claimed by its target alone for one ttl', async () => {
    const a = await server('srv-a', { ttlMs: 1000, renewEveryMs: 300 })
    const b = await server('srv-b', { ttlMs: 1000, renewEveryMs: 300 })
    const c = await server('srv-c', { ttlMs: 1000, renewEveryMs: 300 })
    await a.leases.claim(ACC)
    await a.leases.handOver(ACC, 'srv-c')
    expect(a.leases.held().size).toBe(0)
    expect(await b.leases.claim(ACC)).toBeNull()
    expect(await c.leases.claim(ACC)).toBe(2)
    expect(c.leases.stats().takeovers).toBe(0)
    // An offer its target never took lapses after a ttl: then anyone may claim.
    await c.leases.handOver(ACC, 'srv-gone')
    expect(await b.leases.claim(ACC)).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await b.leases.claim(ACC)).toBe(3)
  })

  it('refuses a lease expiry that cannot work', () => {
    expect(() => createLeaseManager({ pool: {} as never, serverId: 'x', url: 'http://x', logger, ttlMs: 50 })).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    )
    expect(() => createLeaseManager({ pool: {} as never, serverId: 'x', url: 'http://x', logger, ttlMs: 1000, renewEveryMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    )
  })
})

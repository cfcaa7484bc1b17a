// The fleet's webhook outbox on a throwaway PostgreSQL cluster: two "servers" (two services with their
// own server ids and pools, as two processes would have) share one outbox; every event goes out exactly
// once, in order per account, whichever server takes it; a claim left by a server that died mid-attempt
// expires and the other server sends the row. A real receiver on 127.0.0.1.

import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { createPgOutbox } from './pg-outbox'
import { startReceiver, type Receiver } from '../../../../test/support/webhook-receiver'
import { createWebhookService, FLEET_ENDPOINTS_STALE_MS, type WebhookService } from './webhook-service'

const RETRY = { retry: { baseMs: 20, maxMs: 200, deadAfterMs: 60_000 }, timeoutMs: 2_000 }

describePostgres('webhook outbox on PostgreSQL', () => {
  const ref = usePostgresCluster()
  const opened: OpenedPostgres[] = []
  const services: WebhookService[] = []
  let receiver: Receiver | null = null

  afterEach(async () => {
    for (const s of services.splice(0)) await s.close()
    for (const d of opened.splice(0)) await d.close()
    await receiver?.close()
    receiver = null
  })

  async function server(url: string, key: Buffer, id: string, monotonic?: () => number): Promise<{ db: OpenedPostgres; hooks: WebhookService }> {
    const db = await openPostgres({ url, dataKey: key, logger: silentLogger() })
    opened.push(db)
    const hooks = await createWebhookService({ outbox: createPgOutbox(db.pool, id), sealer: db.sealer, logger: silentLogger(), ...RETRY, ...(monotonic ? { monotonic } : {}) })
    services.push(hooks)
    return { db, hooks }
  }

  it('delivers each event exactly once across two servers, in order per account', async () => {
    const url = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    const a = await server(url, key, 'srv-a')
    const b = await server(url, key, 'srv-b')
    receiver = await startReceiver()
    const { secret } = await a.hooks.add({ url: receiver.url, events: ['accounts:message'] })
    // Server B learns of the endpoint within 2 s by itself; reading the list makes it look now.
    expect(await b.hooks.list()).toHaveLength(1)
    // Both servers produce events (each for the accounts it runs) and both deliver.
    const busA = a.hooks.capture(createEventBus(silentLogger()))
    const busB = b.hooks.capture(createEventBus(silentLogger()))
    const sent = new Map<string, string[]>()
    for (let i = 0; i < 60; i += 1) {
      const account = `acc-${i % 6}`
      const text = `m${i}`
      sent.set(account, [...(sent.get(account) ?? []), text])
      ;(i % 6 < 3 ? busA : busB).emit('accounts:message', { account: account as never, id: `id-${i}`, from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text, at: Date.now() })
    }
    // Each lane's ten events go one after another, five statements each: at a load of 20+ on two cores
    // that took over 20 s. The count below, not this wait, is what the test checks.
    await receiver.count(() => true, 60, 60_000)
    await expect.poll(async () => (await a.hooks.list())[0]!.pending, { timeout: 10_000 }).toBe(0)
    // One send per attempt: a delivery arrives as often as its row counts attempts. An attempt that
    // timed out (its answer later than 2 s, as under heavy load) is retried and arrives again, under the
    // same delivery id; a second server sending an attempt would arrive more often than counted.
    const rows = await a.db.pool.query<{ delivery_id: string; attempts: number; error: string | null }>(
      "SELECT delivery_id, attempts, error FROM webhook_outbox WHERE event = 'accounts:message'",
    )
    const attempts = new Map(rows.rows.map((r) => [r.delivery_id, r.attempts]))
    const arrived = new Map<string, number>()
    for (const r of receiver.received) arrived.set(r.delivery, (arrived.get(r.delivery) ?? 0) + 1)
    const extra = [...arrived].reduce((n, [id, times]) => n + Math.max(0, times - (attempts.get(id) ?? 0)), 0)
    // The soak (npm run soak:webhooks) reads this count from the message.
    expect(extra, `${extra} duplicate deliveries`).toBe(0)
    expect(arrived.size).toBe(60)
    // Every row delivered by its last attempt.
    expect(rows.rows.filter((r) => r.error !== null)).toEqual([])
    for (const r of receiver.received) expect(receiver.verify(r, secret)).toBe(true)
    for (const [account, texts] of sent) {
      // In order, each by its first arrival (a retried attempt arrives again before the next of its lane).
      const got = receiver.received
      const firsts = got.filter((r, i) => r.body.account === account && got.findIndex((o) => o.delivery === r.delivery) === i)
      expect(firsts.map((r) => (r.body.data as { text: string }).text)).toEqual(texts)
    }
    // The same message reported again (after a failover) maps to the same delivery id: not sent twice.
    busB.emit('accounts:message', { account: 'acc-0' as never, id: 'id-0', from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'm0', at: Date.now() })
    await b.hooks.test((await b.hooks.list())[0]!.id)
    await receiver.next((r) => r.event === 'webhooks:test')
    expect(receiver.received.filter((r) => r.event === 'accounts:message').length).toBe([...arrived.values()].reduce((n, t) => n + t, 0))
  }, 120_000)

  it('counts the failed deliveries of each account, for every server alike', async () => {
    const url = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    const a = await server(url, key, 'srv-a')
    const b = await server(url, key, 'srv-b')
    receiver = await startReceiver((r) => (r.body.account === 'acc-bad' ? 500 : 200))
    const { id } = await a.hooks.add({ url: receiver.url, events: ['accounts:message'] })
    const bus = a.hooks.capture(createEventBus(silentLogger()))
    for (const account of ['acc-bad', 'acc-good']) {
      bus.emit('accounts:message', { account: account as never, id: `f-${account}`, from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'x', at: Date.now() })
    }
    await receiver.next((r) => r.body.account === 'acc-good')
    await receiver.next((r) => r.body.account === 'acc-bad')
    await expect.poll(async () => (await a.hooks.deliveries({ id })).find((d) => d.account === 'acc-bad')?.attempts ?? 0, { timeout: 10_000 }).toBeGreaterThan(0)
    for (const member of [a, b]) expect(await member.hooks.failures(['acc-bad', 'acc-good', 'acc-none'])).toEqual(new Map([['acc-bad', 1]]))
  }, 60_000)

  it('a server whose endpoint list went stale reads it before writing an event, and the event waits when it cannot', async () => {
    const url = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    let clock = 0
    const b = await server(url, key, 'srv-b', () => clock)
    const a = await server(url, key, 'srv-a')
    receiver = await startReceiver()
    const { id } = await a.hooks.add({ url: receiver.url, events: ['accounts:message'] })
    const bus = b.hooks.capture(createEventBus(silentLogger()))
    const message = (n: number) => ({ account: 'acc-1' as never, id: `s-${n}`, from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text: `m${n}`, at: Date.now() })
    // Its reads failed for longer than the bound (as while PostgreSQL restarts): the next event reads first.
    clock += FLEET_ENDPOINTS_STALE_MS
    expect(await bus.emit('accounts:message', message(1))).toBe(true)
    const rows = await a.db.pool.query<{ webhook_id: string; lane: string }>('SELECT webhook_id, lane FROM webhook_outbox')
    expect(rows.rows).toEqual([{ webhook_id: id, lane: 'acc-1' }])
    await receiver.next((r) => r.body.account === 'acc-1')
    // Stale again, and the database cannot be read: the event is not recorded, so its receipt waits.
    await b.hooks.close()
    await b.db.close()
    opened.splice(opened.indexOf(b.db), 1)
    clock += FLEET_ENDPOINTS_STALE_MS
    expect(await bus.emit('accounts:message', message(2))).toBe(false)
  }, 60_000)

  it('a row claimed by a server that died is sent by another once the claim expires', async () => {
    const url = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    const a = await server(url, key, 'srv-a')
    receiver = await startReceiver()
    const { id } = await a.hooks.add({ url: receiver.url, events: ['accounts:changed'] })
    await a.hooks.close()
    // What a server that died mid-attempt leaves: a pending row claimed by it, not yet expired.
    const outbox = createPgOutbox(a.db.pool, 'srv-dead')
    await outbox.enqueue([{ deliveryId: '11111111-2222-4333-8444-555555555555', webhookId: id, lane: 'acc-x', event: 'accounts:changed', payload: Buffer.alloc(0), createdAt: Date.now() }])
    // Sealed as the service seals it, so the other server can open it.
    await a.db.pool.query(`UPDATE webhook_outbox SET payload = $1, claimed_by = 'srv-dead', claimed_until = $2`, [
      a.db.sealer.seal(Buffer.from(JSON.stringify({ event: 'accounts:changed', account: 'acc-x', data: { id: 'acc-x' } })), Buffer.from('webhook-payload:11111111-2222-4333-8444-555555555555')),
      Date.now() + 1500,
    ])
    const claimedAt = Date.now()
    const b = await server(url, key, 'srv-b')
    const got = await receiver.next((r) => r.delivery === '11111111-2222-4333-8444-555555555555', 10_000)
    expect(got.at - claimedAt).toBeGreaterThanOrEqual(1400)
    expect(receiver.received).toHaveLength(1)
    await expect.poll(async () => (await b.hooks.deliveries({ id }))[0]!.status).toBe('delivered')
  }, 60_000)
  it('a server that stops gives its claims back at once', async () => {
    const url = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    const a = await server(url, key, 'srv-a')
    receiver = await startReceiver()
    const { id } = await a.hooks.add({ url: receiver.url, events: ['accounts:changed'] })
    await a.hooks.close()
    const outbox = createPgOutbox(a.db.pool, 'srv-stopping')
    const deliveryId = '22222222-2222-4333-8444-555555555555'
    await outbox.enqueue([{ deliveryId, webhookId: id, lane: 'acc-y', event: 'accounts:changed', payload: Buffer.alloc(0), createdAt: Date.now() }])
    const now = Date.now()
    const { rows } = await outbox.claim({ now, limit: 10, busy: new Set(), maxPerWebhook: 8, inFlight: new Map(), claimMs: 60_000 })
    expect(rows.map((r) => r.deliveryId)).toEqual([deliveryId])
    await outbox.releaseAll()
    // Another server finds the row due at once, not after the minute the claim had left.
    const other = createPgOutbox(a.db.pool, 'srv-other')
    const again = await other.claim({ now: Date.now(), limit: 10, busy: new Set(), maxPerWebhook: 8, inFlight: new Map(), claimMs: 60_000 })
    expect(again.rows.map((r) => r.deliveryId)).toEqual([deliveryId])
  }, 60_000)
})

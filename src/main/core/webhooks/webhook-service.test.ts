// Webhooks on a real SQLite database and a real HTTP receiver on 127.0.0.1: signatures, retries with
// the same delivery id, order per account, dead letters, a slow endpoint next to a fast one, the
// in-flight bound, bad input, sealing at rest. Retry delays are shortened through the injected policy.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ReceivedMessage } from '../../../shared/contract'
import { createDispatch } from '../api/dispatch'
import { createHandlers, type HandlerDeps } from '../api/handlers'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { createEventBus, type EventBus } from '../events'
import { silentLogger } from '../logger'
import { retryDelay, DEFAULT_RETRY } from './dispatcher'
import { createSqliteOutbox } from './sqlite-outbox'
import { startReceiver, type Receiver } from '../../../../test/support/webhook-receiver'
import { createWebhookService, type WebhookOptions, type WebhookService } from './webhook-service'

const FAST: WebhookOptions = { retry: { baseMs: 20, maxMs: 200, deadAfterMs: 60_000 }, timeoutMs: 5_000 }

let dir: string
let database: OpenedDatabase
let service: WebhookService | null = null
let bus: EventBus
const receivers: Receiver[] = []

async function open(options: WebhookOptions = FAST): Promise<WebhookService> {
  await service?.close()
  service = await createWebhookService({ outbox: createSqliteOutbox(database.sqlite), sealer: database.sealer, logger: silentLogger(), ...options })
  bus = service.capture(createEventBus(silentLogger()))
  return service
}

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args)
  receivers.push(r)
  return r
}

function message(account: string, text: string): ReceivedMessage {
  return { account: account as ReceivedMessage['account'], id: randomBytes(8).toString('hex'), from: '4915130000001@s.whatsapp.net', fromPhone: '+4915130000001', fromLid: null, text, at: Date.now() }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'irish-webhooks-'))
  database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
})

afterEach(async () => {
  await service?.close()
  service = null
  for (const r of receivers.splice(0)) await r.close()
  database.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('webhook delivery', () => {
  it('signs each delivery so the receiver can check it, and a wrong secret fails the check', async () => {
    const hooks = await open()
    const r = await receiver()
    const added = await hooks.add({ url: r.url, events: ['accounts:message'] })
    expect(added.secret).toMatch(/^whsec_[\w-]{43}$/)
    bus.emit('accounts:message', message('acc-a', 'hello'))
    const got = await r.next(() => true)
    expect(got.event).toBe('accounts:message')
    expect(got.delivery).toMatch(/^[0-9a-f-]{36}$/)
    expect(got.signature).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(r.verify(got, added.secret)).toBe(true)
    expect(r.verify(got, `${added.secret}x`)).toBe(false)
    // The timestamp is inside the signed body: changing it breaks the signature.
    expect(got.body).toMatchObject({ id: got.delivery, event: 'accounts:message', account: 'acc-a', data: { text: 'hello' } })
    expect(Math.abs(got.body.timestamp - Date.now())).toBeLessThan(10_000)
    const replayed = { ...got, raw: got.raw.replace(`"timestamp":${got.body.timestamp}`, `"timestamp":${got.body.timestamp + 1}`) }
    expect(replayed.raw).not.toBe(got.raw)
    expect(r.verify(replayed, added.secret)).toBe(false)
  })

  it('uses the secret given, and never lists it', async () => {
    const hooks = await open()
    const r = await receiver()
    const secret = 'a-secret-the-operator-chose'
    const added = await hooks.add({ url: r.url, events: ['accounts:changed'], secret })
    expect(added.secret).toBe(secret)
    expect(JSON.stringify(hooks.list())).not.toContain(secret)
    bus.emit('accounts:changed', { id: 'acc-b' } as never)
    expect(r.verify(await r.next(() => true), secret)).toBe(true)
  })

  it('retries 500, 500, 200 with the same delivery id, and the event counts as delivered once', async () => {
    const hooks = await open()
    let calls = 0
    const r = await receiver(() => (++calls <= 2 ? 500 : 200))
    const { id } = await hooks.add({ url: r.url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-a', 'retry me'))
    const three = await r.count(() => true, 3)
    expect(new Set(three.map((x) => x.delivery)).size).toBe(1)
    // Backoff: the second gap is about twice the first (20 ms, 40 ms, ±20 %).
    const gaps = [three[1]!.at - three[0]!.at, three[2]!.at - three[1]!.at]
    expect(gaps[0]).toBeGreaterThanOrEqual(14)
    expect(gaps[1]).toBeGreaterThanOrEqual(30)
    await hooks.idle()
    const [delivery] = await hooks.deliveries({ id })
    // The receiver is on loopback: its status and timing are kept, its answer's text is not (post.ts).
    expect(delivery).toMatchObject({ deliveryId: three[0]!.delivery, status: 'delivered', attempts: 3, statusCode: 200, response: null })
    expect((await hooks.list())[0]).toMatchObject({ failuresInARow: 0, pending: 0, dead: 0 })
    expect((await hooks.list())[0]!.lastSuccessAt).toBeGreaterThan(0)
    expect(r.received).toHaveLength(3)
  })

  it('keeps order within an account: the next event waits until the failing one is through', async () => {
    const hooks = await open()
    const failedOnce = new Set<string>()
    const r = await receiver((x) => {
      if ((x.body.data as ReceivedMessage).text === 'first' && !failedOnce.has(x.delivery)) {
        failedOnce.add(x.delivery)
        return 503
      }
      return 200
    })
    await hooks.add({ url: r.url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-a', 'first'))
    bus.emit('accounts:message', message('acc-a', 'second'))
    bus.emit('accounts:message', message('acc-b', 'other account'))
    await r.count(() => true, 4)
    const texts = r.received.map((x) => (x.body.data as ReceivedMessage).text)
    expect(texts.filter((t) => t !== 'other account')).toEqual(['first', 'first', 'second'])
    // Another account's lane did not wait for acc-a's retry.
    expect(texts.indexOf('other account')).toBeLessThan(texts.lastIndexOf('first'))
  })

  it('dead-letters an event after its retry window and releases the events queued behind it', async () => {
    const hooks = await open({ retry: { baseMs: 10, maxMs: 40, deadAfterMs: 150 }, timeoutMs: 5_000 })
    const r = await receiver((x) => ((x.body.data as ReceivedMessage).text === 'poison' ? 500 : 200))
    const { id } = await hooks.add({ url: r.url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-a', 'poison'))
    bus.emit('accounts:message', message('acc-a', 'behind it'))
    await r.next((x) => (x.body.data as ReceivedMessage).text === 'behind it')
    await hooks.idle()
    const dead = await hooks.deliveries({ id, status: 'dead' })
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ statusCode: 500, error: 'HTTP 500', nextAttemptAt: null })
    expect(dead[0]!.attempts).toBeGreaterThan(2)
    expect((await hooks.list())[0]).toMatchObject({ dead: 1, pending: 0 })
    // The account whose event failed has one failure; the other account none.
    expect(await hooks.failures(['acc-a', 'acc-b'])).toEqual(new Map([['acc-a', 1]]))

    // Redelivery sends it again with the same delivery id.
    const before = r.received.length
    const again = await hooks.redeliver(dead[0]!.deliveryId)
    expect(again.status).toBe('pending')
    const resent = await r.next((x) => x.delivery === dead[0]!.deliveryId && r.received.indexOf(x) >= before)
    expect(resent.event).toBe('accounts:message')
  })

  it('a slow endpoint that never answers does not delay a fast one', async () => {
    const hooks = await open({ ...FAST, timeoutMs: 10_000 })
    const slow = await receiver(() => 'hang')
    const fast = await receiver()
    await hooks.add({ url: slow.url, events: ['accounts:message'] })
    await hooks.add({ url: fast.url, events: ['accounts:message'] })
    const started = Date.now()
    for (let i = 0; i < 30; i += 1) bus.emit('accounts:message', message(`acc-${i % 5}`, `m${i}`))
    await fast.count(() => true, 30, 5_000)
    // All 30 reached the fast endpoint long before the slow one's 10 s timeout.
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(slow.received.length).toBeGreaterThan(0)
    expect(slow.received.length).toBeLessThanOrEqual(8)
  })

  it('an endpoint with more due lanes than a pass takes never holds back another endpoint', async () => {
    const hooks = await open({ ...FAST, timeoutMs: 10_000 })
    const slow = await receiver(() => 'hang')
    await hooks.add({ url: slow.url, events: ['accounts:message'] })
    // 600 accounts, 600 lane heads due at once for the slow endpoint: more than one pass claims (500).
    for (let i = 0; i < 600; i += 1) bus.emit('accounts:message', message(`acc-${i}`, `s${i}`))
    await slow.count(() => true, 8)
    const fast = await receiver()
    await hooks.add({ url: fast.url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-late', 'for the fast one'))
    // Sent on the next pass, not after the slow endpoint's 10 s timeout frees its rows.
    await fast.count(() => true, 1, 5_000)
    expect(slow.received).toHaveLength(8)
  })

  it('keeps at most maxInFlight requests open per endpoint', async () => {
    const hooks = await open({ ...FAST, maxInFlight: 3 })
    const slow = await receiver(() => 'hang')
    await hooks.add({ url: slow.url, events: ['accounts:message'] })
    for (let i = 0; i < 10; i += 1) bus.emit('accounts:message', message(`acc-${i}`, 'x'))
    await slow.count(() => true, 3)
    // Give the dispatcher every chance to overshoot: a test event and another pass.
    await hooks.test((await hooks.list())[0]!.id)
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(slow.received).toHaveLength(3)
  })

  it('a message reported twice (WhatsApp delivers it again after a restart) goes out once', async () => {
    const hooks = await open()
    const r = await receiver()
    await hooks.add({ url: r.url, events: ['accounts:message'] })
    const once = message('acc-a', 'only once')
    bus.emit('accounts:message', once)
    bus.emit('accounts:message', { ...once })
    bus.emit('accounts:message', message('acc-a', 'next'))
    await r.next((x) => (x.body.data as ReceivedMessage).text === 'next')
    expect(r.received.map((x) => (x.body.data as ReceivedMessage).text)).toEqual(['only once', 'next'])
  })

  it('sends a test event to one endpoint on request', async () => {
    const hooks = await open()
    const r = await receiver()
    const { id, secret } = await hooks.add({ url: r.url, events: ['accounts:changed'] })
    const queued = await hooks.test(id)
    expect(queued).toMatchObject({ event: 'webhooks:test', account: null, status: 'pending' })
    const got = await r.next(() => true)
    expect(got).toMatchObject({ event: 'webhooks:test', delivery: queued.deliveryId })
    expect(r.verify(got, secret)).toBe(true)
  })

  it('delivers only subscribed events, and nothing once the endpoint is removed', async () => {
    const hooks = await open()
    const r = await receiver()
    const { id } = await hooks.add({ url: r.url, events: ['accounts:removed'] })
    bus.emit('accounts:message', message('acc-a', 'not subscribed'))
    bus.emit('accounts:removed', { id: 'acc-a' } as never)
    await r.next((x) => x.event === 'accounts:removed')
    await hooks.remove(id)
    bus.emit('accounts:removed', { id: 'acc-b' } as never)
    expect(await hooks.list()).toEqual([])
    await expect(hooks.deliveries({ id })).rejects.toThrow(/no webhook/)
    expect(r.received.map((x) => x.event)).toEqual(['accounts:removed'])
  })

  it('keeps secrets, addresses and payloads sealed at rest', async () => {
    const hooks = await open()
    const r = await receiver(() => 500)
    // A receiver that takes its credentials in the query string.
    const url = `${r.url}?access_token=receiver-credential-42`
    const { secret } = await hooks.add({ url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-a', 'a very private text'))
    expect((await r.next(() => true)).path).toBe('/hook?access_token=receiver-credential-42')
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const bytes = readFileSync(join(dir, 'irish.db'))
    expect(bytes.includes(Buffer.from('a very private text'))).toBe(false)
    expect(bytes.includes(Buffer.from(secret))).toBe(false)
    expect(bytes.includes(Buffer.from('receiver-credential-42'))).toBe(false)
    // And the service still reads them.
    expect((await hooks.deliveries({}))[0]!.payloadPreview).toContain('a very private text')
    expect((await hooks.list())[0]!.url).toBe(url)
    expect(database.sqlite.prepare('SELECT url FROM webhooks').get()).toEqual({ url: null })
  })

  it('after a restart, what was pending goes out', async () => {
    let hooks = await open()
    const down = await receiver(() => 500)
    const { secret } = await hooks.add({ url: down.url, events: ['accounts:message'] })
    bus.emit('accounts:message', message('acc-a', 'kept'))
    await down.next(() => true)
    await hooks.close()
    const port = down.port
    await down.close()
    receivers.splice(receivers.indexOf(down), 1)
    const up = await receiver(() => 200, port)
    hooks = await open()
    const got = await up.next(() => true)
    expect((got.body.data as ReceivedMessage).text).toBe('kept')
    expect(up.verify(got, secret)).toBe(true)
  })
})

describe('webhook input', () => {
  function dispatchWith(hooks: WebhookService) {
    return createDispatch(createHandlers({ webhooks: hooks } as unknown as HandlerDeps), silentLogger())
  }

  it.each([
    ['a non-loopback http URL', 'http://hooks.example.com/x', /Refusing http:\/\/hooks\.example\.com.*unencrypted/],
    ['a malformed URL', 'not a url', /not a URL/],
    ['another scheme', 'ftp://example.com/x', /must start with https:\/\//],
    ['a private address', 'https://10.1.2.3/hook', /private or link-local.*--webhooks-allow-private/],
    ['a link-local address (cloud metadata)', 'https://169.254.169.254/latest', /private or link-local/],
    ['a private IPv6 address', 'https://[fd00::1]/hook', /private or link-local/],
    ['an IPv4-mapped private address', 'https://[::ffff:192.168.1.1]/hook', /private or link-local/],
    ['credentials in the URL', 'https://user:pw@example.com/hook', /no user name or password/],
    ['an empty address', '   ', /^Give the address of the server that receives the webhook\.$/],
  ])('refuses %s with a clear message, and adds nothing', async (_what, url, message) => {
    const dispatch = dispatchWith(await open())
    const result = await dispatch('webhooks:add', { url, events: ['accounts:message'] })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(!result.ok && result.error.message).toMatch(message)
    expect(await service!.list()).toEqual([])
  })

  it('refuses an unknown event name, and no events at all', async () => {
    const dispatch = dispatchWith(await open())
    const unknown = await dispatch('webhooks:add', { url: 'https://hooks.example.com/x', events: ['accounts:message', 'accounts:exploded'] })
    expect(!unknown.ok && unknown.error.message).toMatch(/Unknown event name "accounts:exploded".*accounts:message/)
    const none = await dispatch('webhooks:add', { url: 'https://hooks.example.com/x', events: [] })
    expect(!none.ok && none.error.message).toMatch(/at least one event/)
    const tick = await dispatch('webhooks:add', { url: 'https://hooks.example.com/x', events: ['telemetry:tick'] })
    expect(!tick.ok && tick.error.code).toBe('invalid-input')
    expect(await service!.list()).toEqual([])
  })

  it('accepts https, loopback http, and private targets only when allowed', async () => {
    const strict = await open()
    expect((await strict.add({ url: 'https://hooks.example.com/x', events: ['accounts:message'] })).url).toBe('https://hooks.example.com/x')
    expect((await strict.add({ url: 'http://127.0.0.1:9/x', events: ['accounts:message'] })).url).toBe('http://127.0.0.1:9/x')
    expect((await strict.add({ url: 'http://localhost:9/x', events: ['accounts:message'] })).url).toBe('http://localhost:9/x')
    const lax = await open({ ...FAST, allowPrivate: true })
    expect((await lax.add({ url: 'https://10.1.2.3/hook', events: ['accounts:message'] })).url).toBe('https://10.1.2.3/hook')
  })

  it('answers not-found for an unknown webhook or delivery', async () => {
    const dispatch = dispatchWith(await open())
    const missing = await dispatch('webhooks:test', { id: 'wh-000000000000' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } })
    const gone = await dispatch('webhooks:redeliver', { deliveryId: '00000000-0000-4000-8000-000000000000' })
    expect(gone).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })
})

describe('retry schedule', () => {
  it('doubles from 1 s up to 1 h, with ±20 % jitter', () => {
    const low = () => 0
    const high = () => 0.999999
    expect([1, 2, 3, 4].map((n) => retryDelay(n, DEFAULT_RETRY, () => 0.5))).toEqual([1000, 2000, 4000, 8000])
    expect(retryDelay(1, DEFAULT_RETRY, low)).toBe(800)
    expect(retryDelay(1, DEFAULT_RETRY, high)).toBe(1200)
    expect(retryDelay(30, DEFAULT_RETRY, high)).toBe(60 * 60_000)
    expect(retryDelay(13, DEFAULT_RETRY, () => 0.5)).toBe(60 * 60_000)
  })
})

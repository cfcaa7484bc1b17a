// GET /metrics on a real headless server (SQLite, the built-in simulator, real Baileys): scraped after
// pairing, messaging and a reconnect, parsed as Prometheus text. Also who may scrape it: the API token,
// the read-only metrics token (which opens nothing else), nobody else.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_STATUSES, CONDITION_CODES, STORE_REQUESTS, type AccountStatus, type AccountSummary, type EventMessage, type PairingState, type SimulatorInfo } from '../src/shared/contract'
import { bucketsOf, parsePrometheusText, scrape, valueOf, type Sample } from './support/prometheus-text'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

const METRICS_TOKEN = randomBytes(24).toString('base64url')
const dataDir = mkdtempSync(join(tmpdir(), 'irish-metrics-'))
let server: ServerProcess
let events: EventStream
let admin: string

function statusEvent(id: string, status: AccountStatus, since = 0) {
  return (m: EventMessage): boolean =>
    events.received.indexOf(m) >= since && m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === status
}

async function adminPost(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${admin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  })
  return response.status
}

async function pair(label: string): Promise<AccountSummary> {
  const added = await server.value<AccountSummary>('accounts:add', { label })
  const qr = await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  expect(await adminPost('/scan', { qr: (qr.payload as PairingState).qr, name: label })).toBe(200)
  return (await events.next(statusEvent(added.id, 'connected'), 30_000)).payload as AccountSummary
}

async function read(): Promise<Sample[]> {
  const answer = await scrape(server.url, METRICS_TOKEN)
  expect(answer.status).toBe(200)
  expect(answer.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheusText(answer.text)
}

const count = (samples: Sample[], request: string): number => valueOf(samples, 'irish_store_request_duration_seconds_count', { request, result: 'ok' })

beforeAll(async () => {
  server = await startServerProcess({ dataDir, dataKey: newDataKey(), simulator: true, env: { IRISH_METRICS_TOKEN: METRICS_TOKEN } })
  events = await server.events()
  admin = (await server.value<SimulatorInfo>('simulator:info')).admin!
}, 60_000)

afterAll(async () => {
  events?.close()
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('GET /metrics on a single SQLite server', () => {
  let a: AccountSummary
  let b: AccountSummary

  it('starts with every series present: statuses, request types, lease figures at zero', async () => {
    const samples = await read()
    for (const status of ACCOUNT_STATUSES) expect(valueOf(samples, 'irish_accounts', { status })).toBe(0)
    for (const request of STORE_REQUESTS) expect(count(samples, request)).toBe(0)
    expect(valueOf(samples, 'irish_leases_held')).toBe(0)
    expect(valueOf(samples, 'irish_lease_losses_total')).toBe(0)
    expect(valueOf(samples, 'irish_failovers_total')).toBe(0)
    // The doctor's series (docs/session-doctor.md): every condition code and refusal reason, at zero.
    for (const code of CONDITION_CODES) expect(valueOf(samples, 'irish_account_conditions', { code })).toBe(0)
    expect(valueOf(samples, 'irish_decrypt_failures_total')).toBe(0)
    expect(valueOf(samples, 'irish_stale_socket_reconnects_total')).toBe(0)
    for (const reason of ['reach-out-limit', 'reach-out-limit-early']) expect(valueOf(samples, 'irish_send_refusals_total', { reason })).toBe(0)
  })

  it('after pairing and a message: store histograms with cumulative buckets whose _count grows with store calls', async () => {
    a = await pair('Alice')
    b = await pair('Bob')
    const before = await read()
    expect(valueOf(before, 'irish_accounts', { status: 'connected' })).toBe(2)
    expect(count(before, 'load_creds')).toBeGreaterThanOrEqual(2)
    expect(count(before, 'keys_set')).toBeGreaterThan(0)

    const text = `metrics ${Date.now()}`
    const received = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text)
    await server.value('accounts:send-text', { id: a.id, to: `+${b.phone}`, text })
    await received
    const after = await read()
    // Sending and decrypting read sessions and write them back (ratchet steps).
    expect(count(after, 'keys_get') + count(after, 'keys_set')).toBeGreaterThan(count(before, 'keys_get') + count(before, 'keys_set'))
    for (const request of STORE_REQUESTS) {
      const buckets = bucketsOf(after, 'irish_store_request_duration_seconds', { request, result: 'ok' })
      expect(buckets.length).toBeGreaterThan(10)
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.count).toBeGreaterThanOrEqual(buckets[i - 1]!.count)
      expect(buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: count(after, request) })
      expect(valueOf(after, 'irish_store_request_duration_seconds_sum', { request, result: 'ok' })).toBeGreaterThanOrEqual(0)
    }
    const lookups = after.filter((s) => s.name === 'irish_key_cache_hits_total' || s.name === 'irish_key_cache_misses_total')
    expect(lookups.reduce((n, s) => n + s.value, 0)).toBeGreaterThan(0)
  }, 90_000)

  it('counts reconnects by reason: the restart after pairing, and a retry after WhatsApp closed the socket (503)', async () => {
    const before = await read()
    // Pairing ends with WhatsApp asking for a restart (515), once per account.
    expect(valueOf(before, 'irish_reconnects_total', { reason: 'restart-required' })).toBeGreaterThanOrEqual(2)
    const since = events.received.length
    expect(await adminPost('/kick', { jid: `${a.phone}@s.whatsapp.net`, code: 503 })).toBe(200)
    await events.next(statusEvent(a.id, 'reconnecting', since), 20_000)
    await events.next(statusEvent(a.id, 'connected', since), 30_000)
    expect(valueOf(await read(), 'irish_reconnects_total', { reason: 'unavailable-service' })).toBe(1)
  }, 60_000)

  it('answers 401 without a token and with a wrong one; the API token opens it too', async () => {
    const anonymous = await scrape(server.url, null)
    expect(anonymous.status).toBe(401)
    expect(anonymous.text).not.toMatch(/irish_/)
    const wrong = await scrape(server.url, 'wrong-token-wrong-token-wrong')
    expect(wrong.status).toBe(401)
    expect(wrong.text).not.toMatch(/irish_/)
    const api = await scrape(server.url, server.token)
    expect(api.status).toBe(200)
    expect(api.text).toMatch(/^# HELP irish_/m)
  })

  it('the metrics token opens /metrics and nothing else', async () => {
    expect((await server.call('accounts:list', {}, METRICS_TOKEN)).status).toBe(401)
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(post.status).toBe(405)
  })
})

describe('a bad metrics token', () => {
  it('is refused at start with a clear error that does not repeat it', async () => {
    const weak = 'passwordpasswordpassword1234'
    const dir = mkdtempSync(join(tmpdir(), 'irish-metrics-bad-'))
    try {
      const start = startServerProcess({ dataDir: dir, dataKey: newDataKey(), args: ['--metrics-token', weak] })
      await expect(start).rejects.toThrow(/--metrics-token is too weak: about \d+ bits/)
      await expect(start).rejects.not.toThrow(new RegExp(weak))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

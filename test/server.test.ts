// The headless server end to end: a real server process with the built-in simulator, real Baileys
// sockets, the encrypted SQLite store, driven only through the HTTP API and the event stream.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AccountHealth, AccountStatus, AccountSummary, EventMessage, PairingState, SimulatorInfo } from '../src/shared/contract'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

const dataDir = mkdtempSync(join(tmpdir(), 'irish-server-'))
const dataKey = newDataKey()
let server: ServerProcess
let events: EventStream
let admin: string

function statusEvent(id: string, status: AccountStatus) {
  return (m: EventMessage): boolean =>
    m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === status
}

/** Waits until the account shows `status`, whether that already happened or happens later. */
async function awaitStatus(id: string, status: AccountStatus, timeoutMs = 20_000): Promise<AccountSummary> {
  const pending = events.next(statusEvent(id, status), timeoutMs)
  const list = await server.value<AccountSummary[]>('accounts:list')
  const now = list.find((a) => a.id === id)
  if (now?.status === status) {
    pending.catch(() => undefined)
    return now
  }
  return (await pending).payload as AccountSummary
}

async function adminPost(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${admin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

/** Adds an account, scans its first QR through the simulator's admin API, waits until connected. */
async function pairNewAccount(label: string): Promise<AccountSummary> {
  const added = await server.value<AccountSummary>('accounts:add', { label })
  const qrEvent = await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  const qr = (qrEvent.payload as PairingState).qr!
  expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/)
  const scan = await adminPost('/scan', { qr, name: label })
  expect(scan.status).toBe(200)
  return awaitStatus(added.id, 'connected')
}

beforeAll(async () => {
  server = await startServerProcess({ dataDir, dataKey, simulator: true })
  events = await server.events()
  const info = await server.value<SimulatorInfo>('simulator:info')
  expect(info.trusted).toBe(true)
  admin = info.admin!
}, 60_000)

afterAll(async () => {
  events?.close()
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('headless server', () => {
  let a: AccountSummary
  let b: AccountSummary

  it('pairs two accounts by QR through the simulator and connects both', async () => {
    a = await pairNewAccount('Alice')
    b = await pairNewAccount('Bob')
    expect(a.phone).toMatch(/^\d+$/)
    expect(b.phone).toMatch(/^\d+$/)
    expect(a.phone).not.toBe(b.phone)
    const health = await server.value<AccountHealth>('accounts:health', { id: a.id })
    expect(health.keyCounts['pre-key']).toBeGreaterThan(0)
  }, 60_000)

  it('delivers a text from A to B', async () => {
    const text = `hello from A ${Date.now()}`
    const received = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text)
    const sent = await server.value<{ messageId: string }>('accounts:send-text', { id: a.id, to: `+${b.phone}`, text })
    expect(sent.messageId).not.toBe('')
    const message = (await received).payload as { account: string; from: string }
    expect(message.account).toBe(b.id)
    expect(message.from).toContain(a.phone!)
    const inbox = await server.value<Array<{ text: string }>>('accounts:messages', { id: b.id })
    expect(inbox.map((m) => m.text)).toContain(text)
  }, 30_000)

  it('serves telemetry for the store calls the accounts made', async () => {
    const snapshot = await server.value<{ requests: Record<string, { count: number }> }>('telemetry:snapshot', { account: a.id })
    expect(snapshot.requests.keys_set!.count).toBeGreaterThan(0)
    expect(snapshot.requests.load_creds!.count).toBeGreaterThan(0)
  })

  it('refuses missing and wrong tokens, and the token in a query string', async () => {
    expect((await server.call('accounts:list', {}, null)).status).toBe(401)
    expect((await server.call('accounts:list', {}, 'wrong-token-wrong-token')).status).toBe(401)
    const response = await fetch(`${server.url}/api/accounts:list?token=${server.token}`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(400)
  })

  it('answers invalid input with 400 and the schema message, unknown commands with 404', async () => {
    const bad = await server.call('accounts:send-text', { id: a.id, to: '+1', text: '' })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(!bad.body.ok && bad.body.error.message).toMatch(/phone number|empty/)
    const unknown = await server.call('accounts:explode', {})
    expect(unknown.status).toBe(404)
    const notJson = await fetch(`${server.url}/api/accounts:list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: '{not json',
    })
    expect(notJson.status).toBe(400)
    const missing = await server.call('accounts:stop', { id: 'acc-does-not-exist' })
    expect(missing.status).toBe(404)
  })

  it('refuses an oversized body with 413', async () => {
    const response = await fetch(`${server.url}/api/accounts:add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expect(response.status).toBe(413)
  })

  it("guards the embedded simulator's admin API with the server's token", async () => {
    const anonymous = await fetch(`${admin}/kick`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jid: `${a.phone}@s.whatsapp.net`, code: 401 }),
    })
    expect(anonymous.status).toBe(401)
    const list = await server.value<AccountSummary[]>('accounts:list')
    expect(list.find((x) => x.id === a.id)?.status).toBe('connected')
  })

  it('refuses a second client for a running account', async () => {
    const second = await server.call('accounts:start', { id: a.id })
    expect(second.status).toBe(409)
    expect(second.body).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })

  it('kept both accounts connected through all the bad requests', async () => {
    const list = await server.value<AccountSummary[]>('accounts:list')
    expect(list.map((x) => x.status)).toEqual(['connected', 'connected'])
  })

  it('reconnects both accounts from the encrypted store after a restart, without pairing', async () => {
    events.close()
    expect(await server.stop()).toBe(0)
    server = await startServerProcess({ dataDir, dataKey, simulator: true, token: server.token })
    events = await server.events()
    const info = await server.value<SimulatorInfo>('simulator:info')
    admin = info.admin!
    await awaitStatus(a.id, 'connected')
    await awaitStatus(b.id, 'connected')
    expect(events.received.filter((m) => m.event === 'accounts:qr' && (m.payload as PairingState).qr !== null)).toHaveLength(0)

    const text = `after restart ${Date.now()}`
    const received = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text)
    await server.value('accounts:send-text', { id: b.id, to: a.phone!, text })
    expect(((await received).payload as { account: string }).account).toBe(a.id)
  }, 60_000)

  it('ends as logged out with the keys gone after a 401', async () => {
    const kicked = await adminPost('/kick', { jid: `${a.phone}@s.whatsapp.net`, code: 401 })
    expect(kicked.status).toBe(200)
    const after = await awaitStatus(a.id, 'logged-out')
    expect(after.lastError).toMatch(/logged this device out/)
    const health = await server.value<AccountHealth>('accounts:health', { id: a.id })
    expect(Object.values(health.keyCounts).reduce((x, y) => x + y, 0)).toBe(0)
  }, 30_000)

  it('ends as replaced after a 440 and does not retry', async () => {
    const kicked = await adminPost('/kick', { jid: `${b.phone}@s.whatsapp.net`, code: 440 })
    expect(kicked.status).toBe(200)
    const after = await awaitStatus(b.id, 'replaced')
    expect(after.lastError).toMatch(/took over/)
    const health = await server.value<AccountHealth>('accounts:health', { id: b.id })
    expect(health.nextRetryAt).toBeNull()
    expect(health.keyCounts['pre-key']).toBeGreaterThan(0)
  }, 30_000)

  it('refuses a second server on the same data dir', async () => {
    await expect(startServerProcess({ dataDir, dataKey })).rejects.toThrow(/Another Irish Desktop process/)
  }, 30_000)

  it('refuses to open the database with another data key, and says so', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'irish-key-'))
    try {
      const first = await startServerProcess({ dataDir: otherDir, dataKey: newDataKey() })
      expect(await first.stop()).toBe(0)
      await expect(startServerProcess({ dataDir: otherDir, dataKey: newDataKey() })).rejects.toThrow(/data key does not match/)
    } finally {
      rmSync(otherDir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('event stream authentication', () => {
  const wsUrl = (): string => `${server.url.replace('http', 'ws')}/api/events`

  /** Resolves with the first message, or with the close code when the server closes first. */
  function firstOutcome(ws: WebSocket): Promise<{ message?: string; code?: number; status?: number }> {
    return new Promise((resolve) => {
      ws.once('message', (data) => resolve({ message: String(data) }))
      ws.once('close', (code) => resolve({ code }))
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }))
      ws.once('error', () => undefined)
    })
  }

  it('accepts the token in the Authorization header', async () => {
    const ws = new WebSocket(wsUrl(), { headers: { authorization: `Bearer ${server.token}` } })
    expect(await firstOutcome(ws)).toEqual({ message: JSON.stringify({ type: 'ready' }) })
    ws.close()
  })

  it('accepts the token as a first message, and closes on a wrong one', async () => {
    const good = new WebSocket(wsUrl())
    good.once('open', () => good.send(JSON.stringify({ type: 'auth', token: server.token })))
    expect(await firstOutcome(good)).toEqual({ message: JSON.stringify({ type: 'ready' }) })
    good.close()

    const bad = new WebSocket(wsUrl())
    bad.once('open', () => bad.send(JSON.stringify({ type: 'auth', token: 'wrong-token-wrong-token' })))
    expect(await firstOutcome(bad)).toEqual({ code: 4401 })
  })

  it('refuses a wrong subprotocol token and a token in the query string', async () => {
    const wrong = new WebSocket(wsUrl(), ['irish.v1', 'bearer.wrong-token-wrong-token'])
    expect(await firstOutcome(wrong)).toEqual({ status: 401 })
    const query = new WebSocket(`${wsUrl()}?token=${server.token}`)
    expect(await firstOutcome(query)).toEqual({ status: 404 })
  })
})

describe('API token', () => {
  it('is generated on first start with mode 0600, printed once, and reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irish-token-'))
    const key = newDataKey()
    try {
      const first = await startServerProcess({ dataDir: dir, dataKey: key, token: '', env: { IRISH_API_TOKEN: '' } })
      const printed = first.stdout.find((line) => line.startsWith('API token'))
      expect(printed).toBeDefined()
      const token = readFileSync(join(dir, 'api-token'), 'utf8').trim()
      expect(printed).toContain(token)
      expect(statSync(join(dir, 'api-token')).mode & 0o777).toBe(0o600)
      expect(await first.stop()).toBe(0)

      const second = await startServerProcess({ dataDir: dir, dataKey: key, token, env: { IRISH_API_TOKEN: '' } })
      expect(second.stdout.some((line) => line.includes(token))).toBe(false)
      expect((await second.call('accounts:list', {}, token)).status).toBe(200)
      expect(await second.stop()).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

// Webhooks survive kill -9: a real server process (simulator built in) records received messages in its
// outbox while the receiver is down, is killed with SIGKILL, and started again on the same data dir;
// once the receiver is up, every event produced before the kill arrives, signed, in order per account.
// Also: accounts:message is delivered only for messages an account receives (not the sender's copy).

import { mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountStatus, AccountSummary, EventMessage, PairingState, ReceivedMessage, SimulatorInfo } from '../src/shared/contract'
import { startReceiver, type Receiver } from './support/webhook-receiver'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

const dataDir = mkdtempSync(join(tmpdir(), 'irish-webhooks-crash-'))
const dataKey = newDataKey()
// Retries every 50 ms instead of 1 s, 2 s …: the receiver's return is noticed at once.
const env = { IRISH_TEST_WEBHOOK_RETRY_MS: '50' }
let server: ServerProcess
let events: EventStream
let receiver: Receiver | null = null

async function awaitStatus(id: string, status: AccountStatus): Promise<void> {
  const match = (m: EventMessage) => m.event === 'accounts:changed' && m.payload.id === id && m.payload.status === status
  const pending = events.next(match, 20_000)
  const list = await server.value<AccountSummary[]>('accounts:list')
  if (list.find((a) => a.id === id)?.status === status) {
    pending.catch(() => undefined)
    return
  }
  await pending
}

async function pair(label: string): Promise<AccountSummary> {
  const admin = (await server.value<SimulatorInfo>('simulator:info')).admin!
  const added = await server.value<AccountSummary>('accounts:add', { label })
  const qr = await events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null)
  const scan = await fetch(`${admin}/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ qr: (qr.payload as PairingState).qr, name: label }),
  })
  expect(scan.status).toBe(200)
  await awaitStatus(added.id, 'connected')
  return (await server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === added.id)!
}

beforeAll(async () => {
  server = await startServerProcess({ dataDir, dataKey, simulator: true, env })
  events = await server.events()
}, 60_000)

afterAll(async () => {
  events?.close()
  await server?.stop()
  await receiver?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('webhooks across kill -9', () => {
  it('delivers every event produced before the kill once the receiver is up after a restart', async () => {
    // A port nobody listens on: the receiver is down while the events happen.
    const probe = await startReceiver()
    const port = probe.port
    await probe.close()
    const hook = await server.value<{ id: string; secret: string }>('webhooks:add', {
      url: `http://127.0.0.1:${port}/hook`,
      events: ['accounts:message'],
    })

    const alice = await pair('Alice')
    const bob = await pair('Bob')
    const sent: string[] = []
    for (let i = 0; i < 12; i += 1) {
      const text = `before the kill ${i}`
      const arrived = events.next((m) => m.event === 'accounts:message' && m.payload.text === text, 15_000)
      await server.value('accounts:send-text', i % 2 === 0 ? { id: bob.id, to: alice.phone!, text } : { id: alice.id, to: bob.phone!, text })
      await arrived
      sent.push(text)
    }
    const pending = await server.value<Array<{ pending: number }>>('webhooks:list')
    expect(pending[0]!.pending).toBe(12)

    events.close()
    server.child.kill('SIGKILL')
    await once(server.child, 'exit')

    const restarted = Date.now()
    server = await startServerProcess({ dataDir, dataKey, simulator: true, env, token: server.token })
    events = await server.events()
    receiver = await startReceiver(() => 200, port)
    const got = await receiver.count((r) => r.event === 'accounts:message', 12, 30_000)
    const allDeliveredMs = Date.now() - restarted
    console.log(`webhooks crash test: 12 events queued before kill -9, all delivered ${allDeliveredMs} ms after the restart began`)

    // Each once logically (at least once: a repeat would carry the same delivery id), each signed.
    const byDelivery = new Map(got.map((r) => [r.delivery, r]))
    expect([...byDelivery.values()].map((r) => (r.body.data as ReceivedMessage).text).sort()).toEqual([...sent].sort())
    for (const r of got) expect(receiver.verify(r, hook.secret)).toBe(true)
    // In order per account, and each to the account that received it, never the sender's copy.
    for (const account of [alice, bob]) {
      const texts = [...byDelivery.values()].filter((r) => r.body.account === account.id).map((r) => (r.body.data as ReceivedMessage).text)
      const expected = sent.filter((_, i) => (i % 2 === 0 ? alice : bob).id === account.id)
      expect(texts).toEqual(expected)
    }
    await expect.poll(async () => (await server.value<Array<{ pending: number }>>('webhooks:list'))[0]!.pending).toBe(0)
  }, 120_000)
})

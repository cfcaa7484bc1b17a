// The send queue survives what ends a server: kill -9 of a single server (SQLite) with 50 sends waiting,
// and, in a fleet on PostgreSQL, kill -9 of the server that runs the sending account (a failover). Real
// server processes, one simulator in this process, and a plain Baileys client as the recipient, which
// counts every message that reaches it (a message sent twice would arrive twice there).

import { mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WAMessage } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, CommandOutput, EventMessage, FleetServer, MessageSent, PairingState, QueueEntry } from '../src/shared/contract'
import { muteLibsignalLogs, pairClient, textOf, type PairedClient } from './support/baileys-clients'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'
import { startTestSimulator, type TestSimulator } from './support/transfer-support'

const NO_LIMITS = { perMinute: null, perHour: null, perDay: null, newContactsPerDay: null }
/** Long enough that nothing queued leaves before the kill. */
const HOLD = { ...NO_LIMITS, minGapMs: 3_600_000 }

interface Member {
  server: ServerProcess
  events: EventStream
  dataDir: string
}

/** Every text the recipient's socket received, in arrival order, with its message id. */
function collect(client: PairedClient): Array<{ id: string; text: string }> {
  const got: Array<{ id: string; text: string }> = []
  client.sock.ev.on('messages.upsert', ({ messages }: { messages: WAMessage[] }) => {
    for (const m of messages) {
      const text = textOf(m)
      if (!m.key.fromMe && text !== undefined) got.push({ id: m.key.id ?? '', text })
    }
  })
  return got
}

/** Resolves once `count` texts starting with `prefix` reached the recipient (waits on its socket, no clock). */
function receivedAll(client: PairedClient, got: Array<{ text: string }>, prefix: string, count: number, timeoutMs: number): Promise<void> {
  const done = (): boolean => got.filter((g) => g.text.startsWith(prefix)).length >= count
  if (done()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!done()) return
      clearTimeout(timer)
      client.sock.ev.off('messages.upsert', check)
      resolve()
    }
    const timer = setTimeout(() => {
      client.sock.ev.off('messages.upsert', check)
      reject(new Error(`only ${got.filter((g) => g.text.startsWith(prefix)).length} of ${count} "${prefix}" texts arrived`))
    }, timeoutMs)
    // Registered after collect(): by the time this runs, the text is in `got`.
    client.sock.ev.on('messages.upsert', check)
  })
}

/** Resolves with the first `count` accounts:message-sent events of `account` on the stream. */
async function sentEvents(events: EventStream, account: string, count: number, timeoutMs: number): Promise<MessageSent[]> {
  const of = (): MessageSent[] => events.received.filter((m) => m.event === 'accounts:message-sent' && m.payload.account === account).map((m) => m.payload as MessageSent)
  await events.next(() => of().length >= count, timeoutMs)
  return of()
}

async function pairOn(sim: TestSimulator, member: Member, label: string): Promise<AccountSummary> {
  const added = await member.server.value<AccountSummary>('accounts:add', { label })
  const qr = await member.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null, 30_000)
  await sim.sim.scanQr((qr.payload as PairingState).qr!, { name: label })
  await member.events.next((m: EventMessage) => m.event === 'accounts:changed' && m.payload.id === added.id && m.payload.status === 'connected', 60_000)
  return (await member.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === added.id)!
}

/** Sends `count` texts, the first one at once and the rest into the queue (the limits hold them). */
async function fillQueue(member: Member, senderId: string, to: string, prefix: string, count: number): Promise<string[]> {
  const texts = Array.from({ length: count }, (_, i) => `${prefix} ${String(i).padStart(2, '0')}`)
  for (const text of texts) {
    const answer = await member.server.value<CommandOutput<'accounts:send-text'>>('accounts:send-text', { id: senderId, to, text })
    expect(answer.state).toBe('queued')
  }
  const queue = await member.server.value<QueueEntry[]>('accounts:queue', { id: senderId })
  expect(queue).toHaveLength(count)
  return texts
}

describe('the send queue across kill -9 (SQLite)', () => {
  let sim: TestSimulator
  let recipient: PairedClient
  let member: Member
  let unmute: () => void
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-queue-crash-'))
  const dataKey = newDataKey()
  const token = newApiToken()

  async function start(): Promise<Member> {
    const server = await startServerProcess({ dataDir, dataKey, token, env: sim.env })
    return { server, events: await server.events(), dataDir }
  }

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    sim = await startTestSimulator()
    recipient = await pairClient(sim.sim, { name: 'Recipient' })
    member = await start()
  }, 90_000)

  afterAll(async () => {
    member?.events.close()
    await member?.server.stop().catch(() => undefined)
    recipient?.sock.end(undefined)
    await sim?.close()
    unmute?.()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('sends all 50 queued after a restart, each once, in order', async () => {
    const got = collect(recipient)
    const sender = await pairOn(sim, member, 'Sender')
    const to = `+${recipient.account.jid.split('@')[0]}`
    await member.server.value('accounts:set-limits', { ids: [sender.id], limits: HOLD })
    // The first goes at once; an hour's gap holds the 50 after it.
    expect(await member.server.value<CommandOutput<'accounts:send-text'>>('accounts:send-text', { id: sender.id, to, text: 'before' })).toMatchObject({ state: 'sent' })
    const texts = await fillQueue(member, sender.id, to, 'queued', 50)

    member.events.close()
    member.server.child.kill('SIGKILL')
    await once(member.server.child, 'exit')
    member = await start()
    await member.events.next((m) => m.event === 'accounts:changed' && m.payload.id === sender.id && m.payload.status === 'connected', 60_000)
    expect((await member.server.value<QueueEntry[]>('accounts:queue', { id: sender.id })).length).toBe(50)

    await member.server.value('accounts:set-limits', { ids: [sender.id], limits: { minGapMs: 20 } })
    const sent = await sentEvents(member.events, sender.id, 50, 60_000)
    await receivedAll(recipient, got, 'queued', 50, 30_000)

    const arrived = got.filter((g) => g.text.startsWith('queued'))
    expect(arrived.map((g) => g.text)).toEqual(texts)
    expect(new Set(arrived.map((g) => g.id)).size).toBe(50)
    expect(sent.every((s) => s.state === 'sent')).toBe(true)
    expect(await member.server.value('accounts:queue', { id: sender.id })).toEqual([])
    const metrics = await (await fetch(`${member.server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text()
    expect(metrics).toMatch(/^irish_send_queue_depth 0$/m)
    expect(metrics).toMatch(/^irish_sends_total\{result="sent"\} 50$/m)
  }, 180_000)
})

describePostgres('the send queue across a fleet failover (PostgreSQL)', () => {
  const ref = usePostgresCluster()
  const dataKey = newDataKey()
  const token = newApiToken()
  const LEASE_MS = 3000
  const members: Member[] = []
  let sim: TestSimulator
  let recipient: PairedClient
  let unmute: () => void

  async function startMember(url: string): Promise<Member> {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-queue-fleet-'))
    const server = await startServerProcess({ dataDir, dataKey, token, args: ['--database', url], env: { ...sim.env, IRISH_LEASE_TTL_MS: String(LEASE_MS) } })
    return { server, events: await server.events(), dataDir }
  }

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    const url = await ref.cluster.createDatabase()
    sim = await startTestSimulator()
    recipient = await pairClient(sim.sim, { name: 'Fleet recipient' })
    members.push(await startMember(url), await startMember(url))
  }, 120_000)

  afterAll(async () => {
    for (const m of members) {
      m.events.close()
      // A member killed by the test has exited already (by a signal: its exitCode stays null).
      if (m.server.child.signalCode === null) await m.server.stop().catch(() => undefined)
      rmSync(m.dataDir, { recursive: true, force: true })
    }
    recipient?.sock.end(undefined)
    await sim?.close()
    unmute?.()
  })

  it('the new owner sends every queued message exactly once', async () => {
    const [victim, survivor] = members as [Member, Member]
    const got = collect(recipient)
    const sender = await pairOn(sim, victim, 'Fleet sender')
    const servers = await survivor.server.value<FleetServer[]>('fleet:servers')
    const victimId = servers.find((s) => s.url === victim.server.url)!.id
    expect((await survivor.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === sender.id)!.server).toBe(victimId)
    const to = `+${recipient.account.jid.split('@')[0]}`
    await survivor.server.value('accounts:set-limits', { ids: [sender.id], limits: HOLD })
    expect(await survivor.server.value<CommandOutput<'accounts:send-text'>>('accounts:send-text', { id: sender.id, to, text: 'first' })).toMatchObject({ state: 'sent' })
    const texts = await fillQueue(survivor, sender.id, to, 'failover', 10)

    victim.events.close()
    victim.server.child.kill('SIGKILL')
    await once(victim.server.child, 'exit')
    await survivor.events.next(
      (m) => m.event === 'accounts:changed' && m.payload.id === sender.id && m.payload.status === 'connected' && m.payload.server !== victimId,
      LEASE_MS + 30_000,
    )
    await survivor.server.value('accounts:set-limits', { ids: [sender.id], limits: { minGapMs: 20 } })
    // 'first' and the ten: the stream relays the old owner's event for 'first' and the new owner's for the ten.
    const sent = await sentEvents(survivor.events, sender.id, 11, 60_000)
    await receivedAll(recipient, got, 'failover', 10, 30_000)

    const arrived = got.filter((g) => g.text.startsWith('failover'))
    expect(arrived.map((g) => g.text)).toEqual(texts)
    expect(new Set(arrived.map((g) => g.id)).size).toBe(10)
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(sent.length)
    expect(await survivor.server.value('accounts:queue', { id: sender.id })).toEqual([])
  }, 180_000)
})

// Webhooks (docs/webhooks.md): delivery throughput from 50 accounts to a local receiver, and the cost webhooks add
// to handling a message, each against a peer measured in the same run.
//
// Delivery: 50 accounts emit, between them, each backlog of `--backlogs` accounts:message events through
// the real webhook service (real SQLite outbox, sealed payloads, signed POSTs with keep-alive, at most 8 in
// flight, in order per account) to a receiver on 127.0.0.1 that answers 200. The events are emitted faster
// than they go out, so the outbox holds most of the backlog while it drains. Peer: the same number of bare
// POSTs of the same bodies to the same receiver, 8 at a time, with no outbox, no sealing and no signing.
// Each backlog prints its delivery/peer ratio, and each larger backlog its events/s against the smallest's:
// the outbox's cost must not grow with its backlog (docs/webhooks.md, "Cost at a backlog").
// Message handling: the synchronous cost of one accounts:message emit (what the session's message handler
// pays) with one webhook subscribed (outbox row written, sealed, in the emit) against no webhook; both
// with one bus listener that serialises the event as the event WebSocket does. Then the CPU per event of
// the whole delivery (emit + attempt + bookkeeping) against the no-webhook emit.
//
// Usage: npm run bench:webhooks [-- --backlogs 1250,5000,20000 --rounds 3]

import './as-built'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ReceivedMessage } from '../src/shared/contract'
import { openDatabase } from '../src/main/core/db/open-database'
import { createEventBus, type EventBus } from '../src/main/core/events'
import { silentLogger } from '../src/main/core/logger'
import { createSqliteOutbox } from '../src/main/core/webhooks/sqlite-outbox'
import { startReceiver, type Receiver } from '../test/support/webhook-receiver'
import { createWebhookService } from '../src/main/core/webhooks/webhook-service'

const { values } = parseArgs({ options: { backlogs: { type: 'string', default: '1250,5000,20000' }, rounds: { type: 'string', default: '3' } } })
const ACCOUNTS = 50
const BACKLOGS = values.backlogs.split(',').map(Number)
const ROUNDS = Number(values.rounds)
if (BACKLOGS.some((n) => !Number.isInteger(n) || n < ACCOUNTS) || !(ROUNDS >= 1)) {
  throw new Error(`--backlogs takes whole numbers of at least ${ACCOUNTS} (events), --rounds at least 1`)
}

function message(i: number): ReceivedMessage {
  return {
    account: `acc-${i % ACCOUNTS}` as ReceivedMessage['account'],
    id: `3EB0${i.toString(16).padStart(16, '0')}`,
    from: '4915130000001@s.whatsapp.net',
    fromPhone: '+4915130000001',
    fromLid: null,
    text: `benchmark message number ${i}, about as long as a short chat line`,
    at: Date.now(),
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function range(values: number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`
}

/** A bus with the listener every server has: the event WebSocket serialises each event. */
function busWithSocketListener(): EventBus {
  const bus = createEventBus(silentLogger())
  bus.subscribe((m) => void JSON.stringify(m))
  return bus
}

interface Round {
  deliveredPerSecond: number
  peerPerSecond: number
  emitWithUs: number
  emitWithoutUs: number
  cpuPerEventUs: number
}

async function deliveryRound(receiver: Receiver, events: number): Promise<Omit<Round, 'peerPerSecond' | 'emitWithoutUs'>> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-bench-webhooks-'))
  const database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
  const hooks = await createWebhookService({ outbox: createSqliteOutbox(database.sqlite), sealer: database.sealer, logger: silentLogger() })
  try {
    await hooks.add({ url: receiver.url, events: ['accounts:message'] })
    const bus = hooks.capture(busWithSocketListener())
    receiver.received.length = 0
    const cpu = process.cpuUsage()
    const started = performance.now()
    let emitting = 0
    for (let i = 0; i < events; i += 1) {
      const t = performance.now()
      bus.emit('accounts:message', message(i))
      emitting += performance.now() - t
      // Events arrive spread out, as messages do: let the dispatcher and the sockets run in between.
      if (i % ACCOUNTS === ACCOUNTS - 1) await new Promise((resolve) => setImmediate(resolve))
    }
    await receiver.count(() => true, events, 120_000)
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    await hooks.idle()
    return { deliveredPerSecond: events / seconds, emitWithUs: (emitting * 1000) / events, cpuPerEventUs: (used.user + used.system) / events }
  } finally {
    await hooks.close()
    database.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function emitWithoutWebhook(events: number): number {
  const bus = busWithSocketListener()
  const started = performance.now()
  for (let i = 0; i < events; i += 1) bus.emit('accounts:message', message(i))
  return ((performance.now() - started) * 1000) / events
}

async function peerRound(receiver: Receiver, events: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  const bodies = Array.from({ length: events }, (_, i) => JSON.stringify({ id: String(i), event: 'accounts:message', timestamp: Date.now(), data: message(i) }))
  receiver.received.length = 0
  const started = performance.now()
  let next = 0
  async function worker(): Promise<void> {
    while (next < events) {
      const body = bodies[next++]!
      await new Promise<void>((resolve, reject) => {
        const req = request(receiver.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-irish-event': 'accounts:message', 'x-irish-delivery': 'peer' } }, (res) => {
          res.resume()
          res.on('end', resolve)
        })
        req.on('error', reject)
        req.end(body)
      })
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  if (receiver.received.length !== events) throw new Error('the peer lost requests')
  return events / seconds
}

async function measure(receiver: Receiver, events: number): Promise<Round[]> {
  const rounds: Round[] = []
  for (let r = 0; r < ROUNDS; r += 1) {
    const emitWithoutUs = emitWithoutWebhook(events)
    const peerPerSecond = await peerRound(receiver, events)
    const delivery = await deliveryRound(receiver, events)
    rounds.push({ ...delivery, peerPerSecond, emitWithoutUs })
  }
  return rounds
}

function report(events: number, rounds: Round[]): void {
  const pick = (key: keyof Round) => rounds.map((r) => r[key])
  const delivered = pick('deliveredPerSecond')
  const peer = pick('peerPerSecond')
  const withUs = pick('emitWithUs')
  const withoutUs = pick('emitWithoutUs')
  const cpu = pick('cpuPerEventUs')
  console.log(`== backlog ${events} events (${events / ACCOUNTS} per account), ${ROUNDS} rounds`)
  console.log(`delivered: ${median(delivered).toFixed(0)} events/s from ${ACCOUNTS} accounts (${range(delivered, 0)}), signed, in order per account, from the SQLite outbox`)
  console.log(`peer (bare POSTs, 8 at a time, no outbox): ${median(peer).toFixed(0)} requests/s (${range(peer, 0)}); delivery/peer ${(median(delivered) / median(peer)).toFixed(2)}`)
  console.log(`message handling, one accounts:message emit: ${median(withUs).toFixed(1)} µs with a webhook (${range(withUs, 1)}), ${median(withoutUs).toFixed(2)} µs without (${range(withoutUs, 2)}); added ${(median(withUs) - median(withoutUs)).toFixed(1)} µs, ratio ${(median(withUs) / median(withoutUs)).toFixed(1)}`)
  console.log(`CPU per event, emit + delivery + bookkeeping: ${median(cpu).toFixed(0)} µs (${range(cpu, 0)}), receiver in the same process included`)
}

async function main(): Promise<void> {
  const receiver = await startReceiver()
  console.log(`webhooks benchmark: ${ACCOUNTS} accounts, backlogs of ${BACKLOGS.join(', ')} events, ${ROUNDS} rounds each`)
  const results: Array<{ events: number; rounds: Round[] }> = []
  try {
    // Warm-up: JIT, SQLite page cache, the receiver's sockets.
    await deliveryRound(receiver, BACKLOGS[0]!)
    emitWithoutWebhook(BACKLOGS[0]!)
    for (const events of BACKLOGS) {
      const rounds = await measure(receiver, events)
      report(events, rounds)
      results.push({ events, rounds })
    }
  } finally {
    await receiver.close()
  }
  if (results.length < 2) return
  const rate = (r: Round[]) => median(r.map((x) => x.deliveredPerSecond))
  const first = results[0]!
  console.log('== cost at a backlog (events/s against the smallest backlog; delivery/peer)')
  for (const { events, rounds } of results) {
    const peer = median(rounds.map((x) => x.peerPerSecond))
    console.log(`backlog ${events}: ${(rate(rounds) / rate(first.rounds)).toFixed(2)}x the events/s of ${first.events}; ${(rate(rounds) / peer).toFixed(2)}x bare POSTs`)
  }
}

await main()

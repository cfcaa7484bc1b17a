// Sends (docs/proxies-and-limits.md): what the send service and its durable queue cost per send, and the
// throughput with and without limits, against bare Baileys `sock.sendMessage`, all in one run and one
// process, to the in-process simulator.
//
// Three groups of 50 accounts, each a ring (account i sends to account i+1 of its group):
// - bare: plain Baileys sockets (test/support/baileys-clients.ts), `sock.sendMessage`, no app;
// - unlimited: accounts in the app's core with no limits: accounts:send-text sends at once (the limits'
//   bookkeeping, the send row, the known contact);
// - limited: accounts in the core with a least gap of 1 ms between sends (and rate limits far above the
//   load): in a burst every send after the first waits in the durable queue (sealed row, claim, finish)
//   and the queue sends it.
// Each round, every account fires `--per-account` sends at once; a round ends when every text arrived.
// Reported per group: messages/s until the last arrived, and CPU µs per send (this process: the app,
// the simulator's routing and the recipients, which the three groups share), with the differences from
// bare as the cost of the service and of the queue. The app's path also asks WhatsApp whether each
// recipient exists (a round trip bare sockets skip), so it pays more than the limits alone.
//
// Then the service alone, without sockets (its deliver does nothing), on the real SQLite store and
// sealer: µs per send that goes at once, and per send that waits in the queue and is sent from it: the
// queue's own cost, without the noise of 150 sockets.
//
// Usage: npm run bench:sends [-- --per-account 20 --rounds 3]

import './as-built'
import { parseArgs } from 'node:util'
import type { WASocket } from '@whiskeysockets/baileys'
import type { ReceivedMessage } from '../src/shared/contract'
import { AppError } from '../src/shared/errors'
import type { SendLimits } from '../src/shared/send-limits'
import { NO_LIMITS } from '../src/main/core/sends/limits'
import { createSendService } from '../src/main/core/sends/send-service'
import { createSqliteSendStore } from '../src/main/core/sends/sqlite-send-store'
import { openDatabase } from '../src/main/core/db/open-database'
import { createEventBus } from '../src/main/core/events'
import { silentLogger } from '../src/main/core/logger'
import type { AccountId } from '../src/shared/ids'
import { randomBytes } from 'node:crypto'
import { createTestSocket, MemoryAuthStore, muteLibsignalLogs, textOf, waitForClose, waitForOpen, waitForQr, type PairedClient } from '../test/support/baileys-clients'
import { newDataKey, openTestCore, pairAccount, type PairedTestAccount } from '../test/support/sessions'
import { startSimulator, type Simulator } from '../src/simulator/simulator'
import { silentLogger as silentSimulatorLogger } from '../src/simulator/logger'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { values } = parseArgs({ options: { 'per-account': { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } })
const ACCOUNTS = 50
const PER_ACCOUNT = Number(values['per-account'])
const ROUNDS = Number(values.rounds)
const MESSAGES = ACCOUNTS * PER_ACCOUNT
const ROUND_TIMEOUT_MS = 120_000
/** A pairing on a loaded machine with 150 sockets in one process takes longer than a test's wait. */
const PAIR_TIMEOUT_MS = 60_000
/** Limits that hold every send of a burst after the first (1 ms apart), and no more than that. */
const LIMITED: SendLimits = { perMinute: 1_000, perHour: 60_000, perDay: 1_000_000, newContactsPerDay: 100_000, minGapMs: 1 }

interface Round {
  perSecond: number
  cpuMicros: number
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Fires every account's sends at once and waits until `arrived()` reaches MESSAGES. */
async function round(fire: (round: number) => Array<Promise<unknown>>, arrived: () => number, onArrival: (listener: () => void) => () => void, index: number): Promise<Round> {
  const start = arrived()
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${arrived() - start} of ${MESSAGES} arrived within ${ROUND_TIMEOUT_MS / 1000} s`)), ROUND_TIMEOUT_MS)
    const stop = onArrival(() => {
      if (arrived() - start < MESSAGES) return
      clearTimeout(timer)
      stop()
      resolve()
    })
  })
  await Promise.all([...fire(index), done])
  const ms = performance.now() - t0
  const used = process.cpuUsage(cpu)
  return { perSecond: MESSAGES / (ms / 1000), cpuMicros: (used.user + used.system) / MESSAGES }
}

/** A plain Baileys client paired by QR (test/support's pairClient, with a benchmark's patience). */
async function pairBare(sim: Simulator, name: string): Promise<PairedClient> {
  const store = new MemoryAuthStore()
  const first = createTestSocket(sim, store)
  const qr = await waitForQr(first, PAIR_TIMEOUT_MS)
  const closed = waitForClose(first, PAIR_TIMEOUT_MS)
  const account = await sim.scanQr(qr, { name })
  if ((await closed) !== 515) throw new Error(`${name}: no 515 restart after pairing`)
  const sock = createTestSocket(sim, store)
  await waitForOpen(sock, PAIR_TIMEOUT_MS)
  return { sock, store, account, qr }
}

/** µs per send of the send service alone: `limits` decide whether each send goes at once or waits. */
async function serviceAlone(limits: SendLimits, sends: number): Promise<{ wallMicros: number; cpuMicros: number; queued: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-bench-service-'))
  const database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
  const events = createEventBus(silentLogger())
  const service = createSendService({
    store: createSqliteSendStore(database.sqlite),
    sealer: database.sealer,
    events,
    logger: silentLogger(),
    account: () => ({ label: 'bench', limits, connected: true }),
    newMessageId: () => randomBytes(10).toString('hex').toUpperCase(),
    checkRecipient: async () => undefined,
    deliver: async () => undefined,
    reachOut: () => null,
    reachOutRefusal: () => new AppError('rate-limited', 'no reach-out limit in this benchmark'),
    maxQueue: () => sends + 1,
  })
  try {
    let ended = 0
    const done = new Promise<void>((resolve) => events.subscribe((m) => m.event === 'accounts:message-sent' && ++ended === sends && resolve()))
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    const answers = await Promise.all(Array.from({ length: sends }, (_, i) => service.send('acc-bench' as AccountId, `1555${String(i % 50).padStart(7, '0')}@s.whatsapp.net`, `bench text ${i}`)))
    await done
    const used = process.cpuUsage(cpu)
    return { wallMicros: ((performance.now() - t0) * 1000) / sends, cpuMicros: (used.user + used.system) / sends, queued: answers.filter((a) => a.state === 'queued').length }
  } finally {
    await service.close()
    database.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const unmute = muteLibsignalLogs()
  const sim = await startSimulator({ port: 0, logger: silentSimulatorLogger })
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-bench-sends-'))
  const { core, events } = await openTestCore({ dataDir, dataKey: newDataKey(), endpoint: { url: sim.url, rootKeyHex: sim.rootKeyHex } })
  const bare: PairedClient[] = []
  try {
    console.log(`sends benchmark: 3 groups × ${ACCOUNTS} accounts, ${PER_ACCOUNT} sends each at once per round = ${MESSAGES} messages per group and round, ${ROUNDS} rounds`)
    core.settings.set({ defaultLimits: NO_LIMITS })
    const pair = async (label: string): Promise<PairedTestAccount> => pairAccount(core, events, (qr, name) => sim.scanQr(qr, { name }), label, PAIR_TIMEOUT_MS)
    const unlimited: PairedTestAccount[] = []
    const limited: PairedTestAccount[] = []
    for (let i = 0; i < ACCOUNTS; i += 1) bare.push(await pairBare(sim, `Bare ${i}`))
    for (let i = 0; i < ACCOUNTS; i += 1) unlimited.push(await pair(`Unlimited ${i}`))
    for (let i = 0; i < ACCOUNTS; i += 1) limited.push(await pair(`Limited ${i}`))
    await core.dispatch('accounts:set-limits', { ids: limited.map((a) => a.id), limits: LIMITED })
    console.log(`paired ${ACCOUNTS * 3} accounts`)

    // Arrivals: the core's accounts:message for its two groups, each bare socket's upserts for bare.
    let coreArrived = { unlimited: 0, limited: 0 }
    const limitedIds = new Set(limited.map((a) => a.id))
    const coreListeners = new Set<() => void>()
    core.events.subscribe((m) => {
      if (m.event !== 'accounts:message' || !(m.payload as ReceivedMessage).text.startsWith('bench ')) return
      if (limitedIds.has((m.payload as ReceivedMessage).account)) coreArrived.limited += 1
      else coreArrived.unlimited += 1
      for (const listener of coreListeners) listener()
    })
    let bareArrived = 0
    const bareListeners = new Set<() => void>()
    for (const client of bare) {
      client.sock.ev.on('messages.upsert', ({ messages }) => {
        for (const m of messages) if (!m.key.fromMe && textOf(m)?.startsWith('bench ')) bareArrived += 1
        for (const listener of bareListeners) listener()
      })
    }
    const listen = (set: Set<() => void>) => (listener: () => void) => {
      set.add(listener)
      return () => set.delete(listener)
    }
    const jidOf = (client: PairedClient): string => client.account.jid

    const fireCore = (group: PairedTestAccount[]) => (r: number) =>
      group.flatMap((from, i) => {
        const to = `+${group[(i + 1) % group.length]!.phone}`
        return Array.from({ length: PER_ACCOUNT }, (_, k) => core.sessions.sendText(from.id, to, `bench ${r} ${i} ${k}`))
      })
    const fireBare = (r: number) =>
      bare.flatMap((from, i) => {
        const to = jidOf(bare[(i + 1) % bare.length]!)
        const sock: WASocket = from.sock
        return Array.from({ length: PER_ACCOUNT }, (_, k) => sock.sendMessage(to, { text: `bench ${r} ${i} ${k}` }))
      })

    const results = { bare: [] as Round[], unlimited: [] as Round[], limited: [] as Round[] }
    // Interleaved, so a slower moment of a shared machine falls on every group alike.
    for (let r = 0; r < ROUNDS; r += 1) {
      results.bare.push(await round(fireBare, () => bareArrived, listen(bareListeners), r))
      results.unlimited.push(await round(fireCore(unlimited), () => coreArrived.unlimited, listen(coreListeners), r))
      results.limited.push(await round(fireCore(limited), () => coreArrived.limited, listen(coreListeners), r))
    }
    coreArrived = { unlimited: 0, limited: 0 }

    const rate = (rs: Round[]): number => median(rs.map((x) => x.perSecond))
    const cpu = (rs: Round[]): number => median(rs.map((x) => x.cpuMicros))
    console.log('')
    console.log('group | messages/s (median) | CPU µs per send (median) | vs bare')
    console.log('--- | --- | --- | ---')
    console.log(`bare sock.sendMessage | ${rate(results.bare).toFixed(0)} | ${cpu(results.bare).toFixed(0)} | 1.00`)
    console.log(`app, no limits | ${rate(results.unlimited).toFixed(0)} | ${cpu(results.unlimited).toFixed(0)} | throughput ${(rate(results.unlimited) / rate(results.bare)).toFixed(2)}, CPU ${(cpu(results.unlimited) / cpu(results.bare)).toFixed(2)}`)
    console.log(`app, limits (queued) | ${rate(results.limited).toFixed(0)} | ${cpu(results.limited).toFixed(0)} | throughput ${(rate(results.limited) / rate(results.bare)).toFixed(2)}, CPU ${(cpu(results.limited) / cpu(results.bare)).toFixed(2)}`)
    console.log('')
    console.log(`the app's path costs ${(cpu(results.unlimited) - cpu(results.bare)).toFixed(0)} µs more per send than bare without limits (recipient check included); the durable queue ${(cpu(results.limited) - cpu(results.unlimited)).toFixed(0)} µs more per queued send`)

    const alone = { direct: [] as number[], queued: [] as number[], directCpu: [] as number[], queuedCpu: [] as number[], share: [] as number[] }
    for (let r = 0; r < ROUNDS; r += 1) {
      const direct = await serviceAlone(NO_LIMITS, 2_000)
      const queued = await serviceAlone({ ...NO_LIMITS, minGapMs: 1 }, 2_000)
      // The queue drains as it fills: a send that finds it empty and the gap passed goes at once.
      if (queued.queued < 1_800) throw new Error(`only ${queued.queued} of 2,000 sends waited in the queue`)
      alone.share.push(queued.queued)
      alone.direct.push(direct.wallMicros)
      alone.queued.push(queued.wallMicros)
      alone.directCpu.push(direct.cpuMicros)
      alone.queuedCpu.push(queued.cpuMicros)
    }
    console.log('')
    console.log(`the service alone (no socket, SQLite store, 2,000 sends): ${median(alone.directCpu).toFixed(0)} µs CPU per send that goes at once, ${median(alone.queuedCpu).toFixed(0)} µs per send that waits and is sent from the queue (${median(alone.share)} of 2,000 waited; wall ${median(alone.direct).toFixed(0)} and ${median(alone.queued).toFixed(0)} µs; the queued ones go 1 ms apart by their limit)`)
  } finally {
    for (const client of bare) client.sock.end(undefined)
    events.stop()
    await core.close()
    await sim.close()
    rmSync(dataDir, { recursive: true, force: true })
    unmute()
  }
}

await main()

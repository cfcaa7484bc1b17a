// The telemetry budget: CPU the server spends on telemetry (aggregation and ticks) at 500
// accounts, idle and at one message per second per account, measured side by side with telemetry off in
// the same process, in interleaved rounds (medians and min–max reported).
//
// What runs: 500 in-memory auth stores, each wired as the app wires them (openObservedAuth: the real
// instrumentStore under Baileys' cached key store with the observed key cache), so operations reach the aggregator
// through the real diagnostics channels. Not 500 real sockets (Baileys and the simulator would cost far
// more than what is measured here, and the same in both modes). One "message" is what Baileys does per
// message to the key store: a session read through the cache (a hit), a session write (keys_set), and a
// sender-key read that reaches the store (keys_get). Telemetry on = createTelemetry with its 1 Hz ticks
// serialised to JSON as the WebSocket transport does per client. Off = the same stores with nobody
// subscribed to the channels (the wrapper calls straight through). "View open" adds what one open
// telemetry view asks: the ranking and totals every 5 s, key counts every 10 s, one watched account.
//
// Usage: npm run bench:telemetry [-- --accounts 500 --seconds 15 --rounds 3]

import '../scripts/require-node24.mjs'
import { parseArgs } from 'node:util'
import type { SignalKeyStore } from '@whiskeysockets/baileys'
import type { AccountId } from '../src/shared/ids'
import { createMemoryAuthStoreFactory } from '../src/main/core/auth-store/memory-store'
import type { ManagedAuthStore } from '../src/main/core/auth-store/types'
import { createEventBus } from '../src/main/core/events'
import { silentLogger } from '../src/main/core/logger'
import { openObservedAuth } from '../src/main/core/observed-auth'
import { createObservedKeyCache, createTelemetryAggregator, instrumentStore } from '../src/main/core/telemetry'
import { createTelemetry, type Telemetry } from '../src/main/core/telemetry/wiring'

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
  },
})
const ACCOUNTS = Number(values.accounts)
const SECONDS = Number(values.seconds)
const ROUNDS = Number(values.rounds)
/** Messages are spread over the second in this many slices, as real traffic is. */
const SLICES_PER_SECOND = 50

interface Account {
  id: AccountId
  store: ManagedAuthStore
  keys: SignalKeyStore
  peer: string
}

async function makeAccounts(): Promise<Account[]> {
  const factory = createMemoryAuthStoreFactory()
  const accounts: Account[] = []
  for (let i = 0; i < ACCOUNTS; i++) {
    const id = `bench-${i}` as AccountId
    // The app's own wiring (openObservedAuth): the instrumented store under Baileys' cached key store,
    // with the account's observed key cache. Telemetry on or off only changes who listens.
    const auth = await openObservedAuth({ instrument: instrumentStore, keyCache: (account) => createObservedKeyCache({ account }) }, factory.open(id), id)
    const store = auth.store
    const keys = auth.state.keys
    const peer = `49151${String(i).padStart(7, '0')}.0`
    await store.set({ 'pre-key': Object.fromEntries(Array.from({ length: 30 }, (_, k) => [String(k), { public: new Uint8Array(32), private: new Uint8Array(32) }])) })
    accounts.push({ id, store, keys, peer })
  }
  return accounts
}

async function message(account: Account): Promise<void> {
  const session = await account.keys.get('session', [account.peer])
  await account.keys.set({ session: { [account.peer]: session[account.peer] ?? new Uint8Array(64) } })
  await account.store.get('sender-key', [`group-${account.peer}`])
}

/** Runs `perSecond` messages a second, spread over the second, until stopped. */
function traffic(accounts: readonly Account[], perSecond: number): () => void {
  if (perSecond === 0) return () => undefined
  let next = 0
  let carry = 0
  const timer = setInterval(() => {
    carry += perSecond / SLICES_PER_SECOND
    for (; carry >= 1; carry -= 1) {
      void message(accounts[next]!)
      next = (next + 1) % accounts.length
    }
  }, 1000 / SLICES_PER_SECOND)
  return () => clearInterval(timer)
}

/** What one open telemetry view costs the server (the view makes no per-account requests). */
function openView(telemetry: Telemetry, watched: AccountId): () => void {
  telemetry.watch('bench-view-client', [watched])
  const every5 = setInterval(() => {
    telemetry.ranking(900)
    telemetry.snapshot(null, 900)
    telemetry.snapshot(watched, 900)
  }, 5000)
  const every10 = setInterval(() => void telemetry.keyCounts(), 10_000)
  return () => {
    clearInterval(every5)
    clearInterval(every10)
  }
}

interface Mode {
  name: string
  telemetry: boolean
  view: boolean
  perSecond: number
}

interface Sample {
  /** Percent of one core over the measured seconds. */
  cpu: number
  ticks: number[]
  /** Store operations per second telemetry counted over the measured seconds (a check on the load). */
  opsPerSecond: number | null
}

async function measure(accounts: readonly Account[], mode: Mode): Promise<Sample> {
  const events = createEventBus(silentLogger())
  const ticks: number[] = []
  // The transport's work per client and tick: serialise the message.
  events.subscribe((m) => {
    if (m.event === 'telemetry:tick') ticks.push(JSON.stringify(m).length)
  })
  const telemetry = mode.telemetry ? createTelemetry({ events, logger: silentLogger() }) : null
  if (telemetry) {
    const factory = new Map(accounts.map((a) => [a.id, a.store]))
    telemetry.useKeySource({ accounts: () => accounts.map((a) => a.id), count: (id) => factory.get(id)!.counts() })
  }
  // Warm-up: a couple of ticks, JIT, the window filling. Idle modes get traffic too during the warm-up,
  // then none: idle means 500 accounts with history in the window that ticks walk every second.
  const warmTraffic = traffic(accounts, mode.perSecond === 0 ? accounts.length : 0)
  const stopTraffic = traffic(accounts, mode.perSecond)
  const stopView = telemetry && mode.view ? openView(telemetry, accounts[7]!.id) : () => undefined
  await sleep(3000)
  warmTraffic()
  await sleep(1000)
  ticks.length = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await sleep(SECONDS * 1000)
  const used = process.cpuUsage(cpu0)
  const wallMs = performance.now() - t0
  const opsPerSecond = telemetry ? (telemetry.ranking(60).rows.reduce((sum, r) => sum + r.count, 0) / Math.min(60, SECONDS + 4)) : null
  stopView()
  stopTraffic()
  telemetry?.dispose()
  return { cpu: ((used.user + used.system) / 1000 / wallMs) * 100, ticks: [...ticks], opsPerSecond }
}

/** The peer: one tick as it was before ticks were filtered, every account's points in it. */
async function legacyTickBytes(accounts: readonly Account[]): Promise<number> {
  const aggregator = createTelemetryAggregator()
  const stop = traffic(accounts, accounts.length)
  await sleep(1500)
  aggregator.tick()
  await sleep(1000)
  const tick = aggregator.tick()
  stop()
  aggregator.dispose()
  // The same fields the contract's tick carries (milliseconds instead of nanoseconds: same size or less).
  return JSON.stringify({ event: 'telemetry:tick', payload: { t: tick.to, points: tick.points, cache: tick.cache } }).length
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function spread(xs: readonly number[], digits: number): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`
}

async function main(): Promise<void> {
  console.log(`telemetry budget: ${ACCOUNTS} accounts, ${SECONDS} s measured per mode after a 4 s warm-up, ${ROUNDS} interleaved rounds`)
  console.log('synthetic instrumented in-memory stores feed the real diagnostics channels (no sockets; see the header)')
  const accounts = await makeAccounts()
  const modes: Mode[] = [
    { name: 'idle, telemetry off', telemetry: false, view: false, perSecond: 0 },
    { name: 'idle, telemetry on', telemetry: true, view: false, perSecond: 0 },
    { name: '1 msg/s/account, telemetry off', telemetry: false, view: false, perSecond: ACCOUNTS },
    { name: '1 msg/s/account, telemetry on', telemetry: true, view: false, perSecond: ACCOUNTS },
    { name: '1 msg/s/account, telemetry on, one view open', telemetry: true, view: true, perSecond: ACCOUNTS },
  ]
  const samples = new Map<string, Sample[]>(modes.map((m) => [m.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotated order, so drift over the run (other work on the machine, GC) does not favour one mode.
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!)
    for (const mode of order) samples.get(mode.name)!.push(await measure(accounts, mode))
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`)
  }

  console.log('\n== CPU, percent of one core (median of rounds, min–max)')
  const cpu = (name: string): number[] => samples.get(name)!.map((s) => s.cpu)
  for (const mode of modes) console.log(`${mode.name.padEnd(48)} ${median(cpu(mode.name)).toFixed(2)} % (${spread(cpu(mode.name), 2)})`)

  // Per round: on minus off, so both halves of a difference saw the same machine.
  const delta = (on: string, off: string): number[] => cpu(on).map((v, i) => v - cpu(off)[i]!)
  const idle = delta('idle, telemetry on', 'idle, telemetry off')
  const busy = delta('1 msg/s/account, telemetry on', '1 msg/s/account, telemetry off')
  const view = delta('1 msg/s/account, telemetry on, one view open', '1 msg/s/account, telemetry off')
  console.log('\n== telemetry cost = on − off, per round (median, min–max), against its budget')
  console.log(`idle:            ${median(idle).toFixed(2)} % of one core (${spread(idle, 2)}); budget < 2 % → ${median(idle) < 2 ? 'within' : 'OVER'}`)
  console.log(`1 msg/s/account: ${median(busy).toFixed(2)} % of one core (${spread(busy, 2)}); budget < 5 % → ${median(busy) < 5 ? 'within' : 'OVER'}`)
  console.log(`  with one telemetry view open: ${median(view).toFixed(2)} % (${spread(view, 2)})`)
  const offBusy = median(cpu('1 msg/s/account, telemetry off'))
  console.log(`ratio on/off at 1 msg/s/account: ${(median(cpu('1 msg/s/account, telemetry on')) / offBusy).toFixed(2)}`)

  const ops = samples.get('1 msg/s/account, telemetry on')!.map((s) => s.opsPerSecond ?? 0)
  console.log(`store operations telemetry counted at 1 msg/s/account: ${median(ops).toFixed(0)}/s (keys_get + keys_set; ~2 per message)`)

  const tickSizes = samples.get('1 msg/s/account, telemetry on')!.flatMap((s) => s.ticks)
  const viewTicks = samples.get('1 msg/s/account, telemetry on, one view open')!.flatMap((s) => s.ticks)
  console.log('\n== telemetry:tick size in bytes (JSON), 1 msg/s/account')
  console.log(`aggregate only: median ${median(tickSizes).toFixed(0)}, max ${Math.max(...tickSizes)}`)
  console.log(`aggregate + one watched account: median ${median(viewTicks).toFixed(0)}, max ${Math.max(...viewTicks)}`)
  console.log(`every account, as ticks were before the view watched only what it shows: ${await legacyTickBytes(accounts)} (one tick)`)
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})

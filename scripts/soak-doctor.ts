// `npm run soak:doctor [-- --accounts 200] [--minutes 3] [--stale-seconds 10] [--seed N]`: the session
// doctor under a random mix of WhatsApp's faults (src/simulator/README.md, "Faults on request") against
// N real accounts in one core, with texts flowing between them and from simulated phones throughout.
// Afterwards it clears every fault, repairs what never heals by itself (logged out, banned, replaced)
// the way an operator would, and reports:
// - accounts healthy at the end (connected, no condition);
// - texts WhatsApp accepted against texts received: equal, none twice;
// - the longest time a stale socket (a `silence` fault) went unnoticed, and the detection delays;
// - what was injected, what the accounts showed, and the machine's load average.
// Exits 1 when an account is unhealthy, a text was lost or came twice, or a stale socket went unnoticed
// for longer than staleSocketSeconds + 10 s. Texts to an account whose session is about to be ended on
// purpose (401, 403, 440) are not sent: WhatsApp drops what waits for a removed device.

import './require-node24.mjs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { ConditionCode } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import { isAppError } from '../src/shared/errors'
import type { Fault } from '../src/simulator/faults/fault'
import { startManyAccounts, type ManyAccounts } from '../test/support/many-accounts'
import type { PairedTestAccount } from '../test/support/sessions'

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '200' },
    minutes: { type: 'string', default: '3' },
    'stale-seconds': { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
  },
})
const N = Number(values.accounts)
const MINUTES = Number(values.minutes)
const STALE_SECONDS = Number(values['stale-seconds'])
/** After a 463 without the limit's end, how long new contacts are refused; and a decryption condition's quiet period. */
const HOLD_MS = 60_000
const QUIET_MS = 30_000
/** How long, after the faults stop, accounts and texts have to come right. */
const SETTLE_MS = 120_000
const say = (line: string): void => void process.stdout.write(`${line}\n`)
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

// A small seeded generator (mulberry32), so a run can be repeated with --seed.
let state = Number(values.seed) >>> 0
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
const between = (min: number, max: number): number => Math.round(min + random() * (max - min))

type Kind = 'silence' | 'close-transient' | 'bad-mac' | 'reach-out-limit' | 'lid' | 'close-terminal'
/** How often each kind is drawn; a terminal close only hits the accounts set aside for it. */
const WEIGHTS: ReadonlyArray<[Kind, number]> = [
  ['silence', 30],
  ['close-transient', 25],
  ['bad-mac', 20],
  ['reach-out-limit', 10],
  ['lid', 10],
  ['close-terminal', 5],
]

function drawKind(): Kind {
  let roll = random() * WEIGHTS.reduce((n, [, w]) => n + w, 0)
  for (const [kind, weight] of WEIGHTS) if ((roll -= weight) < 0) return kind
  return 'silence'
}

interface Tally {
  injected: Map<string, number>
  conditions: Map<ConditionCode, number>
  staleDelays: number[]
  /** Silences that ran out unfound before another came to the same account: how long each ran. */
  missedEarlier: number[]
  /** Texts WhatsApp accepted, by text: the account it went to. */
  accepted: Map<string, AccountId>
  refused: Map<string, number>
  received: Map<string, number>
}

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 10) throw new Error('--accounts must be 10 or more')
  if (!(MINUTES > 0)) throw new Error('--minutes must be more than 0')
  if (!Number.isInteger(STALE_SECONDS) || STALE_SECONDS < 5 || STALE_SECONDS > 600) throw new Error('--stale-seconds must be 5 to 600')
  say(`soak:doctor: ${N} accounts, ${MINUTES} min of faults, staleSocketSeconds ${STALE_SECONDS}, seed ${values.seed}, node ${process.version}`)
  say(`  (a 463 without an end holds new contacts ${s(HOLD_MS)}; a decryption condition ends after ${s(QUIET_MS)} of quiet)`)
  const started = Date.now()
  const world = await startManyAccounts({
    accounts: N,
    label: (i) => `Soak ${String(i).padStart(3, '0')}`,
    pairConcurrency: 10,
    staleSocketSeconds: STALE_SECONDS,
    // Shorter than the defaults (15 min, 2 min) so the conditions that end by themselves do within the settle time.
    doctor: { reachOutHoldMs: HOLD_MS, decrypt: { quietMs: QUIET_MS } },
    progress: (n) => n % 50 === 0 && say(`  paired ${n} of ${N}`),
  })
  say(`paired ${N} accounts in ${s(Date.now() - started)}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const tally: Tally = { injected: new Map(), conditions: new Map(), staleDelays: [], missedEarlier: [], accepted: new Map(), refused: new Map(), received: new Map() }
  try {
    const ok = await soak(world, tally)
    process.exitCode = ok ? 0 : 1
  } finally {
    await world.close()
  }
}

async function soak(world: ManyAccounts, tally: Tally): Promise<boolean> {
  const { core, sim } = world
  const byId = new Map(world.accounts.map((a) => [a.id, a]))
  // One in ten accounts may have its session ended on purpose; texts never go to those.
  const victims = new Set(world.accounts.filter((_, i) => i % 10 === 9).map((a) => a.id))
  const targets = world.accounts.filter((a) => !victims.has(a.id))
  /** Silences not yet found: when each began and when it runs out. One at a time per account, and no other fault meanwhile. */
  const silenced = new Map<AccountId, { at: number; until: number }>()
  const ended = new Set<AccountId>()

  const unsubscribe = core.events.subscribe((message) => {
    if (message.event === 'accounts:message') {
      const { text } = message.payload
      if (text.startsWith('soak ')) tally.received.set(text, (tally.received.get(text) ?? 0) + 1)
    } else if (message.event === 'accounts:condition' && message.payload.condition) {
      const { id, condition } = message.payload
      tally.conditions.set(condition.code, (tally.conditions.get(condition.code) ?? 0) + 1)
      const silence = silenced.get(id)
      if (condition.code === 'stale-socket' && silence !== undefined) {
        tally.staleDelays.push(Date.now() - silence.at)
        silenced.delete(id)
      }
    }
  })

  let sequence = 0
  async function sendOne(): Promise<void> {
    const to = pick(targets)
    const text = `soak ${++sequence}`
    if (random() < 0.3) {
      // A simulated phone writes: WhatsApp always takes it, and queues it for a device that is away.
      await sim.sendFromPhone(`1555${between(7_000_000, 7_000_040)}`, to.phone, text)
      tally.accepted.set(text, to.id)
      return
    }
    let from = pick(world.accounts)
    while (from.id === to.id) from = pick(world.accounts)
    try {
      await core.sessions.sendText(from.id, to.phone, text)
      tally.accepted.set(text, to.id)
    } catch (error) {
      const code = isAppError(error) ? error.code : 'internal'
      tally.refused.set(code, (tally.refused.get(code) ?? 0) + 1)
    }
  }

  async function injectOne(): Promise<void> {
    const kind = drawKind()
    const pool = kind === 'close-terminal' ? world.accounts.filter((a) => victims.has(a.id) && !ended.has(a.id)) : targets
    const connected = new Set(core.sessions.list().filter((a) => a.status === 'connected').map((a) => a.id))
    const now = Date.now()
    const candidates = pool.filter((a) => connected.has(a.id) && (silenced.get(a.id)?.until ?? 0) <= now)
    if (candidates.length === 0) return
    const account = pick(candidates)
    const fault = faultOf(kind, account)
    if (fault.kind === 'silence') {
      const before = silenced.get(account.id)
      if (before) tally.missedEarlier.push(Math.min(now, before.until) - before.at)
      silenced.set(account.id, { at: now, until: now + fault.seconds * 1000 })
    }
    if (kind === 'close-terminal') ended.add(account.id)
    await sim.injectFault(fault)
    const name = fault.kind === 'close' ? `close ${fault.code}` : fault.kind
    tally.injected.set(name, (tally.injected.get(name) ?? 0) + 1)
  }

  const until = Date.now() + MINUTES * 60_000
  let lastReport = Date.now()
  const traffic = (async () => {
    while (Date.now() < until) {
      await Promise.all(Array.from({ length: 4 }, () => sendOne().catch(() => undefined)))
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()
  while (Date.now() < until) {
    await injectOne().catch((err: unknown) => say(`  (an injection failed: ${String(err)})`))
    await new Promise((resolve) => setTimeout(resolve, between(500, 1500)))
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now()
      const healthy = core.sessions.list().filter((a) => a.status === 'connected' && a.condition === null).length
      say(`  ${s(MINUTES * 60_000 - (until - Date.now()))}: ${healthy} of ${N} healthy, ${tally.accepted.size} texts accepted, ${tally.received.size} received; load ${loadavg()[0]!.toFixed(2)}`)
    }
  }
  await traffic
  say(`faults stop at ${s(MINUTES * 60_000)}; clearing them and repairing what never heals by itself`)
  const loadAtEnd = loadavg()

  // A silence the app never found, though it ran past the limit, went unnoticed for as long as it ran:
  // those that ran out before another came to the same account, and those still open now.
  const limitMs = (STALE_SECONDS + 10) * 1000
  const stopped = Date.now()
  const open = [...silenced.values()].map((x) => Math.min(stopped, x.until) - x.at)
  const missed = [...tally.missedEarlier, ...open].filter((ms) => ms > limitMs)
  const cutShort = open.filter((ms) => ms <= limitMs).length
  // What an operator does afterwards: clear the faults, re-pair or take back the ended sessions.
  for (const account of world.accounts) sim.clearFaults(account.phone)
  for (const summary of core.sessions.list()) {
    const code = summary.condition?.code
    const account = byId.get(summary.id)!
    if (code === 'logged-out' || code === 'banned') await world.repair(account)
    else if (code === 'replaced') await core.sessions.start(summary.id, { takeBack: true })
  }
  // Everything in flight lands: healthy accounts and every accepted text, or SETTLE_MS passes.
  const settleStart = Date.now()
  const settleBy = settleStart + SETTLE_MS
  const healthyNow = (): number => core.sessions.list().filter((a) => a.status === 'connected' && a.condition === null).length
  while (Date.now() < settleBy && (healthyNow() < N || [...tally.accepted.keys()].some((t) => !tally.received.has(t)))) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  unsubscribe()

  const healthy = healthyNow()
  const lost = [...tally.accepted.keys()].filter((t) => !tally.received.has(t))
  const twice = [...tally.received.entries()].filter(([, n]) => n > 1)
  const longest = Math.max(0, ...tally.staleDelays, ...missed)
  const delays = [...tally.staleDelays].sort((a, b) => a - b)
  const median = delays.length ? delays[Math.floor(delays.length / 2)]! : 0
  say('')
  say(`accounts healthy at the end: ${healthy} of ${N} (settled ${s(Date.now() - settleStart)} after the faults stopped)`)
  for (const summary of core.sessions.list().filter((a) => !(a.status === 'connected' && a.condition === null)).slice(0, 10)) {
    say(`  not healthy: ${summary.label} ${summary.status} ${summary.condition?.code ?? ''} ${summary.lastError ?? ''}`)
  }
  say(`texts accepted by WhatsApp: ${tally.accepted.size}; received: ${[...tally.received.values()].reduce((a, b) => a + b, 0)} (${tally.received.size} distinct); lost: ${lost.length}; received twice: ${twice.length}`)
  say(`texts refused: ${[...tally.refused.entries()].map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}`)
  say(
    `stale sockets found: ${tally.staleDelays.length} of ${tally.injected.get('silence') ?? 0} silences (${missed.length} missed; ${cutShort} ended or stopped before they were due); ` +
      `unnoticed for at most ${s(longest)} (median ${s(median)}; limit ${STALE_SECONDS + 10} s)`,
  )
  say(`faults injected: ${[...tally.injected.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`)
  say(`conditions shown: ${[...tally.conditions.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`)
  say(`load average at the end of the faults: ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}; now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  return healthy === N && lost.length === 0 && twice.length === 0 && missed.length === 0 && longest <= limitMs
}

function faultOf(kind: Kind, account: PairedTestAccount): Fault {
  const phone = account.phone
  switch (kind) {
    case 'silence':
      return { phone, kind: 'silence', seconds: between(20, 60) }
    case 'close-transient':
      return { phone, kind: 'close', code: pick([500, 503, 428] as const) }
    case 'bad-mac':
      return { phone, kind: 'bad-mac', count: between(1, 6) }
    case 'reach-out-limit':
      return { phone, kind: 'reach-out-limit', seconds: between(10, 40), announce: random() < 0.7 }
    case 'lid':
      return random() < 0.5 ? { phone, kind: 'lid', on: true } : { phone, kind: 'lid', on: true, mappingAfterSeconds: between(0, 5) }
    case 'close-terminal':
      return { phone, kind: 'close', code: pick([401, 403, 440] as const) }
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})

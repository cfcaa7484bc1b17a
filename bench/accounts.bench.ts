// Accounts benchmark: one core in this process runs N WhatsApp accounts against the simulator, which
// runs in a child process so its memory is not counted. Run: `npm run bench:accounts -- [--accounts N]
// [--messages M] [--pair-concurrency C] [--settle-ms MS] [--profile DIR] [--connect-concurrency L]
// [--sweep-concurrency 4,16,64] [--pairing qr|seed]`. The process takes the headless server's heap
// limit (heap-limit.ts) and prints it on its first line. --profile writes CPU profiles of the reconnect
// and message phases to DIR and prints where their time goes. --connect-concurrency sets the app's admission limit (handshakes
// in flight, sessions/admission.ts); --sweep-concurrency reconnects everything again under each limit
// listed and prints time, event-loop delay and heap peak for each. Measures, in order:
//   (a) pairing N accounts by QR (the simulator's admin API plays the phones), C at a time; or, with
//       --pairing seed (the default above 500 accounts: QR pairing takes about 0.4 s an account here,
//       hours at 10,000), seeding them: seed-accounts.ts writes what a completed pairing leaves on both
//       sides (the simulator's state file, which the simulator is then started on read-only; the app's
//       sealed creds, pre-keys and account rows through the app's own storage code) from identities
//       made by Baileys' and the simulator's own pairing functions, in a child process with worker
//       threads so none of it counts in this process's memory. It skips the QR exchange, the first
//       login (Baileys' login chores then happen at the reconnect instead) and most pre-keys (30, not
//       812). Phases (b) to (e) are then the same real Baileys against the simulator either way. The
//       seeded accounts never ran in this process, so "after pairing" equals the fresh baseline;
//   (b) closing the core and opening a new one on the same data dir, then the time until all N are
//       connected again from the encrypted store (createCore + startAccounts, no pairing), with the
//       event loop's delay and the heap's peak during it (phase-watch.ts; the peer reports the same);
//   (c) resident memory per idle connected account: (RSS with N connected and idle − RSS of this
//       process after createCore with 0 accounts running) / N. Both RSS figures are taken after a full
//       GC (global.gc with --expose-gc; otherwise exposed at run time through v8.setFlagsFromString) so
//       garbage does not count. The baseline is the fresh process before any account ever ran: lazily
//       loaded code and first-use caches then count against the accounts, so the figure errs high
//       (so does this: Baileys keeps a closed socket reachable until its in-flight query timers, up to
//       60 s, run out, so the first core's sockets are still in the heap when the idle figure is
//       taken); the baseline taken after the reopen (pages already grown by pairing) is shown as well
//       and errs low. The truth lies between the two; the summary line uses the high one;
//   (d) message throughput: account i sends to account i+1 (mod N), M texts in all, every sender at
//       once (at most --senders, default 500: send-plan.ts), timed from the first send until every accounts:message event has arrived.
// Then the same four phases for the peer, measured the same way against the same simulator with the same
// N, concurrency and message plan: plain Baileys with useMultiFileAuthState (one folder per account), no
// app core, in its own process (bench/baileys-peer.ts; the app's core is closed by then, so the two never
// compete for CPU; the peer pairs by QR whatever --pairing says, and its budget ends it long before
// 10,000). "== ratios" divides the app's figures by the peer's. --skip-peer leaves it out
// (for profiling); --peer-key-cache wraps the peer's keys in makeCacheableSignalKeyStore, as the app does;
// --peer-no-frame-timers gives the peer's sockets the app's timer settings (sessions/socket-timeouts.ts),
// without the app's once-per-socket replacements.
// The peer is time-boxed (--peer-budget-s, default 240 s): plain Baileys does not always finish at
// hundreds of accounts, and then the run says so and gives no ratio rather than running for an hour.
//   (e) --churn R: every account reconnects R times (stop, start, until connected again), then (c) and
//       (d) are measured again, to show whether memory and msg/s stay flat after reconnect churn (on
//       Node 20 they did not: Baileys' per-socket AsyncLocalStorage made every await slower for good).
// The simulator's own memory is reported per account too: it must hold the largest N (2,000).
// Uses temp dirs and removes them; stops the simulator and peer processes on exit, on error and on
// Ctrl-C, and a detached guard (cleanup-guard.ts) does both if this process is killed. The last line is the summary the project tracks.

import './as-built'
import { benchHeapLimit } from './heap-limit'
import { once } from 'node:events'
import { availableParallelism } from 'node:os'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { AccountSummary, ReceivedMessage } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import type { Core } from '../src/main/core/create-core'
import { muteLibsignalLogs } from '../test/support/baileys-clients'
import { newDataKey, openTestCore, pairAccount, type EventRecorder, type PairedTestAccount } from '../test/support/sessions'
import { NO_LIMITS } from '../src/main/core/sends/limits'
import { startCleanupGuard } from './cleanup-guard'
import { createPhaseProfiler, type PhaseProfiler } from './cpu-profile'
import { watchPhase } from './phase-watch'
import { startPeerProcess, type PeerMemory, type PeerProcess } from './peer-process'
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process'
import { eachSender } from './send-plan'
import { DEFAULT_SEEDED_PRE_KEYS, SEED_BY_DEFAULT_ABOVE, seedInChildProcess, type SeededAccount, type SeededAccounts } from './seed-accounts'

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '50' },
    messages: { type: 'string', default: '500' },
    'pair-concurrency': { type: 'string', default: '10' },
    'settle-ms': { type: 'string', default: '3000' },
    /** A directory: CPU-profile the reconnect and message phases there and print where the time goes. */
    profile: { type: 'string' },
    /** Measure the app alone: no plain-Baileys peer, no ratios. */
    'skip-peer': { type: 'boolean', default: false },
    /** Give the peer Baileys' makeCacheableSignalKeyStore in front of its folder (off: the README's plain `auth: state`). */
    'peer-key-cache': { type: 'boolean', default: false },
    /** Give the peer's sockets no timer per frame or per query, as the app's (off: Baileys' defaults, as its README's example). */
    'peer-no-frame-timers': { type: 'boolean', default: false },
    /** Seconds the whole peer measurement may take before it is stopped and reported as unfinished. */
    'peer-budget-s': { type: 'string', default: '240' },
    /** Reconnect every account this many times after the first measurement, then measure again (0: off). */
    churn: { type: 'string', default: '0' },
    /** How the app's accounts come to be paired: `qr` (the simulator scans each QR) or `seed` (seed-accounts.ts). */
    pairing: { type: 'string' },
    /** Accounts sending at once in the message phases (send-plan.ts); default all of them, at most 500. */
    senders: { type: 'string' },
    /** Handshakes the app lets in flight at once (sessions/admission.ts); the core's default unless given. */
    'connect-concurrency': { type: 'string' },
    /** Comma-separated limits: after the idle measurement, reconnect everything again under each and compare. */
    'sweep-concurrency': { type: 'string' },
  },
})
function positive(name: string, value: string | undefined): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer`)
    process.exit(2)
  }
  return n
}
const N = positive('accounts', args.accounts)
const MESSAGES = positive('messages', args.messages)
const PAIR_CONCURRENCY = positive('pair-concurrency', args['pair-concurrency'])
/** After the last account connects, Baileys still finishes its login chores (presence, app state); wait them out before measuring idle memory. */
const SETTLE_MS = positive('settle-ms', args['settle-ms'])
const PEER_BUDGET_MS = positive('peer-budget-s', args['peer-budget-s']) * 1000
const CHURN = args.churn === '0' ? 0 : positive('churn', args.churn)
const PAIRING = args.pairing ?? (N > SEED_BY_DEFAULT_ABOVE ? 'seed' : 'qr')
if (PAIRING !== 'qr' && PAIRING !== 'seed') {
  console.error('--pairing must be qr or seed')
  process.exit(2)
}
const SENDERS = args.senders === undefined ? Math.min(N, 500) : positive('senders', args.senders)
const CONNECT_CONCURRENCY = args['connect-concurrency'] === undefined ? undefined : positive('connect-concurrency', args['connect-concurrency'])
const SWEEP = (args['sweep-concurrency'] ?? '')
  .split(',')
  .filter((v) => v !== '')
  .map((v) => positive('sweep-concurrency', v))
/** Long enough for the largest runs (2,000 accounts pair for minutes), short enough to end a stuck one. */
const PHASE_TIMEOUT_MS = Math.max(120_000, N * 150)
const MB = 1024 * 1024

const gc: () => void = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

function fullGc(): void {
  // Twice: the first pass can leave objects whose finalizers free more on the second.
  gc()
  gc()
}

interface Memory {
  rss: number
  heapUsed: number
  external: number
}
function memory(): Memory {
  fullGc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers }
}

/** CPU time (ms) of a child process so far, from /proc (Linux); NaN elsewhere or once it is gone. */
function processCpuMs(pid: number | undefined): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000
  } catch {
    return Number.NaN
  }
}

/** CPU time (ms) of the process doing the work (this one, or the peer's pid) and of the simulator process so far. */
function cpuNow(simPid: number | undefined, workerPid?: number): { self: number; sim: number } {
  const usage = process.cpuUsage()
  const self = workerPid === undefined ? (usage.user + usage.system) / 1000 : processCpuMs(workerPid)
  return { self, sim: processCpuMs(simPid) }
}

function cpuShare(before: { self: number; sim: number }, after: { self: number; sim: number }, wallMs: number, who = 'this process'): string {
  const pct = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${((100 * ms) / wallMs).toFixed(0)}%`)
  return `CPU: ${who} ${pct(after.self - before.self)}, simulator ${pct(after.sim - before.sim)} (of one core; 2 cores = 200%)`
}

/** Files under `dir` and their total size: what each side keeps on disk for its accounts. */
function diskUse(dir: string): string {
  let files = 0
  let bytes = 0
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    files += 1
    bytes += statSync(join(entry.parentPath, entry.name)).size
  }
  return `${files} files, ${mb(bytes)} MB`
}

/** `app / peer` with two decimals, or n/a when the peer's figure is not positive. */
function ratio(app: number, peer: number): string {
  return peer > 0 && Number.isFinite(app) ? (app / peer).toFixed(2) : 'n/a'
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2)
const mb = (bytes: number): string => (bytes / MB).toFixed(1)
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves when every id in `ids` has moved into 'connected'; rejects if one ends in a state that will not connect. */
function allConnected(core: Core, ids: Set<AccountId>): Promise<void> {
  return new Promise((resolve, reject) => {
    const connected = new Set<AccountId>()
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`only ${connected.size} of ${ids.size} accounts connected within ${PHASE_TIMEOUT_MS / 1000} s`))
    }, PHASE_TIMEOUT_MS)
    const unsubscribe = core.events.subscribe((m) => {
      if (m.event !== 'accounts:changed') return
      const summary = m.payload as AccountSummary
      if (!ids.has(summary.id)) return
      if (summary.status === 'connected') connected.add(summary.id)
      if (['failed', 'logged-out', 'replaced'].includes(summary.status)) {
        clearTimeout(timer)
        unsubscribe()
        reject(new Error(`${summary.label} ended ${summary.status}: ${summary.lastError ?? ''}`))
      }
      if (connected.size === ids.size) {
        clearTimeout(timer)
        unsubscribe()
        resolve()
      }
    })
  })
}

/** Resolves, with how many it waited for, once every id shows connected (at once when all do now). */
async function untilAllConnected(core: Core, ids: Set<AccountId>): Promise<number> {
  const missing = new Set(core.sessions.list().filter((a) => ids.has(a.id) && a.status !== 'connected').map((a) => a.id))
  if (missing.size > 0) await allConnected(core, missing)
  return missing.size
}

/**
 * Counts connected accounts that leave 'connected' from now on, by the status they move to and the
 * disconnect code and error they show: at thousands of accounts a socket lost under load shows here.
 */
function watchDrops(core: Core, ids: Set<AccountId>): { stop(): string } {
  const status = new Map(core.sessions.list().map((a) => [a.id, a.status]))
  const reasons = new Map<string, number>()
  const unsubscribe = core.events.subscribe((m) => {
    if (m.event !== 'accounts:changed') return
    const summary = m.payload as AccountSummary
    if (!ids.has(summary.id)) return
    if (status.get(summary.id) === 'connected' && summary.status !== 'connected') {
      const reason = [summary.status, summary.lastDisconnectCode, summary.lastError].filter((v) => v !== null && v !== undefined).join(' ')
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
    status.set(summary.id, summary.status)
  })
  return {
    stop() {
      unsubscribe()
      const total = [...reasons.values()].reduce((a, b) => a + b, 0)
      if (total === 0) return '0'
      return `${total}: ${[...reasons].map(([reason, n]) => `${reason} (${n})`).join(', ')}`
    },
  }
}

/** Sends `count` texts, sender k % N to its right-hand neighbour, and resolves when all have arrived. */
async function exchange(core: Core, accounts: PairedTestAccount[], tag: string, count: number): Promise<number> {
  const prefix = `${tag}-`
  let arrived = 0
  let unsubscribe = (): void => {}
  let timer: NodeJS.Timeout | undefined
  const allArrived = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${arrived} of ${count} "${tag}" messages arrived within ${PHASE_TIMEOUT_MS / 1000} s`)), PHASE_TIMEOUT_MS)
    unsubscribe = core.events.subscribe((m) => {
      if (m.event !== 'accounts:message' || !(m.payload as ReceivedMessage).text.startsWith(prefix)) return
      arrived += 1
      if (arrived === count) resolve()
    })
  })
  const started = performance.now()
  try {
    const senders = eachSender(accounts.length, SENDERS, async (i) => {
      const to = accounts[(i + 1) % accounts.length]!.phone
      for (let k = i; k < count; k += accounts.length) await core.sessions.sendText(accounts[i]!.id, to, `${prefix}${k}`)
    })
    await Promise.all([senders, allArrived])
  } finally {
    clearTimeout(timer)
    unsubscribe()
  }
  return performance.now() - started
}

function table(rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`)
}

/** The peer's figures, measured like the app's (see the phases at the top). */
interface PeerFigures {
  pairMs: number
  closeMs: number
  connectMs: number
  connectCpuText: string
  notConnected: number
  reconnectLag: { p99Ms: number; maxMs: number }
  peakHeap: number
  warmMs: number
  sendMs: number
  sendCpuText: string
  perSecond: number
  duplicates: number
  fresh: PeerMemory
  afterPairing: PeerMemory
  closed: PeerMemory
  idle: PeerMemory
  perAccount: number
  perAccountVsClosed: number
}

/** Thrown when the peer's time budget runs out; the run goes on without its figures. */
class PeerOverBudget extends Error {}

/** The peer's phases under one deadline: past it the peer is killed and its figures are left out. */
async function measurePeerWithinBudget(peer: PeerProcess, sim: SimulatorProcess, dir: string): Promise<PeerFigures | string> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PeerOverBudget()), PEER_BUDGET_MS)
  })
  try {
    return await Promise.race([measurePeer(peer, sim, dir), deadline])
  } catch (error) {
    if (!(error instanceof PeerOverBudget)) return `the peer failed: ${error instanceof Error ? error.message : String(error)}`
    peer.killNow()
    return `the peer did not finish within its ${PEER_BUDGET_MS / 1000} s budget (--peer-budget-s)`
  } finally {
    clearTimeout(timer)
  }
}

/** Runs the plain-Baileys peer through the same phases as the app; `peer` is already started. */
async function measurePeer(peer: PeerProcess, sim: SimulatorProcess, dir: string): Promise<PeerFigures> {
  const peerPid = peer.child.pid
  await peer.request('init', {
    url: sim.url,
    rootKeyHex: sim.rootKeyHex,
    admin: sim.admin,
    dir,
    pairConcurrency: PAIR_CONCURRENCY,
    timeoutMs: PHASE_TIMEOUT_MS,
    keyCache: args['peer-key-cache'] ?? false,
    noFrameTimers: args['peer-no-frame-timers'] ?? false,
    senders: SENDERS,
  })
  // Baseline: the peer process with Baileys loaded, the root trusted and no socket ever made.
  const fresh = await peer.request('memory')

  // (a) Pairing, C at a time.
  const { ms: pairMs } = await peer.request('pair', { n: N })
  const afterPairing = await peer.request('memory')

  // (b) Close every socket (and let creds writes land), then reload every folder and reconnect.
  const { ms: closeMs } = await peer.request('close')
  const closed = await peer.request('memory')
  const connectCpu = cpuNow(sim.child.pid, peerPid)
  const reopened = await peer.request('reopen')
  const connectCpuText = cpuShare(connectCpu, cpuNow(sim.child.pid, peerPid), reopened.ms, 'peer process')

  // (c) Idle memory with N connected.
  await delay(SETTLE_MS)
  const idle = await peer.request('memory')

  // (d) Throughput: the same untimed round, then the same timed plan.
  const warm = await peer.request('exchange', { tag: 'warm', count: N })
  const sendCpu = cpuNow(sim.child.pid, peerPid)
  const sent = await peer.request('exchange', { tag: 'bench', count: MESSAGES })
  const sendCpuText = cpuShare(sendCpu, cpuNow(sim.child.pid, peerPid), sent.ms, 'peer process')

  return {
    pairMs,
    closeMs,
    connectMs: reopened.ms,
    connectCpuText,
    notConnected: reopened.notOpen,
    reconnectLag: { p99Ms: reopened.lagP99Ms, maxMs: reopened.lagMaxMs },
    peakHeap: reopened.peakHeap,
    warmMs: warm.ms,
    sendMs: sent.ms,
    sendCpuText,
    perSecond: MESSAGES / (sent.ms / 1000),
    duplicates: warm.duplicates + sent.duplicates,
    fresh,
    afterPairing,
    closed,
    idle,
    perAccount: (idle.rss - fresh.rss) / N,
    perAccountVsClosed: (idle.rss - closed.rss) / N,
  }
}

function memoryTable(rows: Array<[string, Memory]>): void {
  console.log(`  ${'phase'.padEnd(38)}${'rss'.padStart(9)}${'heapUsed'.padStart(10)}${'external'.padStart(10)}`)
  for (const [phase, m] of rows) {
    console.log(`  ${phase.padEnd(38)}${mb(m.rss).padStart(9)}${mb(m.heapUsed).padStart(10)}${mb(m.external).padStart(10)}`)
  }
}

/** A progress line on stderr at most every 2 s (stdout carries only the report). */
let lastProgress = 0
function progress(line: string, force = false): void {
  const now = performance.now()
  if (!force && now - lastProgress < 2_000) return
  lastProgress = now
  process.stderr.write(`[bench] ${line}\n`)
}

function simPerAccount(stats: { memory: NodeJS.MemoryUsage; loggedIn: number }): string {
  return stats.loggedIn > 0 ? `${mb(stats.memory.rss / stats.loggedIn)} MB` : 'n/a'
}

/** Within 10% either way counts as flat; the figure and its change are printed either way. */
function flat(after: number, before: number): string {
  const change = (after - before) / before
  const pct = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%`
  return Math.abs(change) <= 0.1 ? `flat, ${pct}` : `changed ${pct}`
}

interface ChurnFigures {
  roundMs: number[]
  perAccount: number
  /** Live heap per account after a full GC: a leak shows here; RSS only keeps the high-water mark. */
  heapPerAccount: number
  perSecond: number
}

/** (e) Every account reconnects CHURN times, then idle memory and msg/s are measured again. */
async function churn(core: Core, accounts: PairedTestAccount[], ids: Set<AccountId>): Promise<ChurnFigures> {
  const roundMs: number[] = []
  for (let round = 0; round < CHURN; round++) {
    const started = performance.now()
    const connected = allConnected(core, ids)
    // Ten at a time, as an operator's bulk restart would: every account gets a new socket.
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(10, accounts.length) }, async () => {
        while (next < accounts.length) {
          const account = accounts[next++]!
          await core.sessions.stop(account.id)
          await core.sessions.start(account.id)
        }
      }),
    )
    await connected
    roundMs.push(performance.now() - started)
    progress(`churn: round ${round + 1} of ${CHURN} reconnected`, true)
  }
  await delay(SETTLE_MS)
  const idle = memory()
  const sendMs = await exchange(core, accounts, 'churned', MESSAGES)
  return {
    roundMs,
    perAccount: (idle.rss - freshMemory.rss) / accounts.length,
    heapPerAccount: (idle.heapUsed - freshMemory.heapUsed) / accounts.length,
    perSecond: MESSAGES / (sendMs / 1000),
  }
}

/** (a) Pairs N accounts by QR on `opened`'s core, C at a time: the simulator's admin API plays the phones. */
async function pairAll(opened: { core: Core; events: EventRecorder }, sim: SimulatorProcess): Promise<PairedTestAccount[]> {
  const paired: PairedTestAccount[] = new Array(N)
  let pairedCount = 0
  let next = 0
  const scan = (qr: string, label: string): Promise<unknown> => sim.scan(qr, label)
  await Promise.all(
    Array.from({ length: Math.min(PAIR_CONCURRENCY, N) }, async () => {
      while (next < N) {
        const i = next++
        paired[i] = await pairAccount(opened.core, opened.events, scan, `Bench ${i + 1}`, PHASE_TIMEOUT_MS)
        progress(`pairing: ${++pairedCount} of ${N}`)
      }
    }),
  )
  return paired
}

/** The seeded accounts as the core lists them, in seeding order (the message plan's ring). */
function seededTestAccounts(core: Core, accounts: SeededAccount[]): PairedTestAccount[] {
  const listed = new Map(core.sessions.list().map((summary) => [summary.id, summary]))
  return accounts.map((account) => {
    const summary = listed.get(account.id)
    if (!summary) throw new Error(`the core does not list the seeded account ${account.id}`)
    return { ...account, summary }
  })
}

/** This process with a core open and no account ever run: the baseline of every per-account figure. */
let freshMemory: Memory = { rss: 0, heapUsed: 0, external: 0 }

async function main(): Promise<void> {
  // libsignal prints session records, private keys included; createCore installs this too.
  const unmute = muteLibsignalLogs()
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-bench-accounts-'))
  const peerDir = mkdtempSync(join(tmpdir(), 'irish-bench-peer-'))
  const simDir = mkdtempSync(join(tmpdir(), 'irish-bench-sim-'))
  const dataKey = newDataKey()
  // Removes the dirs and kills the children even if this process is SIGKILLed (tsx does that on Ctrl-C).
  const guard = startCleanupGuard([dataDir, peerDir, simDir])
  let sim: SimulatorProcess | null = null
  let peer: PeerProcess | null = null
  let core: Core | null = null
  const profiler: PhaseProfiler | null = args.profile ? await createPhaseProfiler(args.profile) : null
  const phase = <T>(name: string, work: () => Promise<T>): Promise<T> => (profiler ? profiler.run(name, work) : work())
  // Ctrl-C or an uncaught error: the child processes and the temp dirs must not outlive us.
  const removeDirs = (): void => {
    for (const dir of [dataDir, peerDir, simDir]) {
      try {
        // Retries: a child killed a moment ago may still have had a file write in flight.
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
      } catch (error) {
        console.error(`could not remove ${dir}: ${String(error)}`)
      }
    }
  }
  const killChildren = (): void => {
    peer?.killNow()
    sim?.killNow()
  }
  const onExit = (): void => {
    killChildren()
    removeDirs()
  }
  process.once('exit', onExit)
  // On a signal, wait (briefly) until the children are gone, so no file write lands after the removal.
  const onSignal = (): void => {
    const children = [peer?.child, sim?.child].filter((c) => c && c.exitCode === null && c.signalCode === null)
    killChildren()
    void Promise.race([Promise.all(children.map((c) => once(c!, 'exit'))), delay(2_000)]).finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    const how = PAIRING === 'qr' ? `pairing by QR ${PAIR_CONCURRENCY} at a time` : 'seeded (seed-accounts.ts)'
    console.log(`accounts benchmark: ${N} accounts, ${MESSAGES} messages (${SENDERS} senders at once), ${how}, node ${process.version}, ${benchHeapLimit}`)
    // (a) Seeding, when chosen: both sides written before the simulator and the core start on them.
    const simArgs = ['--port', '0']
    let seeded: SeededAccounts | null = null
    const seedWorkers = Math.min(availableParallelism(), N)
    if (PAIRING === 'seed') {
      progress(`seeding ${N} accounts (${seedWorkers} worker threads)`, true)
      const statePath = join(simDir, 'state.json')
      // In its own process: its worker threads and identities must not count in this process's memory.
      const options = { count: N, dataDir, dataKey, statePath, labelPrefix: 'Bench', limits: NO_LIMITS, workers: seedWorkers }
      seeded = await seedInChildProcess(options, (child) => guard.watch(child))
      simArgs.push('--state', statePath, '--state-read-only')
    }
    sim = await startSimulatorProcess(simArgs)
    guard.watch(sim.child)
    const endpoint = { url: sim.url, rootKeyHex: sim.rootKeyHex }

    // Baseline: this process with a core open and no account ever run.
    const concurrency = CONNECT_CONCURRENCY === undefined ? {} : { connectConcurrency: CONNECT_CONCURRENCY }
    let opened = await openTestCore({ dataDir, dataKey, endpoint, ...concurrency })
    core = opened.core
    // The message phases measure routing, not send limits (bench:sends does): no limits on these accounts.
    core.settings.set({ defaultLimits: NO_LIMITS })
    const fresh = memory()
    freshMemory = fresh

    // (a) Pairing by QR, unless seeded.
    const pairStart = performance.now()
    const paired = seeded ? seededTestAccounts(core, seeded.accounts) : await pairAll(opened, sim)
    const pairMs = performance.now() - pairStart
    opened.events.stop()
    const afterPairing = memory()

    // (b) Close (graceful), reopen, reconnect all from the encrypted store.
    const closeStart = performance.now()
    await core.close()
    core = null
    const closeMs = performance.now() - closeStart

    const openStart = performance.now()
    opened = await openTestCore({ dataDir, dataKey, endpoint, ...concurrency })
    core = opened.core
    opened.events.stop()
    const openMs = performance.now() - openStart
    const reopened = memory()

    progress('reopened; reconnecting every account from the store', true)
    const ids = new Set(paired.map((p) => p.id))
    const connectStart = performance.now()
    const connectCpu = cpuNow(sim.child.pid)
    const connected = allConnected(core, ids)
    const watch = watchPhase()
    await phase('reconnect', async () => {
      await core!.startAccounts()
      await connected
    })
    const connectMs = performance.now() - connectStart
    const reconnectWatch = watch.stop()
    const connectCpuText = cpuShare(connectCpu, cpuNow(sim.child.pid), connectMs)
    const connectedInMs = openMs + connectMs
    const notConnected = core.sessions.list().filter((a) => a.status !== 'connected').length
    progress(`reconnect: ${N} connected in ${seconds(connectedInMs)} s, loop delay p99 ${reconnectWatch.lagP99Ms.toFixed(0)} ms, heap peak ${mb(reconnectWatch.peakHeap)} MB`, true)
    const drops = watchDrops(core, ids)

    // (c) Idle memory with N connected.
    await delay(SETTLE_MS)
    const idle = memory()
    const perAccount = (idle.rss - fresh.rss) / N
    const perAccountVsReopen = (idle.rss - reopened.rss) / N
    const idleHeapPerAccount = (idle.heapUsed - fresh.heapUsed) / N
    const peakHeapRatio = reconnectWatch.peakHeap / idle.heapUsed
    const simStats = await sim.stats()
    progress(`idle: ${mb(perAccount)} MB RSS per account, peak heap / idle heap ${peakHeapRatio.toFixed(2)}`, true)

    // (b') The same reconnect under other admission limits: total time against loop delay and heap peak.
    const sweep: Array<{ limit: number; ms: number; lagP99Ms: number; lagMaxMs: number; peakHeap: number }> = []
    for (const limit of SWEEP) {
      await core.close()
      core = null
      opened = await openTestCore({ dataDir, dataKey, endpoint, connectConcurrency: limit })
      core = opened.core
      opened.events.stop()
      fullGc()
      const started = performance.now()
      const reconnected = allConnected(core, ids)
      const watching = watchPhase()
      await core.startAccounts()
      await reconnected
      sweep.push({ limit, ms: performance.now() - started, ...watching.stop() })
      progress(`sweep: ${limit} in flight, all connected`, true)
      await delay(SETTLE_MS)
    }

    // (d) Throughput: one untimed round so every pair has its Signal session, then the timed run. A
    // sender must be connected: accounts that dropped since are waited for (and counted) first.
    const backBefore = await untilAllConnected(core, ids)
    progress(`measuring message throughput${backBefore > 0 ? ` (after ${backBefore} dropped accounts came back)` : ''}`, true)
    const { warmMs, sendMs, storeBefore, sendCpu } = await (async () => {
      try {
        const warm = await exchange(core, paired, 'warm', N)
        const before = { storeBefore: core.telemetry.snapshot(null).requests, sendCpu: cpuNow(sim.child.pid) }
        return { warmMs: warm, ...before, sendMs: await phase('messages', () => exchange(core!, paired, 'bench', MESSAGES)) }
      } catch (error) {
        progress(`the message phase failed; connections lost after all were connected: ${drops.stop()}`, true)
        throw error
      }
    })()
    const sendCpuText = cpuShare(sendCpu, cpuNow(sim.child.pid), sendMs)
    const storeAfter = core.telemetry.snapshot(null).requests
    const perSecond = MESSAGES / (sendMs / 1000)
    const storeCalls = (['keys_get', 'keys_set', 'save_creds'] as const).map(
      (req) => `${req} ${((storeAfter[req].count - storeBefore[req].count) / MESSAGES).toFixed(1)}/msg (p99 ${storeAfter[req].p99.toFixed(2)} ms)`,
    )

    const dropped = drops.stop()
    const churned = CHURN > 0 ? await churn(core, paired, ids) : null

    // The peer: only now, with the app's core closed, so the two never share the CPU.
    await core.close()
    core = null
    const appDisk = diskUse(dataDir)
    let peerFigures: PeerFigures | null = null
    let peerNote = 'skipped (--skip-peer)'
    if (!args['skip-peer']) {
      progress(`measuring the peer (plain Baileys), at most ${PEER_BUDGET_MS / 1000} s`, true)
      peer = await startPeerProcess()
      guard.watch(peer.child)
      const measured = await measurePeerWithinBudget(peer, sim, peerDir)
      if (typeof measured === 'string') peerNote = measured
      else peerFigures = measured
      await peer.stop()
    }
    const peerDisk = peerFigures ? diskUse(peerDir) : ''
    const simEnd = await sim.stats()

    console.log('\n== time (app)')
    table([
      seeded
        ? [
            `seed ${N} accounts (not paired: seed-accounts.ts)`,
            `${seconds(seeded.generateMs)} s making keys (${seedWorkers} worker threads, ${DEFAULT_SEEDED_PRE_KEYS} pre-keys each), ${seconds(seeded.writeMs)} s writing both sides`,
          ]
        : [`pair ${N} accounts by QR (${PAIR_CONCURRENCY} at a time)`, `${seconds(pairMs)} s (${(pairMs / N).toFixed(0)} ms per account)`],
      [seeded ? 'close the core (no account ever ran)' : 'close the core with all connected', `${seconds(closeMs)} s`],
      ['reopen: createCore (lock, key, database)', `${seconds(openMs)} s`],
      [`reopen: startAccounts until ${N} connected`, `${seconds(connectMs)} s; ${connectCpuText}`],
      [`${N} connected from the encrypted store`, `${seconds(connectedInMs)} s (target 15 s)`],
      ['accounts not connected after reopen', String(notConnected)],
      ['connections lost after all were connected, until the messages ended', dropped],
      [
        'event-loop delay during the reconnect',
        `p99 ${reconnectWatch.lagP99Ms.toFixed(0)} ms, max ${reconnectWatch.lagMaxMs.toFixed(0)} ms (target p99 < 100 ms); ${CONNECT_CONCURRENCY ?? 'default'} handshakes in flight at most`,
      ],
      [`first message on each of ${N} pairs (session setup)`, `${seconds(warmMs)} s`],
      [`${MESSAGES} messages across ${N} pairs`, `${seconds(sendMs)} s = ${perSecond.toFixed(0)} msg/s; ${sendCpuText}`],
      ['store calls during the messages (sender + receiver)', storeCalls.join(', ')],
      ['data dir on disk after the run (core closed)', appDisk],
    ])
    console.log('\n== memory of this process (app; after a full GC each time; MB)')
    memoryTable([
      ['createCore, no account ever run', fresh],
      [seeded ? `after seeding ${N} (none ever ran)` : `after pairing ${N} (all connected)`, afterPairing],
      ['reopened, 0 running', reopened],
      [`${N} connected, idle ${SETTLE_MS} ms`, idle],
    ])
    table([
      ['RSS per connected account (vs fresh)', `${mb(perAccount)} MB (target < 15 MB)`],
      ['RSS per connected account (vs reopened)', `${mb(perAccountVsReopen)} MB`],
      ['heapUsed per connected account (vs fresh)', `${mb((idle.heapUsed - fresh.heapUsed) / N)} MB`],
      [
        'peak heap during the reconnect / idle heap',
        `${peakHeapRatio.toFixed(2)} (${mb(reconnectWatch.peakHeap)} / ${mb(idle.heapUsed)} MB; the peak sampled every 50 ms with its garbage, the idle after a full GC; target 1.3)`,
      ],
      ['simulator process (not counted)', `${mb(simStats.memory.rss)} MB RSS, ${simStats.loggedIn} logged in (${simPerAccount(simStats)} per account)`],
    ])
    if (sweep.length > 0) {
      console.log(`\n== admission control: ${N} accounts reconnected from the store under each limit (handshakes in flight)`)
      table(
        sweep.map((r) => [
          `${r.limit} in flight`,
          `${seconds(r.ms)} s; loop delay p99 ${r.lagP99Ms.toFixed(0)} ms, max ${r.lagMaxMs.toFixed(0)} ms; heap peak ${mb(r.peakHeap)} MB`,
        ]),
      )
    }
    if (churned) {
      console.log(`\n== after churn: every account reconnected ${CHURN} times (stop, start, connected)`)
      table([
        [`reconnect rounds (${N} accounts each)`, churned.roundMs.map((ms) => `${seconds(ms)} s`).join(', ')],
        ['RSS per connected account (vs fresh)', `${mb(churned.perAccount)} MB (before churn ${mb(perAccount)} MB: ${flat(churned.perAccount, perAccount)}; RSS keeps the high-water mark)`],
        ['heapUsed per connected account (vs fresh)', `${mb(churned.heapPerAccount)} MB (before churn ${mb(idleHeapPerAccount)} MB: ${flat(churned.heapPerAccount, idleHeapPerAccount)})`],
        [`${MESSAGES} messages across ${N} pairs`, `${churned.perSecond.toFixed(0)} msg/s (before churn ${perSecond.toFixed(0)}: ${flat(churned.perSecond, perSecond)})`],
      ])
    }

    if (!peerFigures) console.log(`\n== peer: ${peerNote}; no ratios`)
    if (peerFigures) {
      const p = peerFigures
      const cache = (args['peer-key-cache'] ? ' + makeCacheableSignalKeyStore' : '') + (args['peer-no-frame-timers'] ? ', no timer per frame or query' : '')
      console.log(`\n== time (peer: plain Baileys, useMultiFileAuthState${cache}, own process)`)
      table([
        [`pair ${N} accounts by QR (${PAIR_CONCURRENCY} at a time)`, `${seconds(p.pairMs)} s (${(p.pairMs / N).toFixed(0)} ms per account)`],
        ['close all sockets, creds writes landed', `${seconds(p.closeMs)} s`],
        [`reload ${N} folders until ${N} connected`, `${seconds(p.connectMs)} s; ${p.connectCpuText}`],
        ['accounts not connected after reopen', String(p.notConnected)],
        ['event-loop delay during the reconnect', `p99 ${p.reconnectLag.p99Ms.toFixed(0)} ms, max ${p.reconnectLag.maxMs.toFixed(0)} ms`],
        [`first message on each of ${N} pairs (session setup)`, `${seconds(p.warmMs)} s`],
        [`${MESSAGES} messages across ${N} pairs`, `${seconds(p.sendMs)} s = ${p.perSecond.toFixed(0)} msg/s; ${p.sendCpuText}`],
        ['duplicate deliveries (counted, as on the app side)', String(p.duplicates)],
        [`${N} auth folders on disk after the run`, peerDisk],
      ])
      console.log('\n== memory of the peer process (after a full GC each time; MB)')
      memoryTable([
        ['Baileys loaded, no socket ever made', p.fresh],
        [`after pairing ${N} (all connected)`, p.afterPairing],
        ['all closed, 0 running', p.closed],
        [`${N} connected, idle ${SETTLE_MS} ms`, p.idle],
      ])
      table([
        ['RSS per connected account (vs fresh)', `${mb(p.perAccount)} MB`],
        ['RSS per connected account (vs all closed)', `${mb(p.perAccountVsClosed)} MB`],
        ['heapUsed per connected account (vs fresh)', `${mb((p.idle.heapUsed - p.fresh.heapUsed) / N)} MB`],
        ['peak heap during the reconnect / idle heap', `${(p.peakHeap / p.idle.heapUsed).toFixed(2)} (${mb(p.peakHeap)} / ${mb(p.idle.heapUsed)} MB)`],
      ])

      console.log('\n== ratios (app / plain Baileys)')
      table([
        [
          `${N} connected again after a restart`,
          `${ratio(connectedInMs, p.connectMs)} (${seconds(connectedInMs)} s / ${seconds(p.connectMs)} s); >1: the app takes longer to bring all back, <1: it is faster`,
        ],
        [
          'RSS per connected account (vs fresh)',
          `${ratio(perAccount, p.perAccount)} (${mb(perAccount)} / ${mb(p.perAccount)} MB); >1: each app account costs more memory, <1: less`,
        ],
        [
          'RSS per connected account (low baselines)',
          `${ratio(perAccountVsReopen, p.perAccountVsClosed)} (${mb(perAccountVsReopen)} / ${mb(p.perAccountVsClosed)} MB); the same, against the baselines that err low`,
        ],
        [
          'event-loop delay p99 during the reconnect',
          `${ratio(reconnectWatch.lagP99Ms, p.reconnectLag.p99Ms)} (${reconnectWatch.lagP99Ms.toFixed(0)} / ${p.reconnectLag.p99Ms.toFixed(0)} ms); <1: the app's loop stays more responsive`,
        ],
        [`msg/s, ${MESSAGES} messages across ${N} pairs`, `${ratio(perSecond, p.perSecond)} (${perSecond.toFixed(0)} / ${p.perSecond.toFixed(0)}); >1: the app moves more messages per second, <1: fewer`],
        ...(seeded
          ? []
          : ([[`pair ${N} accounts by QR`, `${ratio(pairMs, p.pairMs)} (${seconds(pairMs)} s / ${seconds(p.pairMs)} s); >1: the app pairs slower, <1: faster`]] as Array<[string, string]>)),
      ])
      console.log(`  (simulator process after both sides, not counted: ${mb(simEnd.memory.rss)} MB RSS)`)
    }
    unmute()
    console.log(`accounts: ${N} connected in ${seconds(connectedInMs)} s, ${mb(perAccount)} MB RSS per account, ${perSecond.toFixed(0)} msg/s`)
  } finally {
    unmute()
    await profiler?.close()
    if (core) await core.close()
    await peer?.stop()
    await sim?.stop()
    removeDirs()
    process.off('exit', onExit)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

// Explicit exit: Baileys leaves the timers of queries still in flight when a socket ends (up to its
// 60 s query timeout) referenced, which would hold the process open long after the work is done.
await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)

// Helpers for suites (and the accounts benchmark) that drive the real core against the WhatsApp
// simulator: start a simulator and a core on a temp data dir, record the core's events so a test can
// await "the next event after this point", pair an account by QR, and wait for a status. Test-only:
// never import it from app code. Framework-free (no vitest; a test file passes its hooks in) so a
// benchmark can use it too.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type makeWASocket from '@whiskeysockets/baileys'
import type { SocketConfig } from '@whiskeysockets/baileys'
import type { AccountStatus, AccountSummary, EventMessage, EventName, EventPayload, PairingState } from '../../src/shared/contract'
import type { AccountId } from '../../src/shared/ids'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/simulator'
import { silentLogger as silentSimulatorLogger } from '../../src/simulator/logger'
import { muteLibsignalLogs, type SuiteHooks } from './baileys-clients'
import { createCore, type Core, type SimulatorPort } from '../../src/main/core/create-core'
import { envVault } from '../../src/main/core/crypto/key-vault'
import type { EventBus } from '../../src/main/core/events'
import { silentLogger } from '../../src/main/core/logger'
import type { BackoffOptions } from '../../src/main/core/sessions/reconnect-policy'
import type { SocketTimeouts } from '../../src/main/core/sessions/socket-timeouts'
import type { LimitWindows } from '../../src/main/core/sends/limits'
import type { DoctorOptions } from '../../src/main/core/doctor/doctor'
import { embeddedSimulatorPort } from '../../src/main/embedded-simulator'

/** Long enough for a pairing on a busy 2-core CI machine, short enough to fail well inside a test timeout. */
export const WAIT_MS = 8_000

/** Small, so a transient disconnect recovers in well under a second. */
export const TEST_BACKOFF: BackoffOptions = { baseMs: 50, maxMs: 400, factor: 2 }

export function newDataKey(): string {
  return randomBytes(32).toString('base64')
}

// ---------------------------------------------------------------------------------------------------
// Event recording

/** Every event a core emitted since recording began, and waiters for the ones still to come. */
export interface EventRecorder {
  readonly received: EventMessage[]
  /** A position in `received`: pass it as `since` to wait only for what happens after this point. */
  mark(): number
  /** The first event at or after `since` (default: now) that matches; rejects after `timeoutMs`. */
  next(match: (m: EventMessage, index: number) => boolean, options?: { since?: number; timeoutMs?: number; what?: string }): Promise<EventMessage>
  /** Recorded events at or after `since` with this name, as typed payloads. */
  payloads<E extends EventName>(event: E, since?: number): Array<EventPayload<E>>
  /**
   * Whether the event at `index` changed its account's status. accounts:changed is also emitted for
   * patches that keep the status (a disconnect code, a rename), which are not transitions.
   */
  isTransition(index: number): boolean
  stop(): void
}

interface Waiter {
  since: number
  match: (m: EventMessage, index: number) => boolean
  resolve: (m: EventMessage) => void
}

/** `initial`: the accounts as they are now, so the first event for each is judged against its status. */
export function recordEvents(bus: EventBus, initial: AccountSummary[] = []): EventRecorder {
  const received: EventMessage[] = []
  const transitions = new Set<number>()
  const lastStatus = new Map<AccountId, AccountStatus>(initial.map((a) => [a.id, a.status]))
  const waiters = new Set<Waiter>()
  const unsubscribe = bus.subscribe((message) => {
    const index = received.push(message) - 1
    if (message.event === 'accounts:changed') {
      const summary = message.payload as AccountSummary
      if (lastStatus.get(summary.id) !== summary.status) transitions.add(index)
      lastStatus.set(summary.id, summary.status)
    }
    for (const waiter of [...waiters]) {
      if (index >= waiter.since && waiter.match(message, index)) {
        waiters.delete(waiter)
        waiter.resolve(message)
      }
    }
  })
  return {
    received,
    mark: () => received.length,
    next(match, options = {}) {
      const since = options.since ?? received.length
      for (let index = since; index < received.length; index++) {
        if (match(received[index]!, index)) return Promise.resolve(received[index]!)
      }
      const timeoutMs = options.timeoutMs ?? WAIT_MS
      return new Promise<EventMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'an event'}`))
        }, timeoutMs)
        const waiter: Waiter = {
          since,
          match,
          resolve(message) {
            clearTimeout(timer)
            resolve(message)
          },
        }
        waiters.add(waiter)
      })
    },
    payloads<E extends EventName>(event: E, since = 0) {
      return received.slice(since).filter((m) => m.event === event).map((m) => m.payload as EventPayload<E>)
    },
    isTransition: (index) => transitions.has(index),
    stop: () => {
      unsubscribe()
    },
  }
}

/** Matches the event that moved the account into `status` (not a later patch that kept it there). */
export function isStatusEvent(events: EventRecorder, id: AccountId, status: AccountStatus) {
  return (m: EventMessage, index: number): boolean =>
    m.event === 'accounts:changed' &&
    (m.payload as AccountSummary).id === id &&
    (m.payload as AccountSummary).status === status &&
    events.isTransition(index)
}

/** The statuses an account moved into after `since`, in order. */
export function statusesSince(events: EventRecorder, id: AccountId, since: number): AccountStatus[] {
  const out: AccountStatus[] = []
  for (let index = since; index < events.received.length; index++) {
    const m = events.received[index]!
    if (m.event !== 'accounts:changed' || !events.isTransition(index)) continue
    const summary = m.payload as AccountSummary
    if (summary.id === id) out.push(summary.status)
  }
  return out
}

/**
 * Waits until the account shows `status`. With `since`, only a change recorded after that mark counts
 * (use it when the account shows that status now and must leave and come back); without it, the
 * current status counts too.
 */
export async function waitForStatus(
  core: Core,
  events: EventRecorder,
  id: AccountId,
  status: AccountStatus,
  options: { since?: number; timeoutMs?: number } = {},
): Promise<AccountSummary> {
  if (options.since === undefined) {
    const now = core.sessions.list().find((a) => a.id === id)
    if (now?.status === status) return now
  }
  const message = await events.next(isStatusEvent(events, id, status), {
    since: options.since ?? events.mark(),
    what: `account ${id} to become ${status}`,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  })
  return message.payload as AccountSummary
}

/** The next QR payload shown for the account after `since`. */
export async function nextQr(events: EventRecorder, id: AccountId, since: number, timeoutMs = WAIT_MS): Promise<string> {
  const message = await events.next(
    (m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === id && (m.payload as PairingState).qr !== null,
    { since, timeoutMs, what: `a QR code for ${id}` },
  )
  return (message.payload as PairingState).qr!
}

// ---------------------------------------------------------------------------------------------------
// Core and simulator

export interface TestCoreOptions {
  dataDir: string
  dataKey: string
  endpoint: { url: string; rootKeyHex: string }
  backoff?: BackoffOptions
  socketOverrides?: Partial<SocketConfig>
  /** The simulator that plays the phone for the simulator:* commands. */
  simulator?: SimulatorPort
  /** Shorter send-limit windows, so a queue drains within a test. */
  sendWindows?: Partial<LimitWindows>
  /** Builds each Baileys socket (a test wraps one to tamper with what it sends). */
  makeSocket?: typeof makeWASocket
  /** The doctor's thresholds (tests shorten its waits). */
  doctor?: DoctorOptions
  /** Handshakes in flight at most (sessions/admission.ts); the core's default unless given. */
  connectConcurrency?: number
  /** Shorter waits for WhatsApp's answers (sessions/socket-timeouts.ts). */
  socketTimeouts?: Partial<SocketTimeouts>
}

export async function openTestCore(options: TestCoreOptions): Promise<{ core: Core; events: EventRecorder }> {
  const core = await createCore({
    dataDir: options.dataDir,
    keyVault: envVault(options.dataKey),
    logger: silentLogger(),
    appVersion: 'test',
    whatsappOverride: { url: options.endpoint.url, trustedRootKey: options.endpoint.rootKeyHex },
    backoff: options.backoff ?? TEST_BACKOFF,
    ...(options.socketOverrides ? { socketOverrides: options.socketOverrides } : {}),
    ...(options.simulator ? { simulator: options.simulator } : {}),
    ...(options.sendWindows ? { sendWindows: options.sendWindows } : {}),
    ...(options.makeSocket ? { makeSocket: options.makeSocket } : {}),
    ...(options.doctor ? { doctor: options.doctor } : {}),
    ...(options.connectConcurrency !== undefined ? { connectConcurrency: options.connectConcurrency } : {}),
    ...(options.socketTimeouts ? { socketTimeouts: options.socketTimeouts } : {}),
  })
  return { core, events: recordEvents(core.events, core.sessions.list()) }
}

export interface PairedTestAccount {
  id: AccountId
  /** Digits. */
  phone: string
  /** `<phone>@s.whatsapp.net`, the form the simulator's kick and logout take. */
  jid: string
  summary: AccountSummary
}

/** Adds an account, scans its first QR with `scan` (the phone), and waits until it is connected. */
export async function pairAccount(
  core: Core,
  events: EventRecorder,
  scan: (qr: string, label: string) => Promise<unknown>,
  label: string,
  timeoutMs = WAIT_MS,
): Promise<PairedTestAccount> {
  const since = events.mark()
  const added = await core.sessions.add(label)
  const qr = await nextQr(events, added.id, since, timeoutMs)
  await scan(qr, label)
  const summary = await waitForStatus(core, events, added.id, 'connected', { since, timeoutMs })
  if (!summary.phone) throw new Error(`account ${added.id} connected without a phone number`)
  return { id: added.id, phone: summary.phone, jid: `${summary.phone}@s.whatsapp.net`, summary }
}

/**
 * One simulator, one data dir and one core, plus `reopen()` to close the core and open a new one on
 * the same data dir (a restart). Close with `close()`; it removes the data dir.
 */
export interface SessionsWorld {
  sim: Simulator
  dataDir: string
  dataKey: string
  core: Core
  events: EventRecorder
  pair(label: string): Promise<PairedTestAccount>
  /** Closes the current core (if open) and opens another on the same data dir. Does not start accounts. */
  reopen(): Promise<void>
  close(): Promise<void>
}

export interface SessionsWorldOptions {
  socketOverrides?: Partial<SocketConfig>
  backoff?: BackoffOptions
  makeSocket?: typeof makeWASocket
  /** The simulator's own options (a clock, the passkey timeout). */
  simulator?: Pick<SimulatorOptions, 'now' | 'passkeyTimeoutMs'>
  /** Shorter send-limit windows, so a queue drains within a test. */
  sendWindows?: Partial<LimitWindows>
  /** The doctor's thresholds (tests shorten its waits). */
  doctor?: DoctorOptions
}

export async function startSessionsWorld(options: SessionsWorldOptions = {}): Promise<SessionsWorld> {
  const { simulator: simulatorOptions, ...coreExtras } = options
  const sim = await startSimulator({ port: 0, logger: silentSimulatorLogger, ...simulatorOptions })
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-sessions-'))
  const dataKey = newDataKey()
  const simulator: SimulatorPort = embeddedSimulatorPort(sim, null)
  const coreOptions: TestCoreOptions = { dataDir, dataKey, endpoint: sim, simulator, ...coreExtras }
  let coreClosed = false
  try {
    const opened = await openTestCore(coreOptions)
    const world: SessionsWorld = {
      sim,
      dataDir,
      dataKey,
      core: opened.core,
      events: opened.events,
      pair: (label) => pairAccount(world.core, world.events, (qr, name) => sim.scanQr(qr, { name }), label),
      async reopen() {
        world.events.stop()
        await world.core.close()
        coreClosed = true
        const next = await openTestCore(coreOptions)
        coreClosed = false
        world.core = next.core
        world.events = next.events
      },
      async close() {
        world.events.stop()
        if (!coreClosed) await world.core.close()
        await sim.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
    return world
  } catch (error) {
    await sim.close()
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
}

/**
 * The set-up a test file shares one world across, registered through `hooks`: before all, mute
 * libsignal's session dumps and start the world; after all, close it and unmute. The returned world
 * reads through to the one started, so use it inside hooks and tests only.
 */
export function useSessionsWorld(
  { beforeAll, afterAll }: Pick<SuiteHooks, 'beforeAll' | 'afterAll'>,
  options: Parameters<typeof startSessionsWorld>[0] = {},
): Omit<SessionsWorld, 'close'> {
  let world: SessionsWorld | undefined
  let unmute: (() => void) | undefined
  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    world = await startSessionsWorld(options)
  })
  afterAll(async () => {
    await world?.close()
    unmute?.()
  })
  const current = (): SessionsWorld => {
    if (!world) throw new Error('the sessions world starts in beforeAll; use it inside hooks and tests')
    return world
  }
  return {
    get sim() {
      return current().sim
    },
    get dataDir() {
      return current().dataDir
    },
    get dataKey() {
      return current().dataKey
    },
    get core() {
      return current().core
    },
    get events() {
      return current().events
    },
    pair: (label) => current().pair(label),
    reopen: () => current().reopen(),
  }
}

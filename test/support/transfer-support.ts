// Shared pieces of the session transfer tests: an in-process simulator that server processes reach
// through IRISH_WHATSAPP_URL, servers with their event streams, QR pairing through the simulator's admin
// API, a plain-Baileys auth folder, and a digest of everything an import could change in a database.
// Loads no vitest: useTransferServers takes the test file's hooks.

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Browsers, makeWASocket, useMultiFileAuthState } from '@whiskeysockets/baileys'
import pino from 'pino'
import type { AccountStatus, AccountSummary, EventMessage, PairingState } from '../../src/shared/contract'
import { trustWhatsAppRoot } from '../../src/whatsapp-protocol/trust-root'
import { silentLogger, startSimulator, startSimulatorAdmin, type Simulator, type SimulatorAdmin } from '../../src/simulator/index'
import { closeSocket, muteLibsignalLogs, waitForClose, waitForOpen, waitForQr, type SuiteHooks } from './baileys-clients'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './server-process'

export interface TestSimulator {
  sim: Simulator
  admin: SimulatorAdmin
  /** What a server process needs to use this simulator instead of WhatsApp. */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startTestSimulator(): Promise<TestSimulator> {
  const sim = await startSimulator({ port: 0, logger: silentLogger })
  const admin = await startSimulatorAdmin(sim, { port: 0 })
  return {
    sim,
    admin,
    env: { IRISH_WHATSAPP_URL: sim.url, IRISH_WHATSAPP_ROOT_KEY: sim.rootKeyHex },
    async close() {
      await admin.close()
      await sim.close()
    },
  }
}

export interface TestServer {
  server: ServerProcess
  events: EventStream
  dataDir: string
  dataKey: string
  stop(): Promise<void>
}

export async function startTestServer(env: Record<string, string>, prefix = 'irish-transfer-'): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix))
  const dataKey = newDataKey()
  const server = await startServerProcess({ dataDir, dataKey, env })
  const events = await server.events()
  return {
    server,
    events,
    dataDir,
    dataKey,
    async stop() {
      events.close()
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** One simulator and two servers on it, started by a beforeAll hook. */
export interface TransferServers {
  simulator: TestSimulator
  a: TestServer
  b: TestServer
}

/**
 * The set-up the transfer tests share, registered through `hooks`: before all, mute libsignal's session
 * dumps, start a simulator and two servers on it (data dirs named with `prefixes`); after all, stop them
 * and unmute. The returned objects read through to the ones started, so use them inside hooks and tests.
 */
export function useTransferServers(
  { beforeAll, afterAll }: Pick<SuiteHooks, 'beforeAll' | 'afterAll'>,
  prefixes: readonly [string, string],
): TransferServers {
  const simulator = startedLater<TestSimulator>('the simulator')
  const a = startedLater<TestServer>('server A')
  const b = startedLater<TestServer>('server B')
  let unmute: (() => void) | undefined
  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    const started = simulator.set(await startTestSimulator())
    const [first, second] = await Promise.all(prefixes.map((prefix) => startTestServer(started.env, prefix)))
    a.set(first!)
    b.set(second!)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([a.current()?.stop(), b.current()?.stop()])
    await simulator.current()?.close()
    unmute?.()
  })
  return { simulator: simulator.ref, a: a.ref, b: b.ref }
}

/** `ref` stands for a value a hook sets later: reading a property of it before then throws. */
function startedLater<T extends object>(what: string): { ref: T; set(value: T): T; current(): T | undefined } {
  let value: T | undefined
  const current = (): T => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll; use it inside hooks and tests`)
    return value
  }
  return {
    ref: new Proxy({} as T, { get: (_target, key) => Reflect.get(current(), key) }),
    set: (next) => (value = next),
    current: () => value,
  }
}

export function isStatus(id: string, status: AccountStatus) {
  return (m: EventMessage): boolean =>
    m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === status
}

/** Waits until the account shows `status`, whether that already happened or happens later. */
export async function awaitStatus(target: TestServer, id: string, status: AccountStatus, timeoutMs = 20_000): Promise<AccountSummary> {
  const since = target.events.received.length
  const pending = target.events.next((m) => target.events.received.indexOf(m) >= since && isStatus(id, status)(m), timeoutMs)
  const now = (await target.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === id)
  if (now?.status === status) {
    pending.catch(() => undefined)
    return now
  }
  return (await pending).payload as AccountSummary
}

/** Adds an account, scans its first QR through the simulator's admin API, waits until connected. */
export async function pairAccount(target: TestServer, adminUrl: string, label: string): Promise<AccountSummary> {
  const added = await target.server.value<AccountSummary>('accounts:add', { label })
  const qrEvent = await target.events.next(
    (m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null,
  )
  const response = await fetch(`${adminUrl}/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr: (qrEvent.payload as PairingState).qr, name: label }),
  })
  if (response.status !== 200) throw new Error(`scan failed: ${response.status} ${await response.text()}`)
  return awaitStatus(target, added.id, 'connected')
}

/** QR codes this server showed (a session that arrives whole never shows one). */
export function qrCodesShown(target: TestServer, id?: string): number {
  return target.events.received.filter(
    (m) => m.event === 'accounts:qr' && (m.payload as PairingState).qr !== null && (id === undefined || (m.payload as PairingState).id === id),
  ).length
}

/**
 * Pairs a plain Baileys client whose auth lives in `folder` (useMultiFileAuthState), then closes it, as a
 * program using Baileys directly would leave its folder. Returns the phone digits.
 */
export async function pairBaileysFolder(sim: Simulator, folder: string): Promise<string> {
  trustWhatsAppRoot(sim.rootKeyHex)
  const { state, saveCreds } = await useMultiFileAuthState(folder)
  const pending = new Set<Promise<unknown>>()
  const connect = () => {
    const sock = makeWASocket({
      waWebSocketUrl: sim.url,
      auth: state,
      logger: pino({ level: 'silent' }),
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
    })
    sock.ev.on('creds.update', () => {
      const write = saveCreds()
      pending.add(write)
      void write.finally(() => pending.delete(write))
    })
    return sock
  }
  const first = connect()
  const qr = await waitForQr(first)
  const closed = waitForClose(first)
  const account = await sim.scanQr(qr, { name: 'Plain Baileys' })
  const code = await closed
  if (code !== 515) throw new Error(`expected a 515 restart after pairing, got ${code}`)
  const second = connect()
  await waitForOpen(second)
  await closeSocket(second)
  await Promise.all([...pending])
  await saveCreds()
  return account.jid.split('@')[0]!
}

/**
 * A digest of every row an import or export could touch (accounts, creds, keys, settings), read through
 * a separate read-only connection while the server runs.
 */
export function databaseDigest(dataDir: string): string {
  const db = new Database(join(dataDir, 'irish.db'), { readonly: true, fileMustExist: true })
  try {
    const hash = createHash('sha256')
    for (const query of [
      'SELECT * FROM accounts ORDER BY id',
      'SELECT account_id, value, updated_at FROM auth_creds ORDER BY account_id',
      'SELECT account_id, type, id, value FROM auth_keys ORDER BY account_id, type, id',
      'SELECT key, value FROM settings ORDER BY key',
    ]) {
      for (const row of db.prepare(query).iterate()) {
        for (const value of Object.values(row as Record<string, unknown>)) {
          hash.update(Buffer.isBuffer(value) ? value : Buffer.from(String(value)))
          hash.update('\0')
        }
      }
      hash.update('|')
    }
    return hash.digest('hex')
  } finally {
    db.close()
  }
}

/** The error envelope a refused call must answer with. */
export interface Refusal {
  status: number
  code: string
  message: string
}

export async function refusal(target: TestServer, command: string, input: unknown): Promise<Refusal> {
  const { status, body } = await target.server.call(command, input)
  if (body.ok) throw new Error(`${command} was expected to fail but succeeded`)
  return { status, code: body.error.code, message: body.error.message }
}

// Test-only helpers for suites that drive real Baileys against the simulator: an in-memory auth
// store that round-trips through BufferJSON like a file store, a socket factory with the fast test
// settings, event waiters that fail loudly on timeout, and the per-file set-up (useSimulator). Never
// import this from app code. Loads no vitest (the accounts benchmark imports it): hooks are passed in.

import {
  Browsers,
  BufferJSON,
  initAuthCreds,
  makeWASocket,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type ConnectionState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type UserFacingSocketConfig,
  type WAMessage,
  type WASocket,
} from '@whiskeysockets/baileys'
import pino from 'pino'
import type * as vitest from 'vitest'
import { guardConsoleAgainstSessionDumps } from '../../src/whatsapp-protocol/console-guard'
import { trustWhatsAppRoot } from '../../src/whatsapp-protocol/trust-root'
import { silentLogger, type LogData, type SimulatorLogger } from '../../src/simulator/logger.js'
import { startSimulator, type PairedAccount, type ScanOptions, type Simulator, type SimulatorOptions } from '../../src/simulator/simulator.js'

/** The simulator's admin API, for suites that drive it over HTTP. */
export { startSimulatorAdmin, type SimulatorAdmin } from '../../src/simulator/admin.js'
export type { PairedAccount, Simulator } from '../../src/simulator/simulator.js'
/** A software passkey that answers the simulator's passkey challenges (passkey/authenticator.ts). */
export { createSoftPasskey, FLAG_USER_PRESENT, FLAG_USER_VERIFIED, type AssertionOverrides, type SoftPasskey } from '../../src/simulator/passkey/authenticator.js'

export const DEFAULT_WAIT_MS = 8000

/** Auth state kept as JSON text, so every load is a real "restart from saved creds". */
export class MemoryAuthStore {
  private credsJson: string | null = null
  private readonly keys = new Map<string, string>()

  get hasCreds(): boolean {
    return this.credsJson !== null
  }

  savedCreds(): AuthenticationCreds | null {
    return this.credsJson ? (JSON.parse(this.credsJson, BufferJSON.reviver) as AuthenticationCreds) : null
  }

  /** An independent copy, as if the auth folder had been copied to another machine. */
  clone(): MemoryAuthStore {
    const copy = new MemoryAuthStore()
    copy.credsJson = this.credsJson
    for (const [k, v] of this.keys) copy.keys.set(k, v)
    return copy
  }

  replaceCreds(creds: AuthenticationCreds): void {
    this.credsJson = JSON.stringify(creds, BufferJSON.replacer)
  }

  load(): { state: AuthenticationState; saveCreds: () => Promise<void> } {
    const creds = this.savedCreds() ?? initAuthCreds()
    const keys = this.keys
    const state: AuthenticationState = {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const out: { [id: string]: SignalDataTypeMap[T] } = {}
          for (const id of ids) {
            const raw = keys.get(`${type}/${id}`)
            if (raw === undefined) continue
            let value = JSON.parse(raw, BufferJSON.reviver)
            if (type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value)
            out[id] = value
          }
          return out
        },
        async set(data: SignalDataSet) {
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              const key = `${type}/${id}`
              if (value === null || value === undefined) keys.delete(key)
              else keys.set(key, JSON.stringify(value, BufferJSON.replacer))
            }
          }
        },
      },
    }
    const saveCreds = async (): Promise<void> => {
      this.credsJson = JSON.stringify(creds, BufferJSON.replacer)
    }
    return { state, saveCreds }
  }
}

const silent = pino({ level: 'silent' })

/** A Baileys socket against `sim`; trusts the simulator's root for this process first. */
export function createTestSocket(sim: Pick<Simulator, 'url' | 'rootKeyHex'>, store: MemoryAuthStore, config: Partial<UserFacingSocketConfig> = {}): WASocket {
  trustWhatsAppRoot(sim.rootKeyHex)
  const { state, saveCreds } = store.load()
  const sock = makeWASocket({
    waWebSocketUrl: sim.url,
    auth: state,
    logger: silent,
    browser: Browsers.ubuntu('Chrome'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    ...config,
  })
  sock.ev.on('creds.update', () => void saveCreds())
  return sock
}

function withTimeout<T>(what: string, timeoutMs: number, run: (resolve: (v: T) => void, reject: (e: Error) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {}
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    cleanup = run(
      (v) => {
        clearTimeout(timer)
        cleanup()
        resolve(v)
      },
      (e) => {
        clearTimeout(timer)
        cleanup()
        reject(e)
      },
    )
  })
}

export function disconnectCode(update: Partial<ConnectionState>): number | undefined {
  const err = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined
  return err?.output?.statusCode
}

/** Resolves on `open`; rejects if the connection closes first. */
export function waitForOpen(sock: WASocket, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  return withTimeout<void>('connection open', timeoutMs, (resolve, reject) => {
    const onUpdate = (u: Partial<ConnectionState>): void => {
      if (u.connection === 'open') resolve()
      else if (u.connection === 'close') reject(new Error(`connection closed (${disconnectCode(u)}) before open`))
    }
    sock.ev.on('connection.update', onUpdate)
    return () => sock.ev.off('connection.update', onUpdate)
  })
}

/** Resolves with the disconnect status code when the socket closes. */
export function waitForClose(sock: WASocket, timeoutMs = DEFAULT_WAIT_MS): Promise<number | undefined> {
  return withTimeout<number | undefined>('connection close', timeoutMs, (resolve) => {
    const onUpdate = (u: Partial<ConnectionState>): void => {
      if (u.connection === 'close') resolve(disconnectCode(u))
    }
    sock.ev.on('connection.update', onUpdate)
    return () => sock.ev.off('connection.update', onUpdate)
  })
}

export function waitForConnection(sock: WASocket, state: 'open' | 'close', timeoutMs = DEFAULT_WAIT_MS): Promise<unknown> {
  return state === 'open' ? waitForOpen(sock, timeoutMs) : waitForClose(sock, timeoutMs)
}

export function waitForQr(sock: WASocket, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
  return withTimeout<string>('a QR code', timeoutMs, (resolve, reject) => {
    const onUpdate = (u: Partial<ConnectionState>): void => {
      if (u.qr) resolve(u.qr)
      else if (u.connection === 'close') reject(new Error(`connection closed (${disconnectCode(u)}) before a QR`))
    }
    sock.ev.on('connection.update', onUpdate)
    return () => sock.ev.off('connection.update', onUpdate)
  })
}

/** The next incoming (not fromMe) message with content that matches `filter`. */
export function nextMessage(sock: WASocket, filter: (m: WAMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<WAMessage> {
  return withTimeout<WAMessage>('an incoming message', timeoutMs, (resolve) => {
    const onUpsert = ({ messages }: { messages: WAMessage[] }): void => {
      const hit = messages.find((m) => !m.key.fromMe && m.message && filter(m))
      if (hit) resolve(hit)
    }
    sock.ev.on('messages.upsert', onUpsert)
    return () => sock.ev.off('messages.upsert', onUpsert)
  })
}

export function textOf(m: WAMessage): string | undefined {
  return m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined
}

export interface PairedClient {
  sock: WASocket
  store: MemoryAuthStore
  account: PairedAccount
  qr: string
}

/** Full QR pairing: show QR, scan, 515 restart, log in; resolves once the second socket is open. */
export async function pairClient(sim: Pick<Simulator, 'url' | 'rootKeyHex' | 'scanQr'>, scan: ScanOptions = {}, store = new MemoryAuthStore(), config: Partial<UserFacingSocketConfig> = {}): Promise<PairedClient> {
  const first = createTestSocket(sim, store, config)
  const qr = await waitForQr(first)
  const closed = waitForClose(first)
  const account = await sim.scanQr(qr, scan)
  const code = await closed
  if (code !== 515) throw new Error(`expected a 515 restart after pairing, got ${code}`)
  const sock = createTestSocket(sim, store, config)
  await waitForOpen(sock)
  return { sock, store, account, qr }
}

/**
 * Full pairing by code: show the first QR (the socket is registered), ask for a code for `phone`, type
 * it on the simulated phone (`typed` changes what the person types), 515 restart, log in.
 */
export async function pairClientByCode(
  sim: Pick<Simulator, 'url' | 'rootKeyHex' | 'enterLinkCode'>,
  phone: string,
  store = new MemoryAuthStore(),
  typed: (code: string) => string = (code) => code,
): Promise<PairedClient & { code: string }> {
  const first = createTestSocket(sim, store)
  await waitForQr(first)
  const code = await first.requestPairingCode(phone)
  const closed = waitForClose(first)
  const account = await sim.enterLinkCode(phone, typed(code))
  const status = await closed
  if (status !== 515) throw new Error(`expected a 515 restart after pairing, got ${status}`)
  const sock = createTestSocket(sim, store)
  await waitForOpen(sock)
  return { sock, store, account, qr: '', code }
}

/** Ends a socket and waits until Baileys reports it closed. */
export async function closeSocket(sock: WASocket): Promise<void> {
  const isOpen = (sock.ws as unknown as { isOpen: boolean; isConnecting: boolean })
  if (!isOpen.isOpen && !isOpen.isConnecting) return
  const closed = waitForClose(sock).catch(() => undefined)
  await sock.end(undefined)
  await closed
}

/** libsignal dumps session records (private keys included) to the console; this drops them. Returns the undo. */
export function muteLibsignalLogs(): () => void {
  return guardConsoleAgainstSessionDumps()
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  data: LogData | undefined
}

/** A simulator logger that records every line, for assertions on what the server saw. */
export function captureLogger(): { logger: SimulatorLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const at = (level: LogEntry['level']) => (msg: string, data?: LogData) => void entries.push({ level, msg, data })
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries }
}

/** The vitest hooks a set-up helper registers, passed in by the test file. */
export type SuiteHooks = Pick<typeof vitest, 'beforeAll' | 'afterEach' | 'afterAll'>

export interface SimulatorSuite {
  /** The file's simulator; started in beforeAll, so read it inside hooks and tests only. */
  readonly sim: Simulator
  /** Closes `sock` after the current test. Returns it. */
  track(sock: WASocket): WASocket
}

/**
 * The usual set-up for a test file against one simulator, registered through `hooks`: before all,
 * mute libsignal's session dumps and start the simulator; after each test, close the sockets passed
 * to `track`; after all, close the simulator and unmute. Hooks a file adds later run inside these
 * (after the start, and before the close).
 */
export function useSimulator(
  { beforeAll, afterEach, afterAll }: SuiteHooks,
  options: Omit<SimulatorOptions, 'port' | 'statePath'> = {},
): SimulatorSuite {
  let sim: Simulator | undefined
  let unmute: () => void = () => {}
  const sockets: WASocket[] = []
  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    sim = await startSimulator({ ...options, logger: options.logger ?? silentLogger })
  })
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeSocket))
  })
  afterAll(async () => {
    await sim?.close()
    unmute()
  })
  return {
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll; use it inside hooks and tests')
      return sim
    },
    track(sock) {
      sockets.push(sock)
      return sock
    },
  }
}

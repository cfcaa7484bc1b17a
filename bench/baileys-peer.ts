// The accounts benchmark's peer: plain Baileys, as someone would run N accounts without this app. One
// socket per account, Baileys' own useMultiFileAuthState (one folder per account), the reconnect loop
// from Baileys' README (reconnect on every close except a logout), no app core, no SQLite, no
// telemetry. It runs in its own process (started by bench/peer-process.ts with `node --import tsx`)
// so its memory is its own, and it does nothing until the parent asks: each request over the IPC
// channel is one phase of the benchmark, so the parent times and measures both sides the same way.
// The socket settings are the app's (session-manager.ts) and so is the crypto work: the simulator's
// root is trusted and signature checks are enforced, as createCore does.
// Exits when the parent goes away (the IPC channel closes).

import './as-built'
import { EventEmitter, once } from 'node:events'
import { join } from 'node:path'
import makeWASocket, {
  Browsers,
  DisconnectReason,
  generateMessageIDV2,
  jidDecode,
  makeCacheableSignalKeyStore,
  useMultiFileAuthState,
  type AuthenticationState,
  type ConnectionState,
  type proto,
  type WASocket,
} from '@whiskeysockets/baileys'
import pino from 'pino'
import { guardConsoleAgainstSessionDumps } from '../src/whatsapp-protocol/console-guard'
import { enforceSignatureChecks, trustWhatsAppRoot } from '../src/whatsapp-protocol/trust-root'
import { NO_TIMER_PER_FRAME } from '../src/main/core/sessions/socket-timeouts'
import type { PeerInit, PeerMemory, PeerRequest, PeerResponse, PeerResults } from './peer-process'
import { watchPhase } from './phase-watch'
import { eachSender } from './send-plan'

if (!process.send) {
  console.error('bench/baileys-peer.ts is started by the accounts benchmark (over IPC), not by hand')
  process.exit(2)
}

// libsignal prints session records, private keys included; the app installs the same guard.
guardConsoleAgainstSessionDumps()
const logger = pino({ level: 'silent' })

const gc: () => void = (() => {
  if (typeof globalThis.gc !== 'function') throw new Error('the peer needs --expose-gc')
  return globalThis.gc
})()

function memory(): PeerMemory {
  // The same method as the app side: two full GCs, then process.memoryUsage().
  gc()
  gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers }
}

interface Account {
  index: number
  folder: string
  auth: { state: AuthenticationState; saveCreds: () => Promise<void> } | null
  sock: WASocket | null
  /** Set while we close the socket ourselves: no reconnect then. */
  closing: boolean
  /** `<phone>@s.whatsapp.net`, known once the socket has opened. */
  jid: string | null
  /** What this account sent, by message id, for getMessage (retry receipts), as in src/simulator/load.test.ts. */
  outbox: Map<string, Promise<proto.IMessage | undefined>>
  /** creds.update writes still running, so a close can wait for them. */
  writes: Set<Promise<unknown>>
  /** 'qr' (payload), 'open', 'close' (status code), 'logged-out'. */
  events: EventEmitter
}

let config: PeerInit | null = null
const accounts: Account[] = []
/** The running exchange's receiver, if any: called for every incoming text. */
let onText: ((text: string) => void) | null = null

function init(): PeerInit {
  if (!config) throw new Error('init first')
  return config
}

function statusCode(update: Partial<ConnectionState>): number | undefined {
  return (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode
}

function connect(acc: Account): void {
  const { url } = init()
  const auth = acc.auth!
  const sock = makeWASocket({
    waWebSocketUrl: url,
    browser: Browsers.macOS('Desktop'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    getMessage: async (key) => (key.id ? await acc.outbox.get(key.id) : undefined),
    auth: init().keyCache ? { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, logger) } : auth.state,
    logger,
    ...(init().noFrameTimers ? NO_TIMER_PER_FRAME : {}),
  })
  acc.sock = sock
  sock.ev.on('creds.update', () => {
    const write = auth.saveCreds()
    acc.writes.add(write)
    void write.finally(() => acc.writes.delete(write)).catch(() => undefined)
  })
  sock.ev.on('connection.update', (update) => {
    if (update.qr) acc.events.emit('qr', update.qr)
    if (update.connection === 'open') {
      const user = sock.user?.id ? jidDecode(sock.user.id)?.user : undefined
      if (user) acc.jid = `${user}@s.whatsapp.net`
      acc.events.emit('open')
    }
    if (update.connection !== 'close') return
    if (acc.sock === sock) acc.sock = null
    const code = statusCode(update)
    acc.events.emit('close', code)
    if (acc.closing) return
    if (code === DisconnectReason.loggedOut) acc.events.emit('logged-out')
    else connect(acc) // 515 after pairing, or any transient close: the README's loop.
  })
  sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) {
      if (m.key.fromMe) continue
      const text = m.message?.conversation ?? m.message?.extendedTextMessage?.text
      if (typeof text === 'string') onText?.(text)
    }
  })
}

/** The next `event` on the account; rejects on a logout or after the phase timeout. */
async function next<T = unknown>(acc: Account, event: 'qr' | 'open' | 'close'): Promise<T> {
  const { timeoutMs } = init()
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const loggedOut = once(acc.events, 'logged-out', { signal: controller.signal }).then(() => {
      throw new Error(`peer account ${acc.index + 1} was logged out`)
    })
    const [value] = (await Promise.race([once(acc.events, event, { signal: controller.signal }), loggedOut])) as [T]
    return value
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`peer account ${acc.index + 1}: no "${event}" within ${timeoutMs / 1000} s`)
    throw error
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
}

async function scan(qr: string, name: string): Promise<void> {
  const response = await fetch(`${init().admin}/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr, name }) })
  if (!response.ok) throw new Error(`simulator /scan answered ${response.status}: ${await response.text()}`)
}

/** Pairs accounts 0..n-1 by QR, `pairConcurrency` at a time; resolves when all are open. */
async function pair(n: number): Promise<number> {
  const { dir, pairConcurrency } = init()
  const started = performance.now()
  let nextIndex = 0
  await Promise.all(
    Array.from({ length: Math.min(pairConcurrency, n) }, async () => {
      while (nextIndex < n) {
        const index = nextIndex++
        const acc: Account = {
          index,
          folder: join(dir, `account-${index + 1}`),
          auth: null,
          sock: null,
          closing: false,
          jid: null,
          outbox: new Map(),
          writes: new Set(),
          events: new EventEmitter(),
        }
        accounts[index] = acc
        acc.auth = await useMultiFileAuthState(acc.folder)
        const qr = next<string>(acc, 'qr')
        connect(acc)
        const opened = next(acc, 'open')
        await scan(await qr, `Peer ${index + 1}`)
        await opened
      }
    }),
  )
  return performance.now() - started
}

/** Ends every socket and waits for the close events and the creds writes still running. */
async function closeAll(): Promise<number> {
  const started = performance.now()
  await Promise.all(
    accounts.map(async (acc) => {
      acc.closing = true
      const sock = acc.sock
      if (sock) {
        const closed = next(acc, 'close')
        await sock.end(undefined)
        await closed
      }
      await Promise.allSettled([...acc.writes])
      acc.auth = null
    }),
  )
  return performance.now() - started
}

/** Loads every account's folder again and opens its socket; resolves when all are open. */
async function reopenAll(): Promise<number> {
  const started = performance.now()
  await Promise.all(
    accounts.map(async (acc) => {
      acc.closing = false
      acc.auth = await useMultiFileAuthState(acc.folder)
      if (!acc.auth.state.creds.me) throw new Error(`peer account ${acc.index + 1} has no saved creds`)
      const opened = next(acc, 'open')
      connect(acc)
      await opened
    }),
  )
  return performance.now() - started
}

/** The app side's exchange: `count` texts, sender k % N to its right-hand neighbour, `senders` at once (send-plan.ts). */
async function exchange(tag: string, count: number): Promise<{ ms: number; duplicates: number }> {
  const { timeoutMs } = init()
  const prefix = `${tag}-`
  const seen = new Set<string>()
  let arrived = 0
  let duplicates = 0
  let timer: NodeJS.Timeout | undefined
  const allArrived = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`peer: only ${arrived} of ${count} "${tag}" messages arrived within ${timeoutMs / 1000} s`)), timeoutMs)
    onText = (text) => {
      if (!text.startsWith(prefix)) return
      // Counted like the app side (every arrival); duplicates are reported, not hidden.
      if (seen.has(text)) duplicates += 1
      seen.add(text)
      arrived += 1
      if (arrived === count) resolve()
    }
  })
  const started = performance.now()
  try {
    const senders = eachSender(accounts.length, init().senders, async (i) => {
      const sender = accounts[i]!
      const to = accounts[(i + 1) % accounts.length]!.jid!
      for (let k = i; k < count; k += accounts.length) {
        const sock = sender.sock
        if (!sock) throw new Error(`peer account ${i + 1} is not connected`)
        // The id is chosen first so a retry receipt that overtakes sendMessage still finds the message.
        const messageId = generateMessageIDV2(sock.user?.id)
        const sending = sock.sendMessage(to, { text: `${prefix}${k}` }, { messageId })
        sender.outbox.set(
          messageId,
          sending.then((sent) => sent?.message ?? undefined, () => undefined),
        )
        await sending
      }
    })
    await Promise.all([senders, allArrived])
  } finally {
    clearTimeout(timer)
    onText = null
  }
  return { ms: performance.now() - started, duplicates }
}

async function handle(request: PeerRequest): Promise<PeerResults[keyof PeerResults]> {
  switch (request.cmd) {
    case 'init':
      config = request.args
      enforceSignatureChecks()
      trustWhatsAppRoot(config.rootKeyHex)
      return null
    case 'memory':
      return memory()
    case 'pair':
      return { ms: await pair(request.args.n) }
    case 'close':
      return { ms: await closeAll() }
    case 'reopen': {
      const watch = watchPhase()
      const ms = await reopenAll()
      return { ms, notOpen: accounts.filter((a) => !a.sock || !a.jid).length, ...watch.stop() }
    }
    case 'exchange':
      return exchange(request.args.tag, request.args.count)
  }
}

process.on('message', (raw) => {
  const request = raw as PeerRequest
  handle(request).then(
    (result) => process.send!({ id: request.id, ok: true, result } satisfies PeerResponse),
    (error: unknown) => process.send!({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies PeerResponse),
  )
})
// The parent is gone (or done): nothing here is worth keeping. Baileys' query timers would hold us open.
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })

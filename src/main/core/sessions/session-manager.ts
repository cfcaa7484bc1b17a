// Runs one Baileys socket per account: add (pairing by QR), start, stop, reconnect by policy,
// log out, remove, send a text, and a graceful shutdown that lets pending store writes finish.
// Main process, Electron-free. Status changes are persisted first, then emitted as events.
// Never log creds, keys or message contents.

import { randomBytes } from 'node:crypto'
import makeWASocket, {
  Browsers,
  generateMessageIDV2,
  jidDecode,
  type proto,
  type AuthenticationState,
  type ConnectionState,
  type SocketConfig,
  type WAMessage,
  type WASocket,
} from '@whiskeysockets/baileys'
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger'
import pino from 'pino'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountStatus, AccountSummary, PairingState, ReceivedMessage } from '../../../shared/contract'
import type { AuthSnapshot, ManagedAuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { toSummary, type AccountRecord, type AccountRepository } from './account-repository'
import { decideOnClose, DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy'

/** What opening an account's auth gives the manager: Baileys' state and the store behind it. */
export interface OpenedAuth {
  state: AuthenticationState
  saveCreds: () => Promise<void>
  store: ManagedAuthStore
}

export interface SessionManagerDeps {
  accounts: AccountRepository
  /** The account's store alone: for health, export and clearing, without creating creds. */
  openStore: (id: AccountId) => ManagedAuthStore
  /** Baileys' auth state over the account's store; creates fresh creds when there are none. */
  openAuth: (id: AccountId) => Promise<OpenedAuth>
  events: EventBus
  logger: Logger
  /** Endpoint and other per-connection settings, read at each connect so a settings change applies on the next one. */
  socketConfig: () => Partial<SocketConfig>
  /** Baileys wants a pino-compatible logger; silent unless given. */
  baileysLogger?: ILogger
  now?: () => number
  random?: () => number
  backoff?: BackoffOptions
  makeSocket?: typeof makeWASocket
}

/** Statuses that claim a socket exists (or is about to). */
const RUNNING_STATUSES: AccountStatus[] = ['connecting', 'connected', 'reconnecting', 'pairing']
const FIRST_QR_MS = 60_000
const NEXT_QR_MS = 20_000
const RECENT_MESSAGES = 50
/** Sent messages kept for retry requests; a retry comes within seconds, so a few hundred is plenty. */
const OUTBOX_SIZE = 256

interface Runtime {
  id: AccountId
  auth: OpenedAuth | null
  socket: WASocket | null
  /** Bumped for every socket, so events from an old socket are ignored. */
  generation: number
  /** Set while the manager itself closes the socket: its close event is expected, not a failure. */
  closingOnPurpose: boolean
  socketClosed: Promise<void> | null
  retryTimer: NodeJS.Timeout | null
  nextRetryAt: number | null
  attempt: number
  qr: { qr: string; expiresAt: number } | null
  qrShown: number
  messages: ReceivedMessage[]
  /**
   * What this account sent, by message id, for Baileys' getMessage. When a recipient cannot decrypt a
   * message it asks for it again (a retry receipt), and Baileys resends a 1:1 message only if
   * getMessage finds it: its own recent-message cache misses for 1:1 chats in rc14 (stored under the
   * chat jid, looked up under the device jid). Without this, such messages are lost. Memory only.
   */
  outbox: Map<string, Promise<proto.IMessage | undefined>>
  /** Per-account queue: start, stop, logout and remove never interleave. */
  queue: Promise<unknown>
}

export interface SessionManager {
  list(): AccountSummary[]
  add(label?: string): Promise<AccountSummary>
  start(id: AccountId, options?: { takeBack?: boolean }): Promise<AccountSummary>
  stop(id: AccountId): Promise<AccountSummary>
  logout(id: AccountId): Promise<AccountSummary>
  remove(id: AccountId): Promise<void>
  rename(id: AccountId, label: string): AccountSummary
  sendText(id: AccountId, to: string, text: string): Promise<{ messageId: string }>
  health(id: AccountId): Promise<AccountHealth>
  pairing(id: AccountId): PairingState
  messages(id: AccountId): ReceivedMessage[]
  /** Marks an account moved (after an export elsewhere) and stops it here. */
  markMoved(id: AccountId, target: string): Promise<AccountSummary>
  /** The store of an account that is not running, for export and import. */
  withStoppedStore<T>(id: AccountId, work: (store: ManagedAuthStore) => Promise<T>): Promise<T>
  /**
   * Export: a consistent snapshot, taken with the socket closed, pending writes landed and the account's
   * queue held. Copy (`moveTo` null): a running account starts again right after the snapshot, then
   * `work` runs. Move: the account is marked moved before `work` runs (a crash mid-export leaves it moved,
   * never running in two places) and put back as it was, running again if it ran, when `work` throws.
   */
  exportSession<T>(id: AccountId, moveTo: string | null, work: (snapshot: AuthSnapshot, account: AccountSummary) => Promise<T>): Promise<T>
  /**
   * Import: puts a session in place and leaves the account stopped (the caller starts it). New account:
   * `fill` writes the new id's store first and the row is inserted only after that succeeded, so a failed
   * fill leaves no account (the row is the commit point; see transfer-service.ts). Replace: stops the account,
   * `fill` replaces its store (atomically, by the store), then the row is updated; the id stays.
   */
  importSession(
    target: { replace: AccountId } | { label: string },
    who: { phone: string; name: string | null },
    fill: (store: ManagedAuthStore) => Promise<void>,
  ): Promise<AccountSummary>
  /** Starts every account the operator left running. */
  startAll(): Promise<void>
  /** Closes every socket without changing what the operator wants running, and waits for pending writes. */
  shutdown(): Promise<void>
}

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? Date.now
  const random = deps.random ?? Math.random
  const backoff = deps.backoff ?? DEFAULT_BACKOFF
  const makeSocket = deps.makeSocket ?? makeWASocket
  const baileysLogger = deps.baileysLogger ?? (pino({ level: 'silent' }) as unknown as ILogger)
  const log = deps.logger.child({ component: 'sessions' })
  const runtimes = new Map<AccountId, Runtime>()
  const pendingWrites = new Set<Promise<unknown>>()
  let shuttingDown = false

  // No socket runs yet, so a running status in the table is what the last run (closed or crashed)
  // left behind. Shown as stopped; wantRunning keeps the intent, so startAll still brings them back.
  for (const account of deps.accounts.list()) {
    if (RUNNING_STATUSES.includes(account.status)) deps.accounts.update(account.id, { status: 'stopped', statusSince: now() })
  }

  function record(id: AccountId): AccountRecord {
    const found = deps.accounts.get(id)
    if (!found) throw new AppError('not-found', `There is no account "${id}".`)
    return found
  }

  function runtime(id: AccountId): Runtime {
    let existing = runtimes.get(id)
    if (!existing) {
      existing = {
        id,
        auth: null,
        socket: null,
        generation: 0,
        closingOnPurpose: false,
        socketClosed: null,
        retryTimer: null,
        nextRetryAt: null,
        attempt: 0,
        qr: null,
        qrShown: 0,
        messages: [],
        outbox: new Map(),
        queue: Promise.resolve(),
      }
      runtimes.set(id, existing)
    }
    return existing
  }

  /** Runs work after everything queued before it for this account, whatever that ended in. */
  function serial<T>(id: AccountId, work: () => Promise<T>): Promise<T> {
    const rt = runtime(id)
    const result = rt.queue.then(work, work)
    rt.queue = result.catch(() => undefined)
    return result
  }

  function update(id: AccountId, patch: Partial<Omit<AccountRecord, 'id' | 'createdAt'>>): AccountRecord {
    const before = deps.accounts.get(id)
    const statusChanged = patch.status !== undefined && patch.status !== before?.status
    const next = deps.accounts.update(id, statusChanged ? { ...patch, statusSince: now() } : patch)
    deps.events.emit('accounts:changed', toSummary(next))
    return next
  }

  function setStatus(id: AccountId, status: AccountStatus, patch: Partial<AccountRecord> = {}): AccountRecord {
    return update(id, { ...patch, status })
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    pendingWrites.add(promise)
    void promise.finally(() => pendingWrites.delete(promise)).catch(() => undefined)
    return promise
  }

  function emitPairing(id: AccountId): void {
    deps.events.emit('accounts:qr', pairingState(id))
  }

  function pairingState(id: AccountId): PairingState {
    const rt = runtimes.get(id)
    const qr = rt?.qr && rt.qr.expiresAt > now() ? rt.qr : null
    return { id, qr: qr?.qr ?? null, expiresAt: qr?.expiresAt ?? null, status: record(id).status }
  }

  function clearRetry(rt: Runtime): void {
    if (rt.retryTimer) clearTimeout(rt.retryTimer)
    rt.retryTimer = null
    rt.nextRetryAt = null
  }

  async function openAuth(rt: Runtime): Promise<OpenedAuth> {
    if (rt.auth) return rt.auth
    const opened = await deps.openAuth(rt.id)
    const keys = opened.state.keys
    // Every write goes through track(), so shutdown can wait for the ones still in flight.
    const state: AuthenticationState = {
      creds: opened.state.creds,
      keys: { get: (type, ids) => keys.get(type, ids), set: (data) => track(Promise.resolve(keys.set(data))) },
    }
    rt.auth = { state, saveCreds: () => track(opened.saveCreds()), store: opened.store }
    return rt.auth
  }

  async function connect(rt: Runtime): Promise<void> {
    if (shuttingDown) return
    const auth = await openAuth(rt)
    const generation = ++rt.generation
    rt.qr = null
    rt.qrShown = 0
    rt.closingOnPurpose = false
    const paired = Boolean(auth.state.creds.me)
    if (record(rt.id).status !== 'connecting') setStatus(rt.id, 'connecting')

    const socket = makeSocket({
      browser: Browsers.macOS('Desktop'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      ...deps.socketConfig(),
      getMessage: async (key) => (key.id ? await rt.outbox.get(key.id) : undefined),
      auth: auth.state,
      logger: baileysLogger,
    })
    rt.socket = socket
    let resolveClosed!: () => void
    rt.socketClosed = new Promise<void>((resolve) => (resolveClosed = resolve))

    socket.ev.on('creds.update', () => {
      auth.saveCreds().catch((error: unknown) => {
        log.error({ err: error, account: rt.id }, 'saving credentials failed')
        update(rt.id, { lastError: 'Saving the credentials failed. See the log.' })
      })
    })

    socket.ev.on('connection.update', (change) => {
      // Resolved whatever the generation: closeSocket() bumps it first and then waits for this.
      if (change.connection === 'close') resolveClosed()
      if (generation !== rt.generation) return
      onConnectionUpdate(rt, socket, change, paired)
    })

    socket.ev.on('messages.upsert', ({ messages }) => {
      if (generation !== rt.generation) return
      for (const message of messages) onMessage(rt, message)
    })
  }

  function onConnectionUpdate(
    rt: Runtime,
    socket: WASocket,
    change: Partial<ConnectionState>,
    wasPaired: boolean,
  ): void {
    if (change.qr) {
      rt.qr = { qr: change.qr, expiresAt: now() + (rt.qrShown === 0 ? FIRST_QR_MS : NEXT_QR_MS) }
      rt.qrShown += 1
      if (record(rt.id).status !== 'pairing') setStatus(rt.id, 'pairing')
      emitPairing(rt.id)
    }
    if (change.connection === 'open') {
      rt.attempt = 0
      rt.qr = null
      clearRetry(rt)
      const me = socket.user
      const current = record(rt.id)
      const phone = me?.id ? (jidDecode(me.id)?.user ?? null) : null
      setStatus(rt.id, 'connected', {
        phone: phone ?? current.phone,
        name: me?.name ?? me?.verifiedName ?? current.name,
        pairedAt: current.pairedAt ?? now(),
        lastConnectedAt: now(),
        lastError: null,
      })
      return
    }
    if (change.connection !== 'close') return

    rt.socket = null
    rt.qr = null
    if (rt.closingOnPurpose || shuttingDown) return

    const error = change.lastDisconnect?.error as (Error & { output?: { statusCode?: number } }) | undefined
    const code = error?.output?.statusCode
    const paired = wasPaired || Boolean(rt.auth?.state.creds.me)
    const decision = decideOnClose(code, { paired, attempt: rt.attempt, backoff, random })
    log.info({ account: rt.id, code, decision: decision.kind }, 'connection closed')
    update(rt.id, { lastDisconnectCode: code ?? null })

    switch (decision.kind) {
      case 'restart':
        void serial(rt.id, () => connect(rt)).catch((err: unknown) => failed(rt, err))
        return
      case 'retry': {
        rt.attempt += 1
        rt.nextRetryAt = now() + decision.delayMs
        const current = record(rt.id)
        setStatus(rt.id, 'reconnecting', {
          reconnectCount: current.reconnectCount + 1,
          lastError: describeClose(code, error),
        })
        rt.retryTimer = setTimeout(() => {
          rt.retryTimer = null
          rt.nextRetryAt = null
          void serial(rt.id, () => connect(rt)).catch((err: unknown) => failed(rt, err))
        }, decision.delayMs)
        rt.retryTimer.unref?.()
        return
      }
      case 'logged-out':
        void serial(rt.id, async () => {
          await clearKeys(rt)
          setStatus(rt.id, 'logged-out', {
            wantRunning: false,
            lastError: 'WhatsApp logged this device out (401). Its keys were deleted; pair it again to use it.',
          })
        }).catch((err: unknown) => failed(rt, err))
        return
      case 'replaced':
        setStatus(rt.id, 'replaced', {
          wantRunning: false,
          lastError: 'Another client logged in with this session (440) and took over. Start it here again only if the other copy is gone.',
        })
        return
      case 'qr-expired':
        setStatus(rt.id, 'failed', {
          wantRunning: false,
          lastError: 'Nobody scanned the QR code in time. Start the account to get a new one.',
        })
        emitPairing(rt.id)
        return
      case 'fatal':
        setStatus(rt.id, 'failed', { wantRunning: false, lastError: decision.message })
        return
    }
  }

  function failed(rt: Runtime, error: unknown): void {
    log.error({ err: error, account: rt.id }, 'account failed')
    const message = error instanceof AppError ? error.message : 'The account could not be started. See the log.'
    if (deps.accounts.get(rt.id)) setStatus(rt.id, 'failed', { lastError: message, wantRunning: false })
  }

  function onMessage(rt: Runtime, message: WAMessage): void {
    if (message.key.fromMe) return
    const content = message.message
    const text = content?.conversation ?? content?.extendedTextMessage?.text
    if (typeof text !== 'string' || !message.key.remoteJid) return
    const seconds = Number(message.messageTimestamp ?? 0)
    const received: ReceivedMessage = {
      account: rt.id,
      id: message.key.id ?? '',
      from: message.key.remoteJid,
      text,
      at: seconds > 0 ? seconds * 1000 : now(),
    }
    rt.messages.push(received)
    if (rt.messages.length > RECENT_MESSAGES) rt.messages.shift()
    deps.events.emit('accounts:message', received)
  }

  /** Closes the socket on purpose and waits until Baileys reports it closed. */
  async function closeSocket(rt: Runtime): Promise<void> {
    clearRetry(rt)
    const socket = rt.socket
    if (!socket) return
    rt.closingOnPurpose = true
    rt.generation += 1
    const closed = rt.socketClosed
    socket.end(undefined)
    // end() emits close synchronously in rc14; the await guards against a release that defers it.
    await closed
    rt.socket = null
  }

  async function clearKeys(rt: Runtime): Promise<void> {
    const store = rt.auth?.store ?? deps.openStore(rt.id)
    await Promise.allSettled([...pendingWrites])
    await store.clear()
    rt.auth = null
  }

  function isRunning(rt: Runtime | undefined): boolean {
    return Boolean(rt && (rt.socket || rt.retryTimer))
  }

  function newRecord(id: AccountId, fields: Pick<AccountRecord, 'label' | 'status' | 'wantRunning'> & Partial<AccountRecord>): AccountRecord {
    const at = now()
    return {
      phone: null,
      name: null,
      lastError: null,
      lastDisconnectCode: null,
      reconnectCount: 0,
      pairedAt: null,
      lastConnectedAt: null,
      movedTo: null,
      ...fields,
      id,
      statusSince: at,
      createdAt: at,
    }
  }

  function newAccountId(): AccountId {
    return `acc-${randomBytes(5).toString('hex')}` as AccountId
  }

  return {
    list() {
      return deps.accounts.list().map(toSummary)
    },

    async add(label) {
      const id = newAccountId()
      const count = deps.accounts.list().length
      deps.accounts.insert(newRecord(id, { label: label ?? `Account ${count + 1}`, status: 'new', wantRunning: true }))
      deps.events.emit('accounts:changed', toSummary(record(id)))
      return this.start(id)
    },

    start(id, options = {}) {
      return serial(id, async () => {
        const current = record(id)
        const rt = runtime(id)
        if (isRunning(rt)) {
          throw new AppError('conflict', `"${current.label}" is already running.`)
        }
        if (current.status === 'moved' && !options.takeBack) {
          throw new AppError(
            'conflict',
            `"${current.label}" was moved to ${current.movedTo?.target ?? 'another place'}. Starting it here too runs two copies of one session, which makes WhatsApp log both out. Stop the other copy first, then take it back.`,
          )
        }
        update(id, { wantRunning: true, lastError: null, ...(current.status === 'moved' ? { movedTo: null } : {}) })
        rt.attempt = 0
        try {
          await connect(rt)
        } catch (error) {
          failed(rt, error)
          throw error
        }
        return toSummary(record(id))
      })
    },

    stop(id) {
      return serial(id, async () => {
        record(id)
        const rt = runtime(id)
        await closeSocket(rt)
        const current = record(id)
        const keep: AccountStatus[] = ['logged-out', 'replaced', 'moved', 'failed']
        return toSummary(
          keep.includes(current.status) ? update(id, { wantRunning: false }) : setStatus(id, 'stopped', { wantRunning: false }),
        )
      })
    },

    logout(id) {
      return serial(id, async () => {
        record(id)
        const rt = runtime(id)
        const socket = rt.socket
        if (socket && record(id).status === 'connected') {
          rt.closingOnPurpose = true
          rt.generation += 1
          const closed = rt.socketClosed
          try {
            // Tells WhatsApp to drop this linked device, so the phone's list stays truthful.
            await socket.logout()
          } catch (error) {
            log.warn({ err: error, account: id }, 'logout request failed; deleting the keys anyway')
            socket.end(undefined)
          }
          await closed
          rt.socket = null
        } else {
          await closeSocket(rt)
        }
        await clearKeys(rt)
        return toSummary(setStatus(id, 'logged-out', { wantRunning: false, lastError: null }))
      })
    },

    async remove(id) {
      await this.logout(id)
      await serial(id, async () => {
        deps.accounts.delete(id)
        runtimes.delete(id)
        deps.events.emit('accounts:removed', { id })
      })
    },

    rename(id, label) {
      record(id)
      return toSummary(update(id, { label }))
    },

    async sendText(id, to, text) {
      const current = record(id)
      const socket = runtimes.get(id)?.socket
      if (!socket || current.status !== 'connected') {
        throw new AppError('conflict', `"${current.label}" is not connected. Start it and wait until it shows connected.`)
      }
      const jid = to.includes('@') ? to : `${to.replace(/^\+/, '')}@s.whatsapp.net`
      if (jid.endsWith('@s.whatsapp.net')) {
        // Asked first: WhatsApp accepts a message to a number it does not know and never delivers it,
        // so without this the operator would read "Sent" for a text that goes nowhere.
        const [found] = (await socket.onWhatsApp(jid)) ?? []
        if (!found?.exists) throw new AppError('not-found', `+${jid.split('@')[0]} is not on WhatsApp, so nothing was sent. Check the number.`)
      }
      // The id is chosen first so a retry request that overtakes sendMessage still finds the message.
      const messageId = generateMessageIDV2(socket.user?.id)
      const sending = socket.sendMessage(jid, { text }, { messageId })
      const outbox = runtimes.get(id)!.outbox
      outbox.set(
        messageId,
        sending.then((sent) => sent?.message ?? undefined, () => undefined),
      )
      if (outbox.size > OUTBOX_SIZE) outbox.delete(outbox.keys().next().value!)
      await sending
      return { messageId }
    },

    async health(id) {
      const current = record(id)
      const rt = runtimes.get(id)
      const store = rt?.auth?.store ?? deps.openStore(id)
      return { ...toSummary(current), keyCounts: await store.counts(), nextRetryAt: rt?.nextRetryAt ?? null }
    },

    pairing(id) {
      return pairingState(id)
    },

    messages(id) {
      record(id)
      return [...(runtimes.get(id)?.messages ?? [])]
    },

    markMoved(id, target) {
      return serial(id, async () => {
        await closeSocket(runtime(id))
        return toSummary(setStatus(id, 'moved', { wantRunning: false, movedTo: { target, at: now() }, lastError: null }))
      })
    },

    withStoppedStore(id, work) {
      return serial(id, async () => {
        const current = record(id)
        const rt = runtime(id)
        if (isRunning(rt)) {
          throw new AppError('conflict', `"${current.label}" is running. Stop it first.`)
        }
        await Promise.allSettled([...pendingWrites])
        const store = rt.auth?.store ?? deps.openStore(id)
        rt.auth = null
        return work(store)
      })
    },

    exportSession<T>(
      id: AccountId,
      moveTo: string | null,
      work: (snapshot: AuthSnapshot, account: AccountSummary) => Promise<T>,
    ): Promise<T> {
      type Taken = { moved: true; value: T } | { moved: false; snapshot: AuthSnapshot; account: AccountSummary }
      const taken = serial(id, async (): Promise<Taken> => {
        const before = record(id)
        if (before.status === 'moved') {
          throw new AppError(
            'conflict',
            `"${before.label}" was moved to ${before.movedTo?.target ?? 'another place'}, so its keys here are out of date once that copy ran. Export it from there, or take it back here first.`,
          )
        }
        const rt = runtime(id)
        const wasRunning = isRunning(rt)
        const restart = async (): Promise<void> => {
          if (wasRunning) await connect(rt).catch((err: unknown) => failed(rt, err))
        }
        await closeSocket(rt)
        await Promise.allSettled([...pendingWrites])
        const store = rt.auth?.store ?? deps.openStore(id)
        // The next start reloads creds from the store instead of reusing this socket's copy.
        rt.auth = null
        let snapshot: AuthSnapshot | null
        try {
          snapshot = await store.exportSnapshot()
        } catch (error) {
          await restart()
          throw error
        }
        if (!snapshot?.creds.me) {
          await restart()
          throw new AppError('conflict', `"${before.label}" has no paired session to export. Pair it first.`)
        }
        if (moveTo === null) {
          await restart()
          return { moved: false, snapshot, account: toSummary(before) }
        }
        setStatus(id, 'moved', { wantRunning: false, movedTo: { target: moveTo, at: now() }, lastError: null })
        try {
          return { moved: true, value: await work(snapshot, toSummary(before)) }
        } catch (error) {
          update(id, { status: before.status, wantRunning: before.wantRunning, movedTo: before.movedTo, lastError: before.lastError })
          await restart()
          throw error
        }
      })
      // A copy's work (encoding) runs outside the queue: the account is already running again.
      return taken.then((t) => (t.moved ? t.value : work(t.snapshot, t.account)))
    },

    async importSession(target, who, fill) {
      if ('replace' in target) {
        const id = target.replace
        return serial(id, async () => {
          const before = record(id)
          const rt = runtime(id)
          const wasRunning = isRunning(rt)
          await closeSocket(rt)
          await Promise.allSettled([...pendingWrites])
          const store = rt.auth?.store ?? deps.openStore(id)
          rt.auth = null
          try {
            await fill(store)
          } catch (error) {
            if (wasRunning) await connect(rt).catch((err: unknown) => failed(rt, err))
            throw error
          }
          return toSummary(
            setStatus(id, 'stopped', {
              phone: who.phone,
              name: who.name ?? before.name,
              wantRunning: false,
              movedTo: null,
              lastError: null,
              lastDisconnectCode: null,
            }),
          )
        })
      }
      const id = newAccountId()
      const store = deps.openStore(id)
      try {
        await fill(store)
        deps.accounts.insert(newRecord(id, { label: target.label, phone: who.phone, name: who.name, status: 'stopped', wantRunning: false }))
      } catch (error) {
        // No row names this id, so nothing shows it; clearing just avoids leaving orphaned keys behind.
        await store.clear().catch((err: unknown) => log.warn({ err, account: id }, 'clearing a failed import failed'))
        runtimes.delete(id)
        throw error
      }
      const summary = toSummary(record(id))
      deps.events.emit('accounts:changed', summary)
      return summary
    },

    async startAll() {
      // Stale running statuses were reset when the manager was created; only the intent matters here.
      const wanted = deps.accounts.list().filter((account) => account.wantRunning)
      await Promise.all(
        wanted.map((account) => this.start(account.id).catch((error: unknown) => log.warn({ err: error, account: account.id }, 'start failed'))),
      )
    },

    async shutdown() {
      shuttingDown = true
      await Promise.all(
        [...runtimes.values()].map((rt) =>
          serial(rt.id, () => closeSocket(rt)).catch((error: unknown) => log.warn({ err: error, account: rt.id }, 'close failed')),
        ),
      )
      // Baileys may still be committing a key transaction; the database closes only after it lands.
      while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites])
    },
  }
}

function describeClose(code: number | undefined, error: Error | undefined): string {
  const reason = code ? `status ${code}` : 'no status'
  // Boom messages from Baileys are short protocol phrases ("Connection Closed"); no secrets in them.
  return `The connection closed (${reason}${error?.message ? `: ${error.message}` : ''}). Retrying.`
}

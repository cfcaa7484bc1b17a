// What the session manager holds in memory for each account while the app runs: its socket, its open
// auth, its pending store writes, its pairing, its inbox and outbox, and a queue that keeps start, stop,
// logout, export and import of one account from interleaving. One "quiesce" step (close the socket,
// let its pending writes land, release the store) serves every path that needs the account still.
// Main process, Electron-free.

import type { AuthenticationState, proto, WASocket } from '@whiskeysockets/baileys'
import type { AccountId } from '../../../shared/ids'
import type { ReceivedMessage } from '../../../shared/contract'
import type { ManagedAuthStore } from '../auth-store/types'
import type { ProxyRoute } from '../proxy/proxy-route'
import type { ContactBook, SenderIds } from '../contacts/contact-book'
import type { PasskeyLinker } from '../passkey/linker'
import { newPairing, type Pairing } from './pairing'
import { createTrafficCounter, type TrafficCounter } from './traffic'

/** What opening an account's auth gives the manager: Baileys' state and the store behind it. */
export interface OpenedAuth {
  state: AuthenticationState
  saveCreds: () => Promise<void>
  store: ManagedAuthStore
}

/** WhatsApp's answer to one sent stanza (server-acks.ts): accepted (error null), refused with an error code, or nothing in time. */
export type ServerAnswer = { error: string | null } | 'timeout'

/**
 * One place in the inbox: a text that arrived, or one that failed to decrypt and waits for its resend
 * (`message` null), which takes this place when it comes, so the inbox keeps the order WhatsApp sent in.
 */
export interface InboxEntry {
  id: string
  /** The chat as received, and when WhatsApp took the message (the first attempt's time). */
  from: string
  at: number
  sender: SenderIds
  message: ReceivedMessage | null
}

/** A sent message, for answering retry requests and for sending it again after a 479. */
export interface OutboxEntry {
  /** The chat it was sent to. */
  jid: string
  message: Promise<proto.IMessage | undefined>
  /** How often it was sent again after a 479 (capped, so never in a loop). */
  resends: number
}

export interface AccountRuntime {
  readonly id: AccountId
  auth: OpenedAuth | null
  socket: WASocket | null
  /** Bumped for every socket, so events from an old socket are ignored. */
  generation: number
  /** Set while the manager itself closes the socket: its close event is expected, not a failure. */
  closingOnPurpose: boolean
  socketClosed: Promise<void> | null
  /** How the current socket reaches WhatsApp through the account's proxy; null when it connects directly. */
  proxyRoute: ProxyRoute | null
  retryTimer: NodeJS.Timeout | null
  nextRetryAt: number | null
  attempt: number
  pairing: Pairing
  /** The passkey module on the current socket (passkey-pairing.ts); null once that socket closed. */
  linker: PasskeyLinker | null
  /** The last texts received (and places kept for ones whose resend is awaited), newest last. */
  inbox: InboxEntry[]
  /**
   * What this account sent, by message id, for Baileys' getMessage. When a recipient cannot decrypt a
   * message it asks for it again (a retry receipt), and Baileys resends a 1:1 message only if
   * getMessage finds it: its own recent-message cache misses for 1:1 chats in rc14 (stored under the
   * chat jid, looked up under the device jid). Without this, such messages are lost. Memory only.
   */
  outbox: Map<string, OutboxEntry>
  /** Ids of the messages in the inbox window, so a message delivered twice (a resend) shows once. */
  seen: Set<string>
  /** Whom the account knows (LIDs' phones, contacts written with); loaded at its first connect. */
  contacts: ContactBook | null
  /** When the current socket last received a frame, and whether a liveness ping is out (liveness.ts). */
  lastFrameAt: number
  probing: boolean
  /** Set while the current socket is open (connection 'open' until it closes). */
  open: boolean
  /** Sends waiting for WhatsApp's ack, by message id (server-acks.ts). */
  acks: Map<string, (answer: Exclude<ServerAnswer, 'timeout'>) => void>
  /** The retry count of the last retry receipt per message id this account sent (server-acks.ts). */
  retries: Map<string, { count: number }>
  /** The device jid each recent incoming message came from, by id: the session a reset deletes (decryption.ts). */
  devices: Map<string, string>
  /**
   * Records of received messages still under way, by message id: the same message delivered again
   * meanwhile (a reconnect, another socket of this account) waits for that record rather than taking
   * it for done, so it is never acknowledged before it is recorded.
   */
  recording: Map<string, Promise<void>>
  /** Texts received lately: the last one's time and a 24-hour count (accounts:stats). */
  traffic: TrafficCounter
  /** Store writes this account's sockets started and that have not landed yet. */
  writes: Set<Promise<unknown>>
  /** Per-account queue: start, stop, logout and remove never interleave. */
  queue: Promise<unknown>
}

export interface Runtimes {
  /** The account's runtime, created on first use. */
  get(id: AccountId): AccountRuntime
  /** The account's runtime if one exists; never creates one. */
  peek(id: AccountId): AccountRuntime | undefined
  delete(id: AccountId): void
  all(): AccountRuntime[]
  /** Runs work after everything queued before it for this account, whatever that ended in. */
  serial<T>(id: AccountId, work: () => Promise<T>): Promise<T>
  /** Baileys' auth for the account, opened once per runtime; every write is tracked for quiesce. */
  openAuth(rt: AccountRuntime): Promise<OpenedAuth>
  /**
   * Stills the account: closes its socket on purpose (with `end`, or plainly) and waits until Baileys
   * reports it closed, lets its pending store writes land, and releases the open auth so the next start
   * reloads creds from the store. Returns the account's store, free for export, import or clearing.
   */
  quiesce(rt: AccountRuntime, end?: (socket: WASocket) => Promise<void>): Promise<ManagedAuthStore>
  /** A socket exists or a retry is scheduled. */
  isRunning(rt: AccountRuntime | undefined): boolean
  clearRetry(rt: AccountRuntime): void
  /** Waits until no account has a store write in flight (Baileys may still commit after a close). */
  drainAll(): Promise<void>
}

export function createRuntimes(deps: {
  openAuth: (id: AccountId) => Promise<OpenedAuth>
  openStore: (id: AccountId) => ManagedAuthStore
}): Runtimes {
  const runtimes = new Map<AccountId, AccountRuntime>()

  function track<T>(rt: AccountRuntime, promise: Promise<T>): Promise<T> {
    rt.writes.add(promise)
    void promise.finally(() => rt.writes.delete(promise)).catch(() => undefined)
    return promise
  }

  async function drain(rt: AccountRuntime): Promise<void> {
    while (rt.writes.size > 0) await Promise.allSettled([...rt.writes])
  }

  function clearRetry(rt: AccountRuntime): void {
    if (rt.retryTimer) clearTimeout(rt.retryTimer)
    rt.retryTimer = null
    rt.nextRetryAt = null
  }

  const self: Runtimes = {
    get(id) {
      let existing = runtimes.get(id)
      if (!existing) {
        existing = newRuntime(id)
        runtimes.set(id, existing)
      }
      return existing
    },
    peek: (id) => runtimes.get(id),
    delete: (id) => void runtimes.delete(id),
    all: () => [...runtimes.values()],
    serial(id, work) {
      const rt = self.get(id)
      const result = rt.queue.then(work, work)
      rt.queue = result.catch(() => undefined)
      return result
    },
    async openAuth(rt) {
      if (rt.auth) return rt.auth
      const opened = await deps.openAuth(rt.id)
      const keys = opened.state.keys
      // Every write goes through track(), so quiesce and shutdown can wait for the ones still in flight.
      const state: AuthenticationState = {
        creds: opened.state.creds,
        keys: { get: (type, ids) => keys.get(type, ids), set: (data) => track(rt, Promise.resolve(keys.set(data))) },
      }
      rt.auth = { state, saveCreds: () => track(rt, opened.saveCreds()), store: opened.store }
      return rt.auth
    },
    async quiesce(rt, end) {
      clearRetry(rt)
      const socket = rt.socket
      if (socket) {
        rt.closingOnPurpose = true
        rt.generation += 1
        const closed = rt.socketClosed
        if (end) await end(socket)
        else socket.end(undefined)
        // end() emits close synchronously in rc14; the await guards against a release that defers it.
        await closed
        rt.socket = null
      }
      await drain(rt)
      const store = rt.auth?.store ?? deps.openStore(rt.id)
      rt.auth = null
      return store
    },
    isRunning: (rt) => Boolean(rt && (rt.socket || rt.retryTimer)),
    clearRetry,
    async drainAll() {
      for (const rt of runtimes.values()) await drain(rt)
    },
  }
  return self
}

function newRuntime(id: AccountId): AccountRuntime {
  return {
    id,
    auth: null,
    socket: null,
    generation: 0,
    closingOnPurpose: false,
    socketClosed: null,
    proxyRoute: null,
    retryTimer: null,
    nextRetryAt: null,
    attempt: 0,
    pairing: newPairing(),
    linker: null,
    inbox: [],
    outbox: new Map(),
    seen: new Set(),
    contacts: null,
    lastFrameAt: 0,
    probing: false,
    open: false,
    acks: new Map(),
    retries: new Map(),
    devices: new Map(),
    recording: new Map(),
    traffic: createTrafficCounter(),
    writes: new Set(),
    queue: Promise.resolve(),
  }
}

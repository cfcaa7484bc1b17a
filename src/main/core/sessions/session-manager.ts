// The session manager: one Baileys socket per account. A small façade over parts that each own one
// concern: the account table (account-book.ts), each account's runtime and its one quiesce step
// (account-runtime.ts), the socket and reconnects (connection.ts), stale sockets (liveness.ts), what
// WhatsApp answers to sends (server-acks.ts), decryption failures (decryption.ts), pairing by QR or code
// (pairing.ts, code-pairing.ts) and the passkey check WhatsApp may ask for after either
// (passkey-pairing.ts), messaging (messaging.ts), the operator's actions (lifecycle.ts) and hand-off
// (hand-off.ts). What is wrong with each account is the doctor's to say (core/doctor).
// Main process, Electron-free. Never log creds, keys or message contents.

import makeWASocket, { type SocketConfig } from '@whiskeysockets/baileys'
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger'
import pino from 'pino'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountSummary, BulkResult, PairingState, QueueEntry, ReceivedMessage, SendStats } from '../../../shared/contract'
import type { SendLimits, SendLimitsPatch } from '../../../shared/send-limits'
import type { Sealer } from '../crypto/sealer'
import type { LimitWindows } from '../sends/limits'
import { createSendService, type SendAnswer } from '../sends/send-service'
import type { SendStore } from '../sends/send-store'
import type { ManagedAuthStore } from '../auth-store/types'
import type { Contacts } from '../contacts/contact-book'
import { passkeyPhase, type Doctor } from '../doctor/doctor'
import { formatSender, reachOutRefusal } from '../doctor/words'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { ProxySecrets } from '../proxy/proxy-secret'
import { runPerAccount, type BulkOptions } from './per-account'
import { createAccountBook } from './account-book'
import { SOCKET_TIMEOUTS, type SocketTimeouts } from './socket-timeouts'
import { createAdmission } from './admission'
import { toSummary, type AccountRepository } from '../accounts/account-repository'
import { createRuntimes, type AccountRuntime, type OpenedAuth } from './account-runtime'
import { createCodePairing } from './code-pairing'
import { createConnection } from './connection'
import { createDecryption } from './decryption'
import { createHandOff, type HandOff } from './hand-off'
import { createLifecycle, type StartOptions, type StopOptions, type TagChange } from './lifecycle'
import { createLiveness } from './liveness'
import { createMessaging, recipientJid } from './messaging'
import { createPairing } from './pairing'
import { createProxySetting } from './proxy-setting'
import { createPasskeyPairing } from './passkey-pairing'
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy'
import { createServerAcks } from './server-acks'
import type { EndpointWatch } from '../whatsapp/endpoint-watch'

export type { OpenedAuth }
export type { TagChange }

export interface SessionManagerDeps {
  accounts: AccountRepository
  /** The account's store alone: for health, export and clearing, without creating creds. */
  openStore: (id: AccountId) => ManagedAuthStore
  /** Baileys' auth state over the account's store; creates fresh creds when there are none. */
  openAuth: (id: AccountId) => Promise<OpenedAuth>
  /** In a fleet: takes the account's lease before an operator's change writes the account's row or keys (lifecycle.ts, hand-off.ts). */
  claim?: (id: AccountId) => Promise<void>
  events: EventBus
  logger: Logger
  /** What is wrong with each account: told every fact, asked for every condition (core/doctor). */
  doctor: Doctor
  /** Each account's LID mappings and known contacts (core/contacts). */
  contacts: Contacts
  /** Endpoint and other per-connection settings, read at each connect so a settings change applies on the next one. */
  socketConfig: () => Partial<SocketConfig>
  /** Seals and opens proxy URLs (docs/proxies-and-limits.md). */
  proxies: ProxySecrets
  /** The proxy a new account gets (the settings' default), or null. */
  defaultProxyUrl: () => string | null
  /** Sends under limits, and the durable queue (docs/proxies-and-limits.md). */
  sends: {
    store: SendStore
    sealer: Sealer
    /** The limits a new account gets (the settings). */
    defaultLimits: () => SendLimits
    /** The most sends one account's queue holds (the settings). */
    maxQueue: () => number
    /** Tests shorten the windows. */
    windows?: Partial<LimitWindows>
  }
  /** The staleSocketSeconds setting, read every second so a change applies to running accounts at once. */
  staleSocketSeconds: () => number
  /** Baileys wants a pino-compatible logger; silent unless given. */
  baileysLogger?: ILogger
  now?: () => number
  random?: () => number
  backoff?: BackoffOptions
  makeSocket?: typeof makeWASocket
  /** Told when sockets cannot reach the endpoint and when one opens (whatsapp/endpoint-watch.ts). */
  endpoint?: Pick<EndpointWatch, 'reached' | 'unreachable'>
  /** The origin browsers reach this server at, for passkey ceremony links (pairing.ts); absent in the desktop app. */
  ceremonyServer?: () => string | null
  /** Handshakes in flight at most (admission.ts); DEFAULT_CONNECT_CONCURRENCY unless given. */
  connectConcurrency?: number
  /** Tests only: shorter waits for WhatsApp's answers (socket-timeouts.ts). */
  socketTimeouts?: Partial<SocketTimeouts>
}

/** Lifecycle, pairing and messaging, plus the hand-off steps of export and import (hand-off.ts). */
export interface SessionManager extends HandOff {
  list(): AccountSummary[]
  add(label?: string): Promise<AccountSummary>
  start(id: AccountId, options?: StartOptions): Promise<AccountSummary>
  stop(id: AccountId, options?: StopOptions): Promise<AccountSummary>
  /** Closes the socket and opens a new one now; refused as a start would be (logged out, banned, replaced). */
  restart(id: AccountId): Promise<AccountSummary>
  logout(id: AccountId): Promise<AccountSummary>
  remove(id: AccountId): Promise<void>
  rename(id: AccountId, label: string): AccountSummary
  /** Removes, then adds tags (src/shared/tags.ts); a change that changes nothing writes nothing. */
  tag(id: AccountId, change: TagChange): AccountSummary
  /** Sends at once, or queues it when a limit holds it (or sends wait ahead of it). */
  sendText(id: AccountId, to: string, text: string): Promise<SendAnswer>
  /** The account's send queue, in sending order. */
  queue(id: AccountId): Promise<QueueEntry[]>
  /** Removes waiting sends, all or none. */
  cancelQueued(id: AccountId, messageIds: readonly string[]): Promise<void>
  /** Sets many accounts' limits: a number sets one, null removes it, a key left out keeps it. */
  setLimits(ids: readonly AccountId[], patch: SendLimitsPatch, options: BulkOptions): Promise<BulkResult[]>
  /** Every account's queue and day, from the database. */
  sendStats(): Promise<SendStats[]>
  health(id: AccountId): Promise<AccountHealth>
  pairing(id: AccountId): PairingState
  /**
   * Pairs by code: starts the account if needed and asks WhatsApp for a code to type on the phone with
   * this number (digits, international format). A new call gives a new code; the old one stops working.
   */
  pairByCode(id: AccountId, phone: string): Promise<{ code: string; expiresAt: number }>
  /**
   * The passkey check (passkey-pairing.ts): hand in the assertion (with the ceremony link's token when it
   * came through one), confirm that the codes match, or cancel. Each answers the pairing state.
   */
  passkeyRespond(id: AccountId, credential: unknown, ceremonyToken?: string): Promise<PairingState>
  passkeyConfirm(id: AccountId): Promise<PairingState>
  passkeyCancel(id: AccountId): PairingState
  messages(id: AccountId): ReceivedMessage[]
  /** Sets or clears many accounts' proxies; with `reconnect`, running ones reconnect through it now. */
  setProxy(ids: readonly AccountId[], url: string | null, options: BulkOptions & { reconnect: boolean }): Promise<BulkResult[]>
  /** The last text's time and the texts of the last 24 hours, as counted since this server ran the account. */
  traffic(id: AccountId): { lastMessageAt: number | null; messages24h: number }
  /** Starts every account the operator left running. */
  startAll(): Promise<void>
  /** Closes every socket without changing what the operator wants running, and waits for pending writes. */
  shutdown(): Promise<void>
  /** Every account waiting to retry its connection tries now (the endpoint answers again). */
  retryWaiting(): void
}

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? Date.now
  const log = deps.logger.child({ component: 'sessions' })
  const { events, openStore, doctor, contacts } = deps
  let shuttingDown = false

  const book = createAccountBook({ accounts: deps.accounts, events, now, doctor })
  book.resetStaleStatuses()
  const runtimes = createRuntimes({ openAuth: deps.openAuth, openStore })
  const pairing = createPairing({
    book,
    events,
    now,
    ...(deps.ceremonyServer ? { ceremonyServer: deps.ceremonyServer } : {}),
    onState: (id, state) => {
      if (doctor.passkey(id, passkeyPhase(state))) book.refreshCondition(id)
    },
  })
  const passkey = createPasskeyPairing({ book, runtimes, pairing, log, now })
  const acks = createServerAcks({ log })
  const decryption = createDecryption({ doctor, book, log })
  // The connection replaces stale sockets; liveness finds them. Bound late: each needs the other.
  let replaceStale: (rt: AccountRuntime, silentMs: number) => void = () => undefined
  const timeouts = { ...SOCKET_TIMEOUTS, ...deps.socketTimeouts }
  const liveness = createLiveness({
    runtimes,
    log,
    now,
    staleAfterMs: () => deps.staleSocketSeconds() * 1000,
    stale: (rt, silentMs) => replaceStale(rt, silentMs),
    alive: (rt) => doctor.pingAnswered(rt.id),
    queryMs: timeouts.queryMs,
  })
  const messaging = createMessaging({ book, runtimes, events, log, now, doctor, acks, decryption, liveness, onReceived: (id, jid) => sends.received(id, jid) })
  const sends = createSendService({
    store: deps.sends.store,
    sealer: deps.sends.sealer,
    events,
    logger: log,
    now,
    ...(deps.sends.windows ? { windows: deps.sends.windows } : {}),
    account(id) {
      const record = book.record(id)
      return { label: record.label, limits: record.limits, connected: record.status === 'connected' && Boolean(runtimes.peek(id)?.socket) }
    },
    newMessageId: (id) => messaging.newMessageId(id),
    checkRecipient: (id, jid) => messaging.checkRecipient(id, jid),
    deliver: (id, jid, text, messageId) => messaging.deliver(id, jid, text, messageId),
    // The doctor knows the limit (announced, or learned from a 463): one home for it.
    reachOut: (id) => doctor.reachOut(id),
    reachOutRefusal(id, jid, limit) {
      doctor.sendRefused(id, 'reach-out-limit-early')
      return new AppError('rate-limited', reachOutRefusal(formatSender(jid), limit.until, limit.announced), { retryAt: limit.until })
    },
    knownContact: (id, jid) => runtimes.peek(id)?.contacts?.isKnown(jid) ?? false,
    maxQueue: deps.sends.maxQueue,
  })
  async function proxyUrl(id: AccountId): Promise<string | null> {
    const sealed = await book.sealedProxy(id)
    return sealed ? deps.proxies.open({ account: id }, sealed) : null
  }
  const connection = createConnection({
    book,
    runtimes,
    pairing,
    passkey,
    messaging,
    doctor,
    contacts,
    acks,
    decryption,
    liveness,
    log,
    socketConfig: deps.socketConfig,
    proxyUrl,
    onOpened: (id) => sends.resume(id),
    // The doctor holds the limit and its condition; the queue plans again around it.
    onReachOut: (id) => sends.limitsChanged(id),
    makeSocket: deps.makeSocket ?? makeWASocket,
    baileysLogger: deps.baileysLogger ?? (pino({ level: 'silent' }) as unknown as ILogger),
    backoff: deps.backoff ?? DEFAULT_BACKOFF,
    random: deps.random ?? Math.random,
    now,
    isShuttingDown: () => shuttingDown,
    admission: createAdmission(deps.connectConcurrency),
    connectTimeoutMs: timeouts.connectMs,
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
  })
  replaceStale = connection.replaceStale
  // One timer for every account: liveness pings, and conditions that change with time alone (a limit
  // that ran out, a resend that is overdue, a quiet period that ended).
  const ticker = setInterval(() => {
    liveness.check()
    for (const id of doctor.due()) if (book.exists(id)) book.refreshCondition(id)
  }, TICK_MS)
  ticker.unref()
  const proxies = createProxySetting({ book, runtimes, connection, doctor, secrets: deps.proxies, log })
  /** What every new account gets: the proxy given (an import's), else the default one, and the default limits. */
  function created(id: AccountId, proxy: string | null): void {
    // Written only when there is something to write: a new account is announced once already.
    const url = proxy ?? deps.defaultProxyUrl()
    if (url !== null) proxies.assign(id, url)
    const limits = deps.sends.defaultLimits()
    if (JSON.stringify(limits) !== JSON.stringify(book.record(id).limits)) book.update(id, { limits })
  }
  const claim = deps.claim ?? (async () => undefined)
  const lifecycle = createLifecycle({
    book,
    doctor,
    contacts,
    runtimes,
    connection,
    pairing,
    events,
    log,
    openStore,
    claim,
    beginShutdown: () => {
      shuttingDown = true
      clearInterval(ticker)
    },
    onCreated: (id) => created(id, null),
    onStopped: (id) => sends.pause(id),
    onRemoved: (id) => sends.forget(id),
  })
  const handOff = createHandOff({
    book,
    runtimes,
    connection,
    events,
    log,
    openStore,
    now,
    created,
    proxies: { assign: proxies.assign, urlOf: proxyUrl },
    claim,
  })

  return {
    ...lifecycle,
    ...handOff,
    async shutdown() {
      // First: no queued send may leave while the sockets close.
      await sends.close()
      await lifecycle.shutdown()
    },
    list: () => book.list().map(toSummary),
    sendText: (id, to, text) => sends.send(id, recipientJid(to), text),
    queue: (id) => sends.queue(id),
    cancelQueued: (id, messageIds) => sends.cancel(id, messageIds),
    setLimits: (ids, patch, options) =>
      runPerAccount(book.list().map(toSummary), ids, async ({ id }) => {
        const next = book.update(id, { limits: { ...book.record(id).limits, ...patch } })
        sends.limitsChanged(id)
        return toSummary(next)
      }, options),
    sendStats: () => sends.stats(book.list()),
    messages: messaging.messages,
    setProxy: proxies.setProxy,
    traffic: messaging.traffic,
    pairing: (id) => pairing.state(id, runtimes.peek(id)?.pairing),
    pairByCode: createCodePairing({ book, runtimes, connection, pairing }),
    retryWaiting() {
      for (const account of book.list()) {
        const rt = runtimes.peek(account.id)
        if (rt) connection.retryNow(rt)
      }
    },
    passkeyRespond: passkey.respond,
    passkeyConfirm: passkey.confirm,
    passkeyCancel: passkey.cancel,
  }
}

/** How often liveness and time-bound conditions are checked: a second keeps detection within the setting + 6 s. */
const TICK_MS = 1_000

// The session manager: one Baileys socket per account. A small façade over parts that each own one
// concern: the account table (account-book.ts), each account's runtime and its one quiesce step
// (account-runtime.ts), the socket and reconnects (connection.ts), pairing by QR or code (pairing.ts,
// code-pairing.ts), messaging (messaging.ts), the operator's actions (lifecycle.ts) and hand-off (hand-off.ts).
// Main process, Electron-free. Never log creds, keys or message contents.

import makeWASocket, { type SocketConfig } from '@whiskeysockets/baileys'
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger'
import pino from 'pino'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountSummary, BulkResult, PairingState, ReceivedMessage } from '../../../shared/contract'
import type { ManagedAuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { ProxySecrets } from '../proxy/proxy-secret'
import type { BulkOptions } from './per-account'
import { createAccountBook } from './account-book'
import { toSummary, type AccountRepository } from '../accounts/account-repository'
import { createRuntimes, type OpenedAuth } from './account-runtime'
import { createCodePairing } from './code-pairing'
import { createConnection } from './connection'
import { createHandOff, type HandOff } from './hand-off'
import { createLifecycle } from './lifecycle'
import { createMessaging } from './messaging'
import { createPairing } from './pairing'
import { createProxySetting } from './proxy-setting'
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy'

export type { OpenedAuth }

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
  /** Seals and opens proxy URLs (docs/proxies-and-limits.md). */
  proxies: ProxySecrets
  /** The proxy a new account gets (the settings' default), or null. */
  defaultProxyUrl: () => string | null
  /** Baileys wants a pino-compatible logger; silent unless given. */
  baileysLogger?: ILogger
  now?: () => number
  random?: () => number
  backoff?: BackoffOptions
  makeSocket?: typeof makeWASocket
}

/** Lifecycle, pairing and messaging, plus the hand-off steps of export and import (hand-off.ts). */
export interface SessionManager extends HandOff {
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
  /**
   * Pairs by code: starts the account if needed and asks WhatsApp for a code to type on the phone with
   * this number (digits, international format). A new call gives a new code; the old one stops working.
   */
  pairByCode(id: AccountId, phone: string): Promise<{ code: string; expiresAt: number }>
  messages(id: AccountId): ReceivedMessage[]
  /** Sets or clears many accounts' proxies; with `reconnect`, running ones reconnect through it now. */
  setProxy(ids: readonly AccountId[], url: string | null, options: BulkOptions & { reconnect: boolean }): Promise<BulkResult[]>
  /** Starts every account the operator left running. */
  startAll(): Promise<void>
  /** Closes every socket without changing what the operator wants running, and waits for pending writes. */
  shutdown(): Promise<void>
}

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? Date.now
  const log = deps.logger.child({ component: 'sessions' })
  const { events, openStore } = deps
  let shuttingDown = false

  const book = createAccountBook({ accounts: deps.accounts, events, now })
  book.resetStaleStatuses()
  const runtimes = createRuntimes({ openAuth: deps.openAuth, openStore })
  const pairing = createPairing({ book, events, now })
  const messaging = createMessaging({ book, runtimes, events, log, now })
  async function proxyUrl(id: AccountId): Promise<string | null> {
    const sealed = await book.sealedProxy(id)
    return sealed ? deps.proxies.open({ account: id }, sealed) : null
  }
  const connection = createConnection({
    book,
    runtimes,
    pairing,
    messaging,
    log,
    socketConfig: deps.socketConfig,
    proxyUrl,
    makeSocket: deps.makeSocket ?? makeWASocket,
    baileysLogger: deps.baileysLogger ?? (pino({ level: 'silent' }) as unknown as ILogger),
    backoff: deps.backoff ?? DEFAULT_BACKOFF,
    random: deps.random ?? Math.random,
    now,
    isShuttingDown: () => shuttingDown,
  })
  const proxies = createProxySetting({ book, runtimes, connection, secrets: deps.proxies, log })
  const lifecycle = createLifecycle({
    book,
    runtimes,
    connection,
    pairing,
    events,
    log,
    openStore,
    beginShutdown: () => (shuttingDown = true),
    onCreated: (id) => proxies.assign(id, deps.defaultProxyUrl()),
  })
  const handOff = createHandOff({
    book,
    runtimes,
    connection,
    events,
    log,
    openStore,
    now,
    proxies: { assign: proxies.assign, urlOf: proxyUrl, defaultUrl: deps.defaultProxyUrl },
  })

  return {
    ...lifecycle,
    ...handOff,
    list: () => book.list().map(toSummary),
    sendText: messaging.sendText,
    messages: messaging.messages,
    setProxy: proxies.setProxy,
    pairing: (id) => pairing.state(id, runtimes.peek(id)?.pairing),
    pairByCode: createCodePairing({ book, runtimes, connection, pairing }),
  }
}

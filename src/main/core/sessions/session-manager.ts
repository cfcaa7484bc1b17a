// The session manager: one Baileys socket per account. A small façade over parts that each own one
// concern: the account table (account-book.ts), each account's runtime and its one quiesce step
// (account-runtime.ts), the socket and reconnects (connection.ts), pairing by QR or code (pairing.ts,
// code-pairing.ts) and the passkey check WhatsApp may ask for after either (passkey-pairing.ts), messaging (messaging.ts), the operator's actions (lifecycle.ts) and hand-off (hand-off.ts).
// Main process, Electron-free. Never log creds, keys or message contents.

import makeWASocket, { type SocketConfig } from '@whiskeysockets/baileys'
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger'
import pino from 'pino'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountSummary, PairingState, ReceivedMessage } from '../../../shared/contract'
import type { ManagedAuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { createAccountBook } from './account-book'
import { createAdmission } from './admission'
import { toSummary, type AccountRepository } from '../accounts/account-repository'
import { createRuntimes, type OpenedAuth } from './account-runtime'
import { createCodePairing } from './code-pairing'
import { createConnection } from './connection'
import { createHandOff, type HandOff } from './hand-off'
import { createLifecycle, type TagChange } from './lifecycle'
import { createMessaging } from './messaging'
import { createPairing } from './pairing'
import { createPasskeyPairing } from './passkey-pairing'
import { DEFAULT_BACKOFF, type BackoffOptions } from './reconnect-policy'
import type { EndpointWatch } from '../whatsapp/endpoint-watch'

export type { OpenedAuth }
export type { TagChange }

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
  /** Told when sockets cannot reach the endpoint and when one opens (whatsapp/endpoint-watch.ts). */
  endpoint?: Pick<EndpointWatch, 'reached' | 'unreachable'>
  /** The origin browsers reach this server at, for passkey ceremony links (pairing.ts); absent in the desktop app. */
  ceremonyServer?: () => string | null
  /** Handshakes in flight at most (admission.ts); DEFAULT_CONNECT_CONCURRENCY unless given. */
  connectConcurrency?: number
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
  /** Removes, then adds tags (src/shared/tags.ts); a change that changes nothing writes nothing. */
  tag(id: AccountId, change: TagChange): AccountSummary
  sendText(id: AccountId, to: string, text: string): Promise<{ messageId: string }>
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
  const { events, openStore } = deps
  let shuttingDown = false

  const book = createAccountBook({ accounts: deps.accounts, events, now })
  book.resetStaleStatuses()
  const runtimes = createRuntimes({ openAuth: deps.openAuth, openStore })
  const pairing = createPairing({ book, events, now, ...(deps.ceremonyServer ? { ceremonyServer: deps.ceremonyServer } : {}) })
  const passkey = createPasskeyPairing({ book, runtimes, pairing, log, now })
  const messaging = createMessaging({ book, runtimes, events, log, now })
  const connection = createConnection({
    book,
    runtimes,
    pairing,
    passkey,
    messaging,
    log,
    socketConfig: deps.socketConfig,
    makeSocket: deps.makeSocket ?? makeWASocket,
    baileysLogger: deps.baileysLogger ?? (pino({ level: 'silent' }) as unknown as ILogger),
    backoff: deps.backoff ?? DEFAULT_BACKOFF,
    random: deps.random ?? Math.random,
    now,
    isShuttingDown: () => shuttingDown,
    admission: createAdmission(deps.connectConcurrency),
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
  })
  const lifecycle = createLifecycle({ book, runtimes, connection, pairing, events, log, openStore, beginShutdown: () => (shuttingDown = true) })
  const handOff = createHandOff({ book, runtimes, connection, events, log, openStore, now })

  return {
    ...lifecycle,
    ...handOff,
    list: () => book.list().map(toSummary),
    sendText: messaging.sendText,
    messages: messaging.messages,
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

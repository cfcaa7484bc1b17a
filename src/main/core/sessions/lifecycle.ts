// What the operator does to an account's life: add, start, stop, log out, remove, rename, tag, read its
// health, start what was left running, and shut down. Each step of one account runs in its queue.
// Main process, Electron-free.

import type { WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountStatus, AccountSummary } from '../../../shared/contract'
import type { ManagedAuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { AccountBook } from './account-book'
import { toSummary } from '../accounts/account-repository'
import { changeTags, sameTags } from '../../../shared/tags'
import type { Runtimes } from './account-runtime'
import type { Connection } from './connection'
import type { PairingStrategies } from './pairing'

/** Tags to remove, then to add (src/shared/tags.ts). */
export interface TagChange {
  add?: readonly string[] | undefined
  remove?: readonly string[] | undefined
}

export interface Lifecycle {
  add(label?: string): Promise<AccountSummary>
  start(id: AccountId, options?: { takeBack?: boolean }): Promise<AccountSummary>
  stop(id: AccountId): Promise<AccountSummary>
  logout(id: AccountId): Promise<AccountSummary>
  remove(id: AccountId): Promise<void>
  rename(id: AccountId, label: string): AccountSummary
  tag(id: AccountId, change: TagChange): AccountSummary
  health(id: AccountId): Promise<AccountHealth>
  startAll(): Promise<void>
  shutdown(): Promise<void>
}

export interface LifecycleDeps {
  book: AccountBook
  runtimes: Runtimes
  connection: Connection
  pairing: PairingStrategies
  events: EventBus
  log: Logger
  openStore: (id: AccountId) => ManagedAuthStore
  /** Called once shutdown begins: no new socket opens after it. */
  beginShutdown: () => void
  /** A new account's record exists and nothing runs yet: what every new account gets (its default proxy and limits). */
  onCreated: (id: AccountId) => void
  /** The account no longer runs here (stopped, logged out): its sends stop until it connects again. */
  onStopped: (id: AccountId) => Promise<void>
  /** The account was removed: what it kept elsewhere goes too (its sends). */
  onRemoved: (id: AccountId) => Promise<void>
}

/** Statuses a stop keeps: they say why the account is not running better than "stopped" would. */
const KEPT_ON_STOP: AccountStatus[] = ['logged-out', 'replaced', 'moved', 'failed']

export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { book, runtimes, connection, log } = deps

  const self: Lifecycle = {
    async add(label) {
      const id = book.newAccountId()
      const count = book.list().length
      book.insert(book.newRecord(id, { label: label ?? `Account ${count + 1}`, status: 'new', wantRunning: true }))
      deps.onCreated(id)
      deps.events.emit('accounts:changed', toSummary(book.record(id)))
      return self.start(id)
    },

    start(id, options = {}) {
      return runtimes.serial(id, async () => {
        const current = book.record(id)
        const rt = runtimes.get(id)
        if (runtimes.isRunning(rt)) {
          throw new AppError('conflict', `"${current.label}" is already running.`)
        }
        if (current.status === 'moved' && !options.takeBack) {
          throw new AppError(
            'conflict',
            `"${current.label}" was moved to ${current.movedTo?.target ?? 'another place'}. Starting it here too runs two copies of one session, which makes WhatsApp log both out. Stop the other copy first, then take it back.`,
          )
        }
        book.update(id, { wantRunning: true, lastError: null, ...(current.status === 'moved' ? { movedTo: null } : {}) })
        rt.attempt = 0
        deps.pairing.useQr(rt.pairing)
        try {
          await connection.connect(rt)
        } catch (error) {
          connection.failed(rt, error)
          throw error
        }
        return toSummary(book.record(id))
      })
    },

    stop(id) {
      return runtimes.serial(id, async () => {
        book.record(id)
        await runtimes.quiesce(runtimes.get(id))
        // Not running, nothing fails it: what its connection suffered ends with it.
        book.setCondition(id, null)
        await deps.onStopped(id)
        const current = book.record(id)
        return toSummary(
          KEPT_ON_STOP.includes(current.status) ? book.update(id, { wantRunning: false }) : book.setStatus(id, 'stopped', { wantRunning: false }),
        )
      })
    },

    logout(id) {
      return runtimes.serial(id, async () => {
        const connected = book.record(id).status === 'connected'
        const rt = runtimes.get(id)
        // Tells WhatsApp to drop this linked device, so the phone's list stays truthful.
        const end = connected && rt.socket ? (socket: WASocket) => logoutOrEnd(socket, id) : undefined
        const store = await runtimes.quiesce(rt, end)
        await deps.onStopped(id)
        await store.clear()
        return toSummary(book.setStatus(id, 'logged-out', { wantRunning: false, lastError: null }))
      })
    },

    async remove(id) {
      await self.logout(id)
      await runtimes.serial(id, async () => {
        await deps.onRemoved(id)
        book.delete(id)
        runtimes.delete(id)
        deps.events.emit('accounts:removed', { id })
      })
    },

    rename(id, label) {
      book.record(id)
      return toSummary(book.update(id, { label }))
    },

    tag(id, change) {
      const current = book.record(id)
      let tags: string[]
      try {
        tags = changeTags(current.tags, change)
      } catch (error) {
        throw new AppError('conflict', `${current.label}: ${(error as Error).message}`)
      }
      return toSummary(sameTags(tags, current.tags) ? current : book.update(id, { tags }))
    },

    async health(id) {
      const current = book.record(id)
      const rt = runtimes.peek(id)
      const store = rt?.auth?.store ?? deps.openStore(id)
      return { ...toSummary(current), keyCounts: await store.counts(), nextRetryAt: rt?.nextRetryAt ?? null }
    },

    async startAll() {
      // Stale running statuses were reset when the manager was created; only the intent matters here.
      const wanted = book.list().filter((account) => account.wantRunning)
      await Promise.all(
        wanted.map((account) => self.start(account.id).catch((error: unknown) => log.warn({ err: error, account: account.id }, 'start failed'))),
      )
    },

    async shutdown() {
      deps.beginShutdown()
      await Promise.all(
        runtimes
          .all()
          .map((rt) => runtimes.serial(rt.id, () => runtimes.quiesce(rt)).catch((error: unknown) => log.warn({ err: error, account: rt.id }, 'close failed'))),
      )
      // Baileys may still be committing a key transaction; the database closes only after it lands.
      await runtimes.drainAll()
    },
  }

  async function logoutOrEnd(socket: WASocket, id: AccountId): Promise<void> {
    try {
      await socket.logout()
    } catch (error) {
      log.warn({ err: error, account: id }, 'logout request failed; deleting the keys anyway')
      socket.end(undefined)
    }
  }

  return self
}

// What the operator does to an account's life: add, start (or re-pair), stop, restart, log out, remove,
// rename, tag, read its health, start what was left running, and shut down. Each step of one account runs
// in its queue. A start the doctor refuses (logged out, banned, replaced: never retried by themselves)
// says why and what to ask for instead; it never turns silently into a QR code that expires.
// Main process, Electron-free.

import type { WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountHealth, AccountStatus, AccountSummary, ConditionCode } from '../../../shared/contract'
import type { ManagedAuthStore } from '../auth-store/types'
import type { Contacts } from '../contacts/contact-book'
import type { Doctor } from '../doctor/doctor'
import { repairRefusal } from '../doctor/words'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { AccountBook } from './account-book'
import { toSummary } from '../accounts/account-repository'
import { changeTags, sameTags } from '../../../shared/tags'
import type { Runtimes } from './account-runtime'
import type { Connection } from './connection'
import type { PairingStrategies } from './pairing'
import { claimForChange, RunsElsewhereError } from './runs-elsewhere'

/** Tags to remove, then to add (src/shared/tags.ts). */
export interface TagChange {
  add?: readonly string[] | undefined
  remove?: readonly string[] | undefined
}

export interface Lifecycle {
  add(label?: string): Promise<AccountSummary>
  start(id: AccountId, options?: StartOptions): Promise<AccountSummary>
  stop(id: AccountId, options?: StopOptions): Promise<AccountSummary>
  /** Closes the socket and opens a new one now (rather than after the next backoff delay). */
  restart(id: AccountId): Promise<AccountSummary>
  logout(id: AccountId): Promise<AccountSummary>
  remove(id: AccountId): Promise<void>
  rename(id: AccountId, label: string): AccountSummary
  tag(id: AccountId, change: TagChange): AccountSummary
  health(id: AccountId): Promise<AccountHealth>
  startAll(): Promise<void>
  shutdown(): Promise<void>
}

export interface StartOptions {
  /** Start a moved account, or one another client replaced: the operator accepts two running copies. */
  takeBack?: boolean
  /** Pair it again: clear its keys and show a new QR code (logged out, banned, replaced, pairing expired). */
  repair?: boolean
}

export interface StopOptions {
  /**
   * The fleet closes the socket of an account whose lease it lost or hands over: nothing is claimed,
   * and the account's row stays the new owner's. Without it, a stop is the operator's.
   */
  lettingGo?: boolean
}

export interface LifecycleDeps {
  book: AccountBook
  doctor: Doctor
  contacts: Contacts
  runtimes: Runtimes
  connection: Connection
  pairing: PairingStrategies
  events: EventBus
  log: Logger
  openStore: (id: AccountId) => ManagedAuthStore
  /**
   * Before an operator's start, stop or log-out records what the operator wants: in a fleet, takes the
   * account's lease (fleet.ensureLease), so the intent is written as the owner's; a server that does not
   * hold the lease drops an account's writes, and by its last reading another server may still run it.
   * Throws RunsElsewhereError when another server does. Alone: nothing to take.
   */
  claim: (id: AccountId) => Promise<void>
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
/** Statuses in which an account has no working session to lose, so re-pairing throws nothing away. */
const REPAIRABLE_STATUSES: AccountStatus[] = ['new', 'logged-out', 'replaced', 'failed']
/** Conditions that keep an account from starting by itself: re-pairing is one way out of each. */
const HELD_BACK: ConditionCode[] = ['logged-out', 'banned', 'replaced', 'pairing-expired']

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
      return runtimes.serial(id, () => startInQueue(id, options))
    },

    restart(id) {
      return runtimes.serial(id, async () => {
        const current = book.record(id)
        // Refused before anything closes: a restart of a logged-out account must not stop it first.
        const verdict = deps.doctor.judgeStart(current, { repair: false, takeBack: false })
        if (!verdict.ok) throw new AppError('conflict', verdict.message)
        await runtimes.quiesce(runtimes.get(id))
        return startInQueue(id, {})
      })
    },

    stop(id, options = {}) {
      return runtimes.serial(id, async () => {
        book.record(id)
        if (!options.lettingGo) await claimFor(id, 'stop')
        await runtimes.quiesce(runtimes.get(id))
        deps.doctor.stopped(id)
        await deps.onStopped(id)
        const current = book.record(id)
        return toSummary(
          KEPT_ON_STOP.includes(current.status) ? book.update(id, { wantRunning: false }) : book.setStatus(id, 'stopped', { wantRunning: false }),
        )
      })
    },

    logout(id) {
      return runtimes.serial(id, async () => {
        // Its keys are deleted under the lease too: in a fleet a store refuses writes from a server that holds none.
        await claimFor(id, 'log-out')
        const connected = book.record(id).status === 'connected'
        const rt = runtimes.get(id)
        // Tells WhatsApp to drop this linked device, so the phone's list stays truthful.
        const end = connected && rt.socket ? (socket: WASocket) => logoutOrEnd(socket, id) : undefined
        const store = await runtimes.quiesce(rt, end)
        await deps.onStopped(id)
        await store.clear()
        // The operator's own log-out: nothing is wrong with the account, it is simply not paired now.
        deps.doctor.cleared(id)
        return toSummary(book.setStatus(id, 'logged-out', { wantRunning: false, lastError: null, lastDisconnectCode: null }))
      })
    },

    async remove(id) {
      await self.logout(id)
      await runtimes.serial(id, async () => {
        await deps.onRemoved(id)
        book.delete(id)
        runtimes.delete(id)
        deps.doctor.forget(id)
        deps.contacts.forget(id)
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
      return { ...toSummary(current), keyCounts: await store.counts(), nextRetryAt: rt?.nextRetryAt ?? null, doctor: deps.doctor.counts(id) }
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

  async function startInQueue(id: AccountId, options: StartOptions): Promise<AccountSummary> {
    const current = book.record(id)
    const rt = runtimes.get(id)
    if (runtimes.isRunning(rt)) {
      throw new AppError('conflict', `"${current.label}" is already running.`)
    }
    if (current.status === 'moved' && !options.takeBack && !options.repair) {
      throw new AppError(
        'conflict',
        `"${current.label}" was moved to ${current.movedTo?.target ?? 'another place'}. Starting it here too runs two copies of one session, which makes WhatsApp log both out. Stop the other copy first, then take it back.`,
      )
    }
    const verdict = deps.doctor.judgeStart(current, { repair: options.repair ?? false, takeBack: options.takeBack ?? false })
    if (!verdict.ok) throw new AppError('conflict', verdict.message)
    try {
      await deps.claim(id)
    } catch (error) {
      if (!(error instanceof RunsElsewhereError)) throw error
      // Another server of the fleet runs it (a bulk start over stopped accounts, under load: that server's
      // assignment round claimed it first): what the start asked for, so no failure. The intent is
      // recorded where this server may write it (alone, in tests); in a fleet the owner's claim needed it.
      connection.failed(rt, error)
      book.update(id, { wantRunning: true, lastError: null })
      return toSummary(book.record(id))
    }
    const repairing = options.repair === true
    if (repairing) {
      const held = current.condition !== null && HELD_BACK.includes(current.condition.code)
      if (!held && !REPAIRABLE_STATUSES.includes(current.status)) throw new AppError('conflict', repairRefusal(current.label))
      // A new pairing starts from nothing: the old keys would only make WhatsApp refuse the login again.
      const store = await runtimes.quiesce(rt)
      await store.clear()
    }
    deps.doctor.started(id)
    book.update(id, {
      wantRunning: true,
      lastError: null,
      ...(current.status === 'moved' ? { movedTo: null } : {}),
      ...(repairing ? { pairedAt: null, lastConnectedAt: null, lastDisconnectCode: null } : {}),
    })
    rt.attempt = 0
    deps.pairing.useQr(rt.pairing)
    try {
      await connection.connect(rt)
    } catch (error) {
      connection.failed(rt, error)
      // In a fleet, the lease taken above can be gone before the socket opens (this server was paused
      // past it, and another took the account over): the account runs there, as the start asked.
      if (error instanceof RunsElsewhereError) return toSummary(book.record(id))
      throw error
    }
    return toSummary(book.record(id))
  }

  /** An operator's stop or log-out in a fleet: under the account's lease (deps.claim). */
  function claimFor(id: AccountId, what: string): Promise<void> {
    // Forwarded to the owner, the command lands here only when no server ran the account at that moment.
    return claimForChange(deps.claim, id, `Ask again: the ${what} goes to the server that runs it.`)
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

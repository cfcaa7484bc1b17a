// Sends under the operator's limits (docs/proxies-and-limits.md). A text goes at once when no limit holds
// it and nothing waits ahead of it; otherwise it waits in a durable queue (SQLite, or the fleet's
// PostgreSQL) and goes, in order, when the limits allow, sent by the server that runs the account. The
// text is sealed while it waits. Main process, Electron-free. Never log a text or a recipient.
//
// Each account's sends of the last day, its known contacts and its queue are held in memory by the
// server that runs it, loaded from the database when it starts sending there and dropped when it stops.
// Around a crash or a failover a send is at least once with one message id: what a gone owner left
// mid-send goes again with the same id, which WhatsApp and its clients take as one message.

import { sendPayloadAad } from '../crypto/aad'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { QueueEntry, SendLimits } from '../../../shared/send-limits'
import type { SendStats } from '../../../shared/contract'
import type { Sealer } from '../crypto/sealer'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { publishSendOutcome, type SendResult } from './channels'
import { generalSlot, LIMIT_WINDOWS, newContactSlot, plan, SendHistory, type LimitWindows } from './limits'
import type { SendStore, WaitingRow } from './send-store'

/** A send the service took: gone at once, or waiting with the time it is expected to go. */
export type SendAnswer = { messageId: string; state: 'sent' } | { messageId: string; state: 'queued'; sendAt: number }

/** After a send failed for a reason that may pass (not a lost socket), it is tried again this much later. */
const RETRY_MS = 5_000
/** Ended sends are kept a little past the longest window, then pruned. */
const PRUNE_EVERY_MS = 10 * 60_000

export interface SendServiceDeps {
  store: SendStore
  sealer: Sealer
  events: EventBus
  logger: Logger
  now?: () => number
  windows?: Partial<LimitWindows>
  /** The account as the sends see it; throws not-found for an unknown id. */
  account(id: AccountId): { label: string; limits: SendLimits; connected: boolean }
  /** A message id for a new send of the account. */
  newMessageId(id: AccountId): string
  /** Asks WhatsApp whether the recipient exists; throws not-found when it does not. Only while connected. */
  checkRecipient(id: AccountId, jid: string): Promise<void>
  /** Sends the text on the account's socket now, with this id. */
  deliver(id: AccountId, jid: string, text: string, messageId: string): Promise<void>
  /**
   * The reach-out limit WhatsApp put on the account (error 463), or null: sends to new contacts are
   * refused while it holds, and those already queued wait. The session doctor is where this is known.
   */
  reachOut(id: AccountId): { until: number; announced: boolean } | null
  /** Whether the session knows the contact otherwise (a LID's phone, a text exchanged): not new then. */
  knownContact?(id: AccountId, jid: string): boolean
  /** A send to a new contact is refused here because of that limit: the error to throw (the doctor words and counts it). */
  reachOutRefusal(id: AccountId, jid: string, limit: { until: number; announced: boolean }): AppError
  /** The most sends one account's queue holds (the settings). */
  maxQueue(): number
}

export interface SendService {
  send(id: AccountId, jid: string, text: string): Promise<SendAnswer>
  queue(id: AccountId): Promise<QueueEntry[]>
  /** Removes waiting sends, all or none: a send that no longer waits is a conflict naming it. */
  cancel(id: AccountId, messageIds: readonly string[]): Promise<void>
  /** Every account's queue and day, from the database (any server of a fleet answers the same). */
  stats(accounts: ReadonlyArray<{ id: AccountId; limits: SendLimits }>): Promise<SendStats[]>
  /** The account connected here: load what waits and send it as the limits allow. */
  resume(id: AccountId): void
  /** The account stopped running here: its memory is dropped once a send in flight ended. */
  pause(id: AccountId): Promise<void>
  /** The account's limits changed: what waits is planned again. */
  limitsChanged(id: AccountId): void
  /** A message from `jid` arrived: a known contact from now on. */
  received(id: AccountId, jid: string): void
  /** The account was removed: its sends and contacts go. */
  forget(id: AccountId): Promise<void>
  close(): Promise<void>
}

interface AccountSends {
  history: SendHistory
  contacts: Set<string>
  queue: WaitingRow[]
  /**
   * The queue as planned: the history with every waiting send added at its expected time, and the last
   * of those times, so a send appended to the queue is planned in one step instead of the whole queue
   * again. Null when it must be planned afresh: the limits changed, a send was cancelled or did not go,
   * or a send to a new contact waits out of order (held by newContactsPerDay or a reach-out limit).
   */
  projection: { sim: SendHistory; last: number } | null
  timer: NodeJS.Timeout | null
  pumping: Promise<void> | null
  /** Set by pause(): no new send leaves from this memory. */
  closed: boolean
}

export function createSendService(deps: SendServiceDeps): SendService {
  const { store, sealer, events } = deps
  const log = deps.logger.child({ component: 'sends' })
  const now = deps.now ?? Date.now
  const windows: LimitWindows = { ...LIMIT_WINDOWS, ...deps.windows }
  const accounts = new Map<AccountId, Promise<AccountSends>>()
  let closed = false
  let lastPrune = 0

  const aad = sendPayloadAad
  const count = (account: AccountId, result: SendResult, n = 1): void => publishSendOutcome({ account, result, count: n })

  function load(id: AccountId): Promise<AccountSends> {
    let loading = accounts.get(id)
    if (!loading) {
      loading = (async () => {
        const since = now() - windows.dayMs
        const [history, contacts, queue] = await Promise.all([store.history(id, since), store.contacts(id), store.takeQueue(id)])
        return {
          history: new SendHistory(history),
          contacts: new Set(contacts),
          queue,
          projection: null,
          timer: null,
          pumping: null,
          closed: false,
        }
      })()
      accounts.set(id, loading)
      loading.catch(() => accounts.delete(id))
    }
    return loading
  }

  /** `at`: when it was sent (the time its limits count), or when it failed or was cancelled. */
  function emitFinal(id: AccountId, row: { messageId: string; jid: string }, state: 'sent' | 'failed' | 'cancelled', error: string | null, at = now()): void {
    events.emit('accounts:message-sent', { account: id, messageId: row.messageId, to: row.jid, state, at, error })
    count(id, state)
  }

  function schedule(id: AccountId, state: AccountSends, delayMs: number): void {
    if (state.timer) clearTimeout(state.timer)
    state.timer = setTimeout(
      () => {
        state.timer = null
        kick(id, state)
      },
      Math.max(0, delayMs),
    )
    state.timer.unref?.()
  }

  /** Starts the account's pump unless it runs; it sends what may go and schedules itself for the rest. */
  function kick(id: AccountId, state: AccountSends): void {
    if (state.pumping || state.closed || closed) return
    state.pumping = pump(id, state)
      .catch((err: unknown) => {
        log.error({ err, account: id }, 'sending from the queue failed; trying again shortly')
        schedule(id, state, RETRY_MS)
      })
      .finally(() => {
        state.pumping = null
      })
  }

  async function pump(id: AccountId, state: AccountSends): Promise<void> {
    while (!state.closed && !closed && state.queue.length > 0) {
      let account: ReturnType<SendServiceDeps['account']>
      try {
        account = deps.account(id)
      } catch {
        return // removed
      }
      // Resumed when it connects again (resume()).
      if (!account.connected) return
      const [next] = plan(state.history, state.queue, account.limits, now(), { windows, reachOutUntil: deps.reachOut(id)?.until ?? null, count: 1 })
      if (!next) return
      const wait = next.at - now()
      if (wait > 0) return schedule(id, state, wait)
      const index = state.queue.findIndex((row) => row.messageId === next.messageId)
      const row = state.queue[index]!
      if (!(await store.claim(row.messageId))) {
        // Cancelled meanwhile.
        state.queue.splice(state.queue.indexOf(row), 1)
        continue
      }
      const at = now()
      state.history.add({ at, newContact: row.newContact, messageId: row.messageId })
      try {
        const text = sealer.open(row.payload, aad(row.messageId)).toString('utf8')
        await deps.deliver(id, row.jid, text, row.messageId)
      } catch (err) {
        state.history.remove(row.messageId)
        state.projection = null
        if (isLasting(err)) {
          state.queue.splice(state.queue.indexOf(row), 1)
          const message = err instanceof AppError ? err.message : 'The send failed. See the log.'
          await store.finish(row.messageId, { state: 'failed', at: now(), error: message })
          emitFinal(id, row, 'failed', message)
          continue
        }
        // The socket went, or WhatsApp asks to wait: it stays first in line.
        await store.unclaim(row.messageId)
        const retryAt = err instanceof AppError ? err.retryAt : undefined
        if (deps.account(id).connected) schedule(id, state, Math.max(RETRY_MS, (retryAt ?? 0) - now()))
        return
      }
      state.queue.splice(state.queue.indexOf(row), 1)
      state.contacts.add(row.jid)
      await store.finish(row.messageId, { state: 'sent', at, error: null })
      if (row.newContact) await store.remember(id, row.jid, at)
      emitFinal(id, row, 'sent', null, at)
    }
  }

  /** When `row`, just appended to the queue, is expected to go: one step on the projection when it holds. */
  function expectedAt(id: AccountId, state: AccountSends, limits: SendLimits, row: WaitingRow): number {
    const reachOutUntil = deps.reachOut(id)?.until ?? null
    const at = now()
    const projection = state.projection
    if (projection && state.queue.length > 1) {
      const t = generalSlot(projection.sim, limits, Math.max(projection.last, at), windows).at
      const open = !row.newContact || (newContactSlot(projection.sim, limits, t, windows).at <= t && (reachOutUntil === null || reachOutUntil <= t))
      if (open) {
        projection.sim.add({ at: t, newContact: row.newContact, messageId: row.messageId })
        projection.last = t
        return t
      }
    }
    // Afresh: the whole queue, and a projection to append to when it kept the queue's order.
    const planned = plan(state.history, state.queue, limits, at, { windows, reachOutUntil })
    const inOrder = planned.every((p, i) => p.messageId === state.queue[i]?.messageId)
    if (inOrder) {
      const sim = state.history.clone()
      for (const [i, p] of planned.entries()) sim.add({ at: p.at, newContact: state.queue[i]!.newContact, messageId: p.messageId })
      state.projection = { sim, last: planned.at(-1)?.at ?? at }
    } else {
      state.projection = null
    }
    return planned.find((p) => p.messageId === row.messageId)?.at ?? at
  }

  async function prune(): Promise<void> {
    const at = now()
    if (at - lastPrune < PRUNE_EVERY_MS) return
    lastPrune = at
    await store.prune(at - windows.dayMs - 60_000).catch((err: unknown) => log.warn({ err }, 'pruning old sends failed'))
  }

  return {
    async send(id, jid, text) {
      const account = deps.account(id)
      const state = await load(id)
      const at = now()
      const newContact = !state.contacts.has(jid) && !deps.knownContact?.(id, jid)
      // Where WhatsApp's reach-out limit (463) is answered: a new contact is refused at once, never
      // queued (a held send would only meet the same limit later); known contacts go on.
      const held = deps.reachOut(id)
      if (newContact && held && held.until > at) {
        count(id, 'refused')
        throw deps.reachOutRefusal(id, jid, held)
      }
      if (state.queue.length === 0) {
        const general = generalSlot(state.history, account.limits, at, windows)
        const contact = newContact ? newContactSlot(state.history, account.limits, at, windows) : general
        if (general.at <= at && contact.at <= at) {
          if (!account.connected) throw new AppError('conflict', `"${account.label}" is not connected. Start it and wait until it shows connected.`)
          const messageId = deps.newMessageId(id)
          // Taken before the send leaves: a send asked meanwhile counts it.
          state.history.add({ at, newContact, messageId })
          try {
            await deps.checkRecipient(id, jid)
            await deps.deliver(id, jid, text, messageId)
          } catch (err) {
            state.history.remove(messageId)
            throw err
          }
          state.contacts.add(jid)
          await store.recordSent({ messageId, account: id, jid, newContact, at })
          if (newContact) await store.remember(id, jid, at)
          emitFinal(id, { messageId, jid }, 'sent', null, at)
          void prune()
          return { messageId, state: 'sent' }
        }
      }
      const max = deps.maxQueue()
      if (state.queue.length >= max) {
        count(id, 'refused')
        throw new AppError(
          'rate-limited',
          `The send queue of "${account.label}" holds ${state.queue.length.toLocaleString('en')} messages, the most it takes; wait until some are sent, or raise the limits.`,
        )
      }
      if (account.connected) await deps.checkRecipient(id, jid)
      const messageId = deps.newMessageId(id)
      const row: WaitingRow = { messageId, jid, payload: sealer.seal(Buffer.from(text, 'utf8'), aad(messageId)), newContact, createdAt: at }
      // In line before the write lands: a send asked meanwhile queues behind it.
      state.queue.push(row)
      try {
        await store.enqueue({ ...row, account: id })
      } catch (err) {
        state.queue.splice(state.queue.indexOf(row), 1)
        throw err
      }
      count(id, 'queued')
      const sendAt = expectedAt(id, state, account.limits, row)
      kick(id, state)
      return { messageId, state: 'queued', sendAt }
    },

    async queue(id) {
      const account = deps.account(id)
      const state = await load(id)
      const planned = plan(state.history, state.queue, account.limits, now(), { windows, reachOutUntil: deps.reachOut(id)?.until ?? null })
      const jids = new Map(state.queue.map((row) => [row.messageId, row.jid]))
      return planned.map((p) => ({ messageId: p.messageId, to: jids.get(p.messageId)!, sendAt: p.at }))
    },

    async cancel(id, messageIds) {
      const account = deps.account(id)
      const state = await load(id)
      const unique = [...new Set(messageIds)]
      const missing = await store.cancel(id, unique, now())
      if (missing.length > 0) {
        throw new AppError(
          'conflict',
          `Nothing was cancelled: ${missing.length === 1 ? 'this message does' : 'these messages do'} not wait in the queue of "${account.label}" (already sent, failed, cancelled or unknown): ${missing.join(', ')}.`,
        )
      }
      state.projection = null
      const gone = new Set(unique)
      const rows = state.queue.filter((row) => gone.has(row.messageId))
      state.queue = state.queue.filter((row) => !gone.has(row.messageId))
      for (const row of rows) emitFinal(id, row, 'cancelled', null)
      kick(id, state)
    },

    async stats(list) {
      const at = now()
      const counts = await store.counts(at - windows.dayMs)
      return Promise.all(
        list.map(async ({ id, limits }) => {
          const found = counts.get(id) ?? { queued: 0, sent: 0 }
          let limitReached: SendStats['limitReached'] = null
          if (found.queued > 0) {
            const history = new SendHistory(await store.history(id, at - windows.dayMs))
            const general = generalSlot(history, limits, at, windows)
            const contact = newContactSlot(history, limits, at, windows)
            if (general.limit) limitReached = { limit: general.limit, until: general.at }
            else if (contact.limit) limitReached = { limit: contact.limit, until: contact.at }
          }
          return { id, queued: found.queued, sentToday: found.sent, limitReached }
        }),
      )
    },

    resume(id) {
      if (closed) return
      load(id)
        .then((state) => kick(id, state))
        .catch((err: unknown) => log.error({ err, account: id }, 'reading the send queue failed'))
    },

    async pause(id) {
      const loading = accounts.get(id)
      if (!loading) return
      accounts.delete(id)
      const state = await loading.catch(() => null)
      if (!state) return
      state.closed = true
      if (state.timer) clearTimeout(state.timer)
      await state.pumping
    },

    limitsChanged(id) {
      const loading = accounts.get(id)
      if (loading)
        void loading
          .then((state) => {
            state.projection = null
            kick(id, state)
          })
          .catch(() => undefined)
    },

    received(id, jid) {
      if (closed) return
      load(id)
        .then(async (state) => {
          if (state.contacts.has(jid)) return
          state.contacts.add(jid)
          await store.remember(id, jid, now())
        })
        .catch((err: unknown) => log.warn({ err, account: id }, 'remembering a contact failed'))
    },

    async forget(id) {
      await this.pause(id)
      await store.forget(id)
    },

    async close() {
      closed = true
      await Promise.all([...accounts.keys()].map((id) => this.pause(id)))
    },
  }
}

/** A failure that another try will not mend: the recipient is not on WhatsApp, or the input is wrong. */
function isLasting(err: unknown): boolean {
  return err instanceof AppError && (err.code === 'not-found' || err.code === 'invalid-input')
}

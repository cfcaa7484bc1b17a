// How pushed events reach the cache: in batches, one per EVENT_BATCH_MS at most, and the accounts list's
// rows at most once a second. A bulk stop of 445 accounts sends 445 events within a fraction of a
// second; applied one by one, each would re-render (filter, sort) the whole accounts table. Batched,
// each event still applies in order within a frame, except the list's rows: a change of status goes
// into the list at once when none went in during the last second, else with the next second's others
// (the newest summary of each account wins). An account's own views (health, pairing) never wait.

import type { EventName } from '../../../shared/channels'
import type { AccountSummary, EventMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'

export const EVENT_BATCH_MS = 16
/** The accounts list takes row updates at most this often. */
export const ROW_FLUSH_MS = 1_000

export interface EventBatcherDeps {
  /** Applies a batch in order; accounts:changed without its list row (applyEvent with rows: 'later'). */
  applyEvents(batch: ReadonlyArray<EventMessage<EventName>>): void
  /** Puts the held rows into the accounts list, in one update; each with when it arrived (performance.now()). */
  applyRows(rows: ReadonlyArray<{ summary: AccountSummary; arrivedAt: number }>): void
  now?: () => number
  /** When a message arrived, for the rows (default performance.now()). */
  arrival?: () => number
  setTimer?: (run: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
}

export function createEventBatcher(deps: EventBatcherDeps): { push(message: EventMessage<EventName>): void; dispose(): void } {
  const now = deps.now ?? Date.now
  const setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms))
  const clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>))
  const pending: Array<{ message: EventMessage<EventName>; at: number }> = []
  const rows = new Map<AccountId, { summary: AccountSummary; arrivedAt: number }>()
  const arrival = deps.arrival ?? (() => performance.now())
  let batchTimer: unknown = null
  let rowTimer: unknown = null
  let lastRows = -Infinity

  function flushRows(): void {
    rowTimer = null
    if (rows.size === 0) return
    lastRows = now()
    const held = [...rows.values()]
    rows.clear()
    deps.applyRows(held)
  }

  function flush(): void {
    batchTimer = null
    const batch = pending.splice(0)
    for (const { message, at } of batch) {
      if (message.event === 'accounts:changed') rows.set(message.payload.id, { summary: message.payload, arrivedAt: at })
      // A removed account's held row must not bring it back.
      if (message.event === 'accounts:removed') rows.delete(message.payload.id)
    }
    deps.applyEvents(batch.map((entry) => entry.message))
    if (rows.size === 0 || rowTimer !== null) return
    const wait = lastRows + ROW_FLUSH_MS - now()
    if (wait <= 0) flushRows()
    else rowTimer = setTimer(flushRows, wait)
  }

  return {
    push(message) {
      pending.push({ message, at: arrival() })
      batchTimer ??= setTimer(flush, EVENT_BATCH_MS)
    },
    dispose() {
      if (batchTimer !== null) clearTimer(batchTimer)
      if (rowTimer !== null) clearTimer(rowTimer)
      batchTimer = rowTimer = null
      pending.length = 0
      rows.clear()
    },
  }
}

// The one place where pushed events change the TanStack Query cache. Views never listen to events
// themselves: they read queries, and this file keeps those queries true between fetches. Everything
// here is bounded (messages, telemetry points), so a page left open for days stays the same size.

import type { QueryClient } from '@tanstack/react-query'
import type { EventName } from '../../../shared/channels'
import type { AccountHealth, AccountStatus, AccountSummary, EventMessage, PairingState, ReceivedMessage } from '../../../shared/contract'
import { assertNever } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { Scope } from '../lib/chart-data'
import { emptySeriesStore, mergeSeries, type SeriesStore } from '../lib/series-store'
import { queryKeys } from './query-keys'

/** The server keeps the last 50 per account; the page keeps a few more across a reconnect. */
export const MAX_MESSAGES = 100

/**
 * Applies one event. `rows: 'later'`: an accounts:changed leaves the accounts list alone (the caller
 * applies it with applyRows, at most once a second: event-batcher.ts) and updates the rest at once.
 */
export function applyEvent(client: QueryClient, message: EventMessage<EventName>, options: { rows?: 'now' | 'later' } = {}): void {
  switch (message.event) {
    case 'accounts:changed': {
      if (options.rows === 'later') upsertDetails(client, message.payload)
      else upsertAccount(client, message.payload)
      // The change is also a new line in the account's activity log (only a shown log refetches).
      void client.invalidateQueries({ queryKey: queryKeys.activity(message.payload.id) })
      return
    }
    case 'accounts:removed': {
      const { id } = message.payload
      client.setQueryData<AccountSummary[]>(queryKeys.accountList(), (list) => list?.filter((a) => a.id !== id))
      client.removeQueries({ queryKey: queryKeys.account(id) })
      client.removeQueries({ queryKey: queryKeys.series(id) })
      return
    }
    case 'accounts:qr': {
      const pairing = message.payload
      client.setQueryData<PairingState>(queryKeys.pairing(pairing.id), pairing)
      return
    }
    case 'accounts:message': {
      const received = message.payload
      client.setQueryData<ReceivedMessage[]>(queryKeys.messages(received.account), (list) => {
        // No list yet: the first fetch brings this message along with the rest.
        if (!list) return list
        if (list.some((m) => m.id === received.id && m.id !== '')) return list
        return insertByTime(list, received).slice(-MAX_MESSAGES)
      })
      return
    }
    case 'accounts:message-sent': {
      // A send ended: the account's queue and the table's counts are read again (only shown ones refetch).
      void client.invalidateQueries({ queryKey: queryKeys.sendQueue(message.payload.account) })
      void client.invalidateQueries({ queryKey: queryKeys.sendStats() })
      return
    }
    case 'accounts:condition':
      // The condition itself rides on accounts:changed; its history is the activity log's.
      void client.invalidateQueries({ queryKey: queryKeys.activity(message.payload.id) })
      return
    case 'accounts:lid-mapping': {
      const { account, lid, phone } = message.payload
      // From now on the messages from that LID show the phone behind it.
      client.setQueryData<ReceivedMessage[]>(queryKeys.messages(account), (list) =>
        list?.map((m) => (m.fromLid === lid && m.fromPhone === null ? { ...m, fromPhone: phone } : m)),
      )
      return
    }
    case 'telemetry:tick': {
      const tick = message.payload
      // One tick carries every scope ('*' and each account); each scope's series is its own query.
      // Only scopes someone has loaded grow: their first fetch brings the history, ticks extend it.
      const scopes = new Set<Scope>([...tick.points.map((p) => p.account), ...tick.cache.map((c) => c.account)])
      for (const scope of scopes) {
        client.setQueryData<SeriesStore>(queryKeys.series(scope), (store) =>
          store
            ? mergeSeries(
                store,
                tick.points.filter((p) => p.account === scope),
                tick.cache.filter((c) => c.account === scope),
                tick.t,
              )
            : store,
        )
      }
      return
    }
    case 'transfer:bundle-opened':
      // Opens the import dialog (TransferToolbar); nothing in the cache changes.
      return
    default:
      // The union is exhausted: a new event name makes this line a compile error.
      assertNever(message, 'event')
  }
}

/**
 * A message that failed to decrypt arrives when its sender sends it again, later than messages sent
 * after it, but with the time it was first sent: it goes where that time puts it (after any message of
 * the same time already shown).
 */
export function insertByTime(list: readonly ReceivedMessage[], received: ReceivedMessage): ReceivedMessage[] {
  let index = list.length
  while (index > 0 && list[index - 1]!.at > received.at) index--
  return [...list.slice(0, index), received, ...list.slice(index)]
}

/**
 * Puts an account's new summary everywhere it shows: the list, its health and its pairing state.
 * Events arrive in order and always apply. A command's answer travels on another connection and can
 * land after a later event (accounts:add answers "connecting" while the "pairing" event overtakes it):
 * with `onlyIfCurrent` it is dropped when the cache already holds a newer status. An answer also
 * outranks an event that arrived before it but is put into the list after it (event-batcher.ts holds
 * rows up to a second): answersSince() tells.
 */
export function upsertAccount(client: QueryClient, summary: AccountSummary, options: { onlyIfCurrent?: boolean } = {}): void {
  if (options.onlyIfCurrent) {
    answers(client).set(summary.id, { at: performance.now(), statusSince: summary.statusSince })
    const held = client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.find((a) => a.id === summary.id)
    if (held && held.statusSince > summary.statusSince) return
  }
  putRows(client, [summary])
  upsertDetails(client, summary)
}

/** Per query client: the last command answer about each account, when it arrived and the status time it carried. */
const answered = new WeakMap<QueryClient, Map<AccountId, { at: number; statusSince: number }>>()
function answers(client: QueryClient): Map<AccountId, { at: number; statusSince: number }> {
  let map = answered.get(client)
  if (!map) answered.set(client, (map = new Map()))
  return map
}

/**
 * Puts event summaries, held since `arrivedAt` (performance.now()), into the accounts list in one update
 * (one render of the table). Events always apply, except over a command's answer that arrived after
 * them and carries a newer status: the table never steps back to a state the answer replaced.
 */
export function applyRows(client: QueryClient, rows: ReadonlyArray<{ summary: AccountSummary; arrivedAt: number }>): void {
  const known = answers(client)
  putRows(
    client,
    rows
      .filter(({ summary, arrivedAt }) => {
        const answer = known.get(summary.id)
        return !answer || answer.at < arrivedAt || answer.statusSince <= summary.statusSince
      })
      .map((row) => row.summary),
  )
}

function putRows(client: QueryClient, summaries: readonly AccountSummary[]): void {
  if (summaries.length === 0) return
  client.setQueryData<AccountSummary[]>(queryKeys.accountList(), (list) => {
    if (!list) return list
    const index = new Map(list.map((a, i) => [a.id, i]))
    const next = list.slice()
    for (const summary of summaries) {
      const at = index.get(summary.id)
      if (at === undefined) {
        index.set(summary.id, next.length)
        next.push(summary)
        continue
      }
      const held = next[at]!
      // A summary without `server` (a mutation's answer, an older server) keeps the one the list had.
      next[at] = summary.server === undefined && held.server !== undefined ? { ...summary, server: held.server } : summary
    }
    return next
  })
}

/** An account's new summary where one account's views read it: its health and its pairing state. */
function upsertDetails(client: QueryClient, summary: AccountSummary): void {
  client.setQueryData<AccountHealth>(queryKeys.health(summary.id), (health) => (health ? { ...health, ...summary } : health))
  client.setQueryData<PairingState>(queryKeys.pairing(summary.id), (pairing) => {
    if (!pairing) return pairing
    // Baileys drops the QR (and the code, and any passkey check) the moment the phone links (or pairing ends): so does the page.
    if (summary.status !== 'pairing') {
      const method = pairing.method === 'passkey' ? (pairing.phone ? 'code' : 'qr') : pairing.method
      return { ...pairing, status: summary.status, method, qr: null, expiresAt: null, code: null, codeExpiresAt: null, passkey: null }
    }
    return { ...pairing, status: summary.status }
  })
}

/** A fetched list, keeping any account whose cached status is newer (an event overtook the answer). */
export function listFromFetch(held: readonly AccountSummary[] | undefined, fetched: AccountSummary[]): AccountSummary[] {
  if (!held) return fetched
  const byId = new Map(held.map((a) => [a.id, a]))
  return fetched.map((a) => {
    const cached = byId.get(a.id)
    return cached && cached.statusSince > a.statusSince ? cached : a
  })
}

/**
 * A fetched pairing state, unless an accounts:qr event overtook the answer: a cached QR code that is
 * newer than the fetched one (or the fetched one has none) stays while the account is still pairing, or
 * when it came during the fetch (`overtaken`): the list's status may not say 'pairing' yet, as row
 * updates wait for the next once-a-second batch. The dialog's phase follows the account's status, so a
 * QR code kept after a scan is never shown.
 */
export function pairingFromFetch(held: PairingState | undefined, fetched: PairingState, status: AccountStatus | undefined, overtaken = false): PairingState {
  const heldIsNewer =
    held?.qr != null && held.expiresAt !== null && (fetched.qr === null || fetched.expiresAt === null || held.expiresAt > fetched.expiresAt)
  if (heldIsNewer && status === 'pairing') return { ...held, status }
  if (heldIsNewer && overtaken) return held
  return fetched
}

/**
 * A fetched series, plus what ticks added while the fetch was under way (seconds from `startedAt` - 1
 * on). Anything older held here is dropped, not merged: the server's answer is the truth for it, so
 * after a server restart the charts show what the restarted server counts, as its totals do.
 */
export function seriesFromFetch(
  existing: SeriesStore | undefined,
  fetched: EventMessage<'telemetry:tick'>['payload'],
  startedAt: number = fetched.t,
): SeriesStore {
  const base = mergeSeries(emptySeriesStore(), fetched.points, fetched.cache, fetched.t)
  if (!existing) return base
  const since = startedAt - 1
  const newer = Object.values(existing.latency)
    .flat()
    .filter((p) => p.t >= since)
  return mergeSeries(
    base,
    newer,
    existing.cache.filter((c) => c.t >= since),
    Math.max(existing.latest, fetched.t),
  )
}

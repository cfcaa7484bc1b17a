import { QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import type { AccountSummary, PairingState, ReceivedMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { emptySeriesStore, mergeSeries, type SeriesStore } from '../lib/series-store'
import { applyEvent, applyRows, listFromFetch, MAX_MESSAGES, pairingFromFetch, seriesFromFetch, upsertAccount } from './event-cache'
import { queryKeys } from './query-keys'

const A = 'acc-a' as AccountId
/** The pairing fields a QR-only state has: no code. */
const BY_QR = { method: 'qr', code: null, codeExpiresAt: null, phone: null, passkey: null, passkeyError: null } as const
const B = 'acc-b' as AccountId

const summary = (id: AccountId, patch: Partial<AccountSummary> = {}): AccountSummary =>
  accountSummary(id, { statusSince: 1, createdAt: 1, ...patch })

describe('applyRows (events held by the batcher)', () => {
  const statusOf = (client: QueryClient, id: AccountId) => client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.find((a) => a.id === id)?.status

  it('always apply, whatever their time, when no answer came after them (servers of a fleet keep different clocks)', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [summary(A, { status: 'connected', statusSince: 500 })])
    applyRows(client, [{ summary: summary(A, { status: 'stopped', statusSince: 100 }), arrivedAt: performance.now() }])
    expect(statusOf(client, A)).toBe('stopped')
  })

  it('never take back a newer answer that arrived after them, but give way to an answer with an older status', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [summary(A, { status: 'connected', statusSince: 100 })])
    const heldSince = performance.now() - 1
    upsertAccount(client, summary(A, { status: 'stopped', statusSince: 300 }), { onlyIfCurrent: true })
    applyRows(client, [{ summary: summary(A, { status: 'connected', statusSince: 100 }), arrivedAt: heldSince }])
    expect(statusOf(client, A)).toBe('stopped')
    applyRows(client, [{ summary: summary(A, { status: 'reconnecting', statusSince: 400 }), arrivedAt: heldSince }])
    expect(statusOf(client, A)).toBe('reconnecting')
  })
})

describe('applyEvent', () => {
  it('accounts:changed updates the list in place, appends new accounts and clears a scanned QR', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [summary(A)])
    client.setQueryData<PairingState>(queryKeys.pairing(A), { id: A, qr: 'qr-1', expiresAt: 99, status: 'pairing', ...BY_QR })

    applyEvent(client, { event: 'accounts:changed', payload: summary(A, { status: 'connecting' }) })
    applyEvent(client, { event: 'accounts:changed', payload: summary(B) })

    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.map((a) => [a.id, a.status])).toEqual([
      [A, 'connecting'],
      [B, 'new'],
    ])
    expect(client.getQueryData(queryKeys.pairing(A))).toEqual({ id: A, qr: null, expiresAt: null, status: 'connecting', ...BY_QR })
  })

  it('accounts:removed drops the account and everything cached about it', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [summary(A), summary(B)])
    client.setQueryData(queryKeys.messages(A), [])
    applyEvent(client, { event: 'accounts:removed', payload: { id: A } })
    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.map((a) => a.id)).toEqual([B])
    expect(client.getQueryData(queryKeys.messages(A))).toBeUndefined()
  })

  it('accounts:qr replaces the pairing state, so each rotation shows', () => {
    const client = new QueryClient()
    applyEvent(client, { event: 'accounts:qr', payload: { id: A, qr: 'qr-2', expiresAt: 5, status: 'pairing', ...BY_QR } })
    expect(client.getQueryData<PairingState>(queryKeys.pairing(A))?.qr).toBe('qr-2')
  })

  it('accounts:message appends once, and keeps the list bounded', () => {
    const client = new QueryClient()
    client.setQueryData<ReceivedMessage[]>(queryKeys.messages(A), [])
    const message = (i: number): ReceivedMessage => ({ account: A, id: `m${i}`, from: '1@s.whatsapp.net', fromPhone: '+1', fromLid: null, text: `t${i}`, at: i })
    applyEvent(client, { event: 'accounts:message', payload: message(0) })
    applyEvent(client, { event: 'accounts:message', payload: message(0) })
    expect(client.getQueryData<ReceivedMessage[]>(queryKeys.messages(A))).toHaveLength(1)
    for (let i = 1; i <= MAX_MESSAGES + 10; i++) applyEvent(client, { event: 'accounts:message', payload: message(i) })
    const list = client.getQueryData<ReceivedMessage[]>(queryKeys.messages(A))!
    expect(list).toHaveLength(MAX_MESSAGES)
    expect(list.at(-1)?.id).toBe(`m${MAX_MESSAGES + 10}`)
  })

  it('accounts:message puts a resent message where its first time belongs', () => {
    const client = new QueryClient()
    const message = (id: string, at: number): ReceivedMessage => ({ account: A, id, from: '1@s.whatsapp.net', fromPhone: '+1', fromLid: null, text: id, at })
    client.setQueryData<ReceivedMessage[]>(queryKeys.messages(A), [message('a', 1), message('c', 3)])
    applyEvent(client, { event: 'accounts:message', payload: message('b', 2) })
    applyEvent(client, { event: 'accounts:message', payload: message('d', 3) })
    expect(client.getQueryData<ReceivedMessage[]>(queryKeys.messages(A))!.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('accounts:lid-mapping shows the phone on the messages from that LID', () => {
    const client = new QueryClient()
    const lid = '100000000000009@lid'
    client.setQueryData<ReceivedMessage[]>(queryKeys.messages(A), [
      { account: A, id: 'x', from: lid, fromPhone: null, fromLid: lid, text: 'hi', at: 1 },
      { account: A, id: 'y', from: '2@s.whatsapp.net', fromPhone: '+2', fromLid: null, text: 'yo', at: 2 },
    ])
    applyEvent(client, { event: 'accounts:lid-mapping', payload: { account: A, lid, phone: '+15550000009' } })
    expect(client.getQueryData<ReceivedMessage[]>(queryKeys.messages(A))!.map((m) => m.fromPhone)).toEqual(['+15550000009', '+2'])
  })

  it('telemetry:tick extends each loaded scope with its own points only', () => {
    const client = new QueryClient()
    client.setQueryData<SeriesStore>(queryKeys.series('*'), emptySeriesStore())
    client.setQueryData<SeriesStore>(queryKeys.series(A), emptySeriesStore())
    const stats = { count: 1, errors: 0, p50: 1, p95: 2, p99: 3, max: 4 }
    applyEvent(client, {
      event: 'telemetry:tick',
      payload: {
        t: 100,
        points: [
          { ...stats, t: 99, account: '*', req: 'keys_get' },
          { ...stats, t: 99, account: A, req: 'keys_get' },
          { ...stats, t: 99, account: B, req: 'keys_get' },
        ],
        cache: [{ t: 99, account: A, hits: 1, misses: 0 }],
      },
    })
    expect(client.getQueryData<SeriesStore>(queryKeys.series('*'))?.latency.keys_get).toHaveLength(1)
    expect(client.getQueryData<SeriesStore>(queryKeys.series(A))?.cache).toHaveLength(1)
    // Nobody loaded B's series: the tick does not start one (its first fetch brings the history).
    expect(client.getQueryData(queryKeys.series(B))).toBeUndefined()
  })
})

describe('a refetched telemetry series (after a reconnect or a server restart)', () => {
  const stats = { count: 1, errors: 0, p50: 1, p95: 2, p99: 3, max: 4 }
  it('drops what the page held from before the fetch, keeps ticks that arrived during it', () => {
    // Held: seconds 50..60 from before the server restarted, and 99 from a tick during the refetch.
    const held = mergeSeries(
      emptySeriesStore(),
      [50, 60, 99].map((t) => ({ ...stats, t, account: '*' as const, req: 'keys_get' as const })),
      [{ t: 60, account: '*', hits: 1, misses: 0 }],
      99,
    )
    // The restarted server knows second 98 only.
    const fetched = { t: 100, points: [{ ...stats, t: 98, account: '*' as const, req: 'keys_get' as const, count: 7 }], cache: [] }
    const store = seriesFromFetch(held, fetched, 99)
    expect(store.latency.keys_get.map((p) => [p.t, p.count])).toEqual([
      [98, 7],
      [99, 1],
    ])
    expect(store.cache).toEqual([])
  })
})

describe('the server that runs an account (fleet)', () => {
  it('an event naming a server replaces it; a summary without one keeps the server the list had', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [summary(A, { server: 'srv-1' })])
    upsertAccount(client, summary(A, { status: 'stopped' }))
    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.[0]).toMatchObject({ status: 'stopped', server: 'srv-1' })
    applyEvent(client, { event: 'accounts:changed', payload: summary(A, { status: 'connected', server: 'srv-2' }) })
    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.[0]).toMatchObject({ status: 'connected', server: 'srv-2' })
    applyEvent(client, { event: 'accounts:changed', payload: summary(A, { status: 'stopped', server: null }) })
    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.[0]?.server).toBeNull()
  })
})

describe('answers that arrive after newer events', () => {
  it('a command answer older than the cached status is dropped, QR code included', () => {
    const client = new QueryClient()
    client.setQueryData(queryKeys.accountList(), [])
    applyEvent(client, { event: 'accounts:changed', payload: summary(A, { status: 'pairing', statusSince: 20 }) })
    applyEvent(client, { event: 'accounts:qr', payload: { id: A, qr: 'qr-1', expiresAt: 99, status: 'pairing', ...BY_QR } })
    // accounts:add answers with the state when it returned: connecting, older than the event above.
    upsertAccount(client, summary(A, { status: 'connecting', statusSince: 10 }), { onlyIfCurrent: true })
    expect(client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.[0]?.status).toBe('pairing')
    expect(client.getQueryData<PairingState>(queryKeys.pairing(A))?.qr).toBe('qr-1')
  })

  it('a fetched list keeps the newer cached status of an account', () => {
    const held = [summary(A, { status: 'connected', statusSince: 30 }), summary(B, { status: 'new', statusSince: 5 })]
    const fetched = [summary(A, { status: 'connecting', statusSince: 20 }), summary(B, { status: 'pairing', statusSince: 6 })]
    expect(listFromFetch(held, fetched).map((a) => a.status)).toEqual(['connected', 'pairing'])
  })

  it('a fetched pairing state without a QR code does not hide the one an event brought', () => {
    const held: PairingState = { id: A, qr: 'qr-2', expiresAt: 200, status: 'pairing', ...BY_QR }
    const stale: PairingState = { id: A, qr: null, expiresAt: null, status: 'connecting', ...BY_QR }
    expect(pairingFromFetch(held, stale, 'pairing').qr).toBe('qr-2')
    // Once the account left pairing (scanned, stopped), the fetched state is the truth.
    expect(pairingFromFetch(held, stale, 'connecting').qr).toBeNull()
  })

  it('a QR code that came during the fetch stays, though the list has not said pairing yet', () => {
    const held: PairingState = { id: A, qr: 'qr-1', expiresAt: 200, status: 'pairing', ...BY_QR }
    const early: PairingState = { id: A, qr: null, expiresAt: null, status: 'new', ...BY_QR }
    // Row updates come once a second: the list may still say 'new' when the answer lands.
    expect(pairingFromFetch(held, early, 'new', true).qr).toBe('qr-1')
    // Held from before the fetch, and the account not pairing: the answer is the truth.
    expect(pairingFromFetch(held, early, 'new', false).qr).toBeNull()
  })
})

// The metrics registry on its own: fed through the real diagnostics channels and event bus, read back
// as Prometheus text. The end-to-end scrape of a real server is in test/metrics.test.ts.

import { afterEach, describe, expect, it } from 'vitest'
import { ACCOUNT_STATUSES, type AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { bucketsOf, parsePrometheusText, valueOf } from '../../../../test/support/prometheus-text'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { publishReconnect } from '../sessions/session-channels'
import { authStoreCacheChannel, authStoreStopChannel } from '../telemetry/channels'
import { createMetrics, reconnectReason, type Metrics } from './metrics'

function summary(id: string, status: AccountSummary['status']): AccountSummary {
  return accountSummary(id, { status })
}

describe('metrics', () => {
  const made: Metrics[] = []
  afterEach(() => {
    for (const m of made.splice(0)) m.dispose()
  })

  function setup(accounts: AccountSummary[], leases: Parameters<typeof createMetrics>[0]['leases'] = null) {
    const events = createEventBus(silentLogger())
    const metrics = createMetrics({ events, accounts: () => accounts, leases })
    made.push(metrics)
    return { events, metrics, read: async () => parsePrometheusText(await metrics.render()) }
  }

  it('turns store timings into cumulative histogram buckets in seconds, per request type and result', async () => {
    const { read } = setup([summary('a', 'connected')])
    // 30 µs, 0.7 ms, 3 ms and a failed 40 ms.
    for (const ns of [30_000, 700_000, 3_000_000]) authStoreStopChannel.publish({ req: 'keys_get', account: 'a', result: 'ok', durationNs: ns })
    authStoreStopChannel.publish({ req: 'keys_get', account: 'a', result: 'error', durationNs: 40_000_000 })
    const samples = await read()
    const ok = bucketsOf(samples, 'irish_store_request_duration_seconds', { request: 'keys_get', result: 'ok' })
    expect(ok.find((b) => b.le === 0.00005)!.count).toBe(1)
    expect(ok.find((b) => b.le === 0.001)!.count).toBe(2)
    expect(ok.find((b) => b.le === 0.005)!.count).toBe(3)
    expect(ok.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 3 })
    for (let i = 1; i < ok.length; i++) expect(ok[i]!.count).toBeGreaterThanOrEqual(ok[i - 1]!.count)
    expect(valueOf(samples, 'irish_store_request_duration_seconds_count', { request: 'keys_get', result: 'ok' })).toBe(3)
    expect(valueOf(samples, 'irish_store_request_duration_seconds_sum', { request: 'keys_get', result: 'ok' })).toBeCloseTo(0.00373, 6)
    expect(valueOf(samples, 'irish_store_request_duration_seconds_count', { request: 'keys_get', result: 'error' })).toBe(1)
    // The other request types are there from the start, at zero.
    expect(valueOf(samples, 'irish_store_request_duration_seconds_count', { request: 'save_creds', result: 'ok' })).toBe(0)
  })

  it('ignores store events of accounts this core does not know (another core in the same process) until it learns them', async () => {
    const { events, read } = setup([])
    authStoreStopChannel.publish({ req: 'keys_set', account: 'elsewhere', result: 'ok', durationNs: 1000 })
    expect(valueOf(await read(), 'irish_store_request_duration_seconds_count', { request: 'keys_set', result: 'ok' })).toBe(0)
    events.emit('accounts:changed', summary('elsewhere', 'connecting'))
    authStoreStopChannel.publish({ req: 'keys_set', account: 'elsewhere', result: 'ok', durationNs: 1000 })
    expect(valueOf(await read(), 'irish_store_request_duration_seconds_count', { request: 'keys_set', result: 'ok' })).toBe(1)
    events.emit('accounts:removed', { id: 'elsewhere' as AccountId })
    authStoreStopChannel.publish({ req: 'keys_set', account: 'elsewhere', result: 'ok', durationNs: 1000 })
    expect(valueOf(await read(), 'irish_store_request_duration_seconds_count', { request: 'keys_set', result: 'ok' })).toBe(1)
  })

  it('counts key-cache hits and misses by key type, and reconnects by reason', async () => {
    const { read } = setup([summary('a', 'connected')])
    authStoreCacheChannel.publish({ account: 'a', type: 'session', hits: 1, misses: 0 })
    authStoreCacheChannel.publish({ account: 'a', type: 'session', hits: 1, misses: 0 })
    authStoreCacheChannel.publish({ account: 'a', type: 'pre-key', hits: 0, misses: 1 })
    publishReconnect({ account: 'a', code: 515, decision: 'restart' })
    publishReconnect({ account: 'a', code: 408, decision: 'retry' })
    publishReconnect({ account: 'a', code: 408, decision: 'retry' })
    const samples = await read()
    expect(valueOf(samples, 'irish_key_cache_hits_total', { type: 'session' })).toBe(2)
    expect(valueOf(samples, 'irish_key_cache_misses_total', { type: 'pre-key' })).toBe(1)
    expect(valueOf(samples, 'irish_reconnects_total', { reason: 'restart-required' })).toBe(1)
    expect(valueOf(samples, 'irish_reconnects_total', { reason: 'connection-lost' })).toBe(2)
  })

  it('names reconnect reasons from a closed set', () => {
    expect(reconnectReason(null)).toBe('no-status')
    expect(reconnectReason(428)).toBe('connection-closed')
    expect(reconnectReason(599)).toBe('other')
  })

  it('reports one series per status, lease figures at zero on a single server, and the lease manager in a fleet', async () => {
    const accounts = [summary('a', 'connected'), summary('b', 'connected'), summary('c', 'failed')]
    const single = await setup(accounts).read()
    for (const status of ACCOUNT_STATUSES) {
      expect(valueOf(single, 'irish_accounts', { status })).toBe(status === 'connected' ? 2 : status === 'failed' ? 1 : 0)
    }
    expect(valueOf(single, 'irish_leases_held')).toBe(0)
    expect(valueOf(single, 'irish_lease_losses_total')).toBe(0)
    expect(valueOf(single, 'irish_failovers_total')).toBe(0)

    const held = new Map<AccountId, number>([['a' as AccountId, 3]])
    const stats = { losses: 2, takeovers: 5 }
    const fleet = setup(accounts, { held: () => held, stats: () => stats })
    expect(valueOf(await fleet.read(), 'irish_leases_held')).toBe(1)
    stats.takeovers = 6
    const later = await fleet.read()
    expect(valueOf(later, 'irish_lease_losses_total')).toBe(2)
    expect(valueOf(later, 'irish_failovers_total')).toBe(6)
  })

  it('stops counting once disposed', async () => {
    const { metrics, read } = setup([summary('a', 'connected')])
    metrics.dispose()
    authStoreStopChannel.publish({ req: 'keys_get', account: 'a', result: 'ok', durationNs: 1000 })
    expect(valueOf(await read(), 'irish_store_request_duration_seconds_count', { request: 'keys_get', result: 'ok' })).toBe(0)
  })
})

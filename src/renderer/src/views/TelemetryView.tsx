// How fast the auth store answers: for one account or all of them, p50/p95/p99 latency per request
// type over the last 15 minutes, operations and errors per second, the key cache's hit ratio, the
// window's totals and the keys each store holds. Live: history from telemetry:series, then every
// telemetry:tick event (event-cache.ts) appends to it.

import { useMemo } from 'react'
import { ALL_ACCOUNTS, STORE_REQUESTS, type AccountSummary, type StoreRequest, type TelemetrySnapshot } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useAccounts, useSeries, useSnapshot } from '../api/hooks'
import { KeyCounts } from '../components/KeyCounts'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { TimeChart, formatValue, type LineSpec } from '../components/TimeChart'
import { ViewHeading } from '../components/ViewHeading'
import { cacheColumns, latencyColumns, throughputColumns, type ChartData, type Scope } from '../lib/chart-data'
import type { SeriesStore } from '../lib/series-store'
import { useNow } from '../lib/time'

const REQUEST_TITLES: Record<StoreRequest, string> = {
  load_creds: 'Load credentials (load_creds)',
  save_creds: 'Save credentials (save_creds)',
  keys_get: 'Read keys (keys_get)',
  keys_set: 'Write keys (keys_set)',
}

const LATENCY_LINES: readonly LineSpec[] = [
  { label: 'p50', color: '#2563eb' },
  { label: 'p95', color: '#d97706' },
  { label: 'p99', color: '#dc2626', dash: [6, 3] },
]
const THROUGHPUT_LINES: readonly LineSpec[] = [
  { label: 'Operations', color: '#0f766e' },
  { label: 'Errors', color: '#dc2626' },
]
const CACHE_LINES: readonly LineSpec[] = [{ label: 'Hit ratio', color: '#7c3aed' }]

export function TelemetryView({ scope, onScope }: { scope: Scope; onScope: (scope: Scope) => void }) {
  const accounts = useAccounts()
  const list = accounts.data ?? []
  const known = scope === ALL_ACCOUNTS || list.some((a) => a.id === scope)
  // The account shown may have been removed meanwhile: fall back to all accounts.
  const effective: Scope = accounts.isSuccess && !known ? ALL_ACCOUNTS : scope

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Telemetry</ViewHeading>
        <label className="field field-inline">
          <span>Show</span>
          <select value={effective} onChange={(event) => onScope(event.target.value as Scope)} disabled={!accounts.isSuccess}>
            <option value={ALL_ACCOUNTS}>All accounts</option>
            {list.map((account) => (
              <option key={account.id} value={account.id}>
                {account.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="view-intro muted">
        How long the auth store takes to answer Baileys, per request type, over the last 15 minutes. Updates every second.
      </p>
      <TelemetryPanel scope={effective} accounts={list} />
    </section>
  )
}

function TelemetryPanel({ scope, accounts }: { scope: Scope; accounts: readonly AccountSummary[] }) {
  const series = useSeries(scope)
  const snapshot = useSnapshot(scope === ALL_ACCOUNTS ? null : scope)
  const nowSeconds = Math.floor(useNow() / 1000)

  return (
    <div className="telemetry">
      <SnapshotTiles snapshot={snapshot.data} error={snapshot.error} pending={snapshot.isPending} />
      <section aria-labelledby="latency-heading" className="panel">
        <h3 id="latency-heading">Latency by request type</h3>
        {series.isPending && <Loading what="telemetry" />}
        {series.isError && <ErrorState what="the telemetry series" error={series.error} onRetry={() => void series.refetch()} />}
        {series.isSuccess && <Charts store={series.data} now={nowSeconds} />}
      </section>
      <section aria-labelledby="window-heading" className="panel">
        <h3 id="window-heading">Totals for the window</h3>
        {snapshot.isPending && <Loading what="totals" />}
        {snapshot.isError && <ErrorState what="the totals" error={snapshot.error} onRetry={() => void snapshot.refetch()} />}
        {snapshot.isSuccess && <SnapshotTable snapshot={snapshot.data} />}
      </section>
      <section aria-labelledby="store-keys-heading" className="panel">
        <h3 id="store-keys-heading">Keys in the store</h3>
        {scope !== ALL_ACCOUNTS ? (
          <KeyCounts id={scope} caption={`Signal keys stored for ${labelOf(accounts, scope)}`} />
        ) : accounts.length === 0 ? (
          <EmptyState title="No accounts">
            <p>Key counts appear here once an account exists.</p>
          </EmptyState>
        ) : (
          <div className="key-grid">
            {accounts.map((account) => (
              <KeyCounts key={account.id} id={account.id} caption={account.label} />
            ))}
          </div>
        )}
      </section>
    </div>
  )
}

function Charts({ store, now }: { store: SeriesStore; now: number }) {
  const latency = useMemo(() => STORE_REQUESTS.map((req) => [req, latencyColumns(store, req, now)] as const), [store, now])
  const throughput = useMemo(() => throughputColumns(store, now), [store, now])
  const cache = useMemo(() => cacheColumns(store, now), [store, now])

  return (
    <>
      <div className="chart-grid">
        {latency.map(([req, data]) => (
          <TimeChart
            key={req}
            title={REQUEST_TITLES[req]}
            unit="ms"
            lines={LATENCY_LINES}
            data={data}
            now={now}
            summary={latestSummary(data, ['p50', 'p95', 'p99'], ' ms')}
          />
        ))}
      </div>
      <div className="chart-grid">
        <TimeChart
          title="Operations per second"
          unit="/s"
          lines={THROUGHPUT_LINES}
          data={throughput}
          now={now}
          summary={latestSummary(throughput, ['ops', 'errors'], '/s')}
        />
        <TimeChart title="Cache hit ratio" unit="%" yMax={100} lines={CACHE_LINES} data={cache} now={now} summary={latestSummary(cache, ['hit ratio'], '%')} />
      </div>
    </>
  )
}

/** "latest p50 0.4 ms, p95 1.2 ms": the newest second's values in words. */
function latestSummary({ columns, points }: ChartData, names: readonly string[], unit: string): string {
  if (points === 0) return ''
  // The newest second with a value in the first line.
  const first = columns[1] ?? []
  let last = first.length - 1
  while (last >= 0 && (first[last] === null || first[last] === 0)) last -= 1
  if (last < 0) return ''
  const parts = names.map((name, i) => {
    const value = columns[i + 1]?.[last]
    return `${name} ${value === null || value === undefined ? '–' : formatValue(value)}${unit}`
  })
  return `latest ${parts.join(', ')}`
}

function SnapshotTiles({ snapshot, error, pending }: { snapshot: TelemetrySnapshot | undefined; error: unknown; pending: boolean }) {
  const errors = snapshot ? Object.values(snapshot.requests).reduce((sum, s) => sum + (s?.errors ?? 0), 0) : null
  const requests = snapshot ? Object.values(snapshot.requests).reduce((sum, s) => sum + (s?.count ?? 0), 0) : null
  const ratio = snapshot?.cache.hitRatio
  const show = (value: string | null): string => (pending ? '…' : error ? 'n/a' : (value ?? '–'))
  return (
    <dl className="tiles">
      <div className="tile">
        <dt>Operations per second</dt>
        <dd>{show(snapshot ? formatValue(snapshot.opsPerSecond) : null)}</dd>
      </div>
      <div className="tile">
        <dt>Requests in window</dt>
        <dd>{show(requests !== null ? requests.toLocaleString() : null)}</dd>
      </div>
      <div className={`tile ${errors ? 'tile-bad' : ''}`}>
        <dt>Errors in window</dt>
        <dd>{show(errors !== null ? errors.toLocaleString() : null)}</dd>
      </div>
      <div className="tile">
        <dt>Cache hit ratio</dt>
        <dd>{show(ratio === null || ratio === undefined ? (snapshot ? 'no lookups' : null) : `${formatValue(ratio * 100)}%`)}</dd>
      </div>
    </dl>
  )
}

function SnapshotTable({ snapshot }: { snapshot: TelemetrySnapshot }) {
  const minutes = Math.round(snapshot.windowSeconds / 60)
  return (
    <table className="data-table">
      <caption>
        Per request type, last {minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${snapshot.windowSeconds} s`}. Cache:{' '}
        {snapshot.cache.hits.toLocaleString()} hits, {snapshot.cache.misses.toLocaleString()} misses.
      </caption>
      <thead>
        <tr>
          <th scope="col">Request</th>
          <th scope="col" className="num">Count</th>
          <th scope="col" className="num">Errors</th>
          <th scope="col" className="num">p50 ms</th>
          <th scope="col" className="num">p95 ms</th>
          <th scope="col" className="num">p99 ms</th>
          <th scope="col" className="num">max ms</th>
        </tr>
      </thead>
      <tbody>
        {STORE_REQUESTS.map((req) => {
          const stats = snapshot.requests[req]
          return (
            <tr key={req}>
              <th scope="row">{req}</th>
              <td className="num">{stats ? stats.count.toLocaleString() : '0'}</td>
              <td className="num">{stats ? stats.errors.toLocaleString() : '0'}</td>
              <td className="num">{stats && stats.count > 0 ? formatValue(stats.p50) : '–'}</td>
              <td className="num">{stats && stats.count > 0 ? formatValue(stats.p95) : '–'}</td>
              <td className="num">{stats && stats.count > 0 ? formatValue(stats.p99) : '–'}</td>
              <td className="num">{stats && stats.count > 0 ? formatValue(stats.max) : '–'}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function labelOf(accounts: readonly AccountSummary[], id: AccountId): string {
  return accounts.find((a) => a.id === id)?.label ?? id
}

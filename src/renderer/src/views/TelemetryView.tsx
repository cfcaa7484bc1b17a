// How fast the auth store answers, for hundreds of accounts: the all-accounts aggregate, a ranking that
// leads to the slow account, and one account's charts (p50/p95/p99 per request type on a log axis,
// operations and errors per second, the key cache's hit ratio) over the last 1, 5 or 15 minutes. Every
// request this view makes covers all accounts at once (telemetry:ranking, telemetry:key-counts) or the
// one account shown; the charts live on telemetry:tick events, which carry the '*' aggregate and, through
// telemetry:watch, the account shown. Self-contained: the route gives it `scope` and takes `onScope`.

import { useMemo, useState } from 'react'
import {
  ALL_ACCOUNTS,
  STORE_REQUESTS,
  TELEMETRY_RANGES,
  type AccountSummary,
  type StoreRequest,
  type TelemetryRange,
  type TelemetrySnapshot,
} from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useAccounts, useIsFleet, useSeries, useSettings } from '../api/hooks'
import { useKeyCountOverview, useRanking, useTelemetrySnapshot, useTelemetryWatch } from '../api/telemetry-hooks'
import { ErrorState, Loading } from '../components/States'
import { TimeChart, formatValue, type LineSpec } from '../components/TimeChart'
import { ViewHeading } from '../components/ViewHeading'
import { AccountPicker } from '../components/telemetry/AccountPicker'
import { AccountKeys, KeyTotals, KeysPerAccount } from '../components/telemetry/KeyCountTables'
import { RankingTable } from '../components/telemetry/RankingTable'
import { TableScroll } from '../components/telemetry/TableScroll'
import '../components/telemetry/telemetry.css'
import { cacheColumns, latencyColumns, rangeLabel, throughputColumns, type ChartData, type Scope } from '../lib/chart-data'
import type { SeriesStore } from '../lib/series-store'
import { formatPhone } from '../lib/status'
import { formatTime, useNow } from '../lib/time'

const REQUEST_TITLES: Record<StoreRequest, string> = {
  load_creds: 'Load credentials (load_creds)',
  save_creds: 'Save credentials (save_creds)',
  keys_get: 'Read keys (keys_get)',
  keys_set: 'Write keys (keys_set)',
}

/** The ranking's minimum until the settings are read (the server's default). */
const DEFAULT_MIN_SAMPLES = 100

/** Three percentiles told apart by hue and lightness, and by dash for the slowest. */
const LATENCY_LINES: readonly LineSpec[] = [
  { label: 'p50', color: '--chart-1', reduce: 'max' },
  { label: 'p95', color: '--chart-2', reduce: 'max' },
  { label: 'p99', color: '--chart-3', dash: [6, 3], reduce: 'max' },
]
const THROUGHPUT_LINES: readonly LineSpec[] = [
  { label: 'Operations', color: '--chart-4', reduce: 'mean' },
  { label: 'Errors', color: '--chart-5', dash: [4, 3], reduce: 'mean' },
]
const CACHE_LINES: readonly LineSpec[] = [{ label: 'Hit ratio', color: '--chart-3', reduce: 'mean' }]

export function TelemetryView({ scope, onScope }: { scope: Scope; onScope: (scope: Scope) => void }) {
  const accounts = useAccounts()
  const fleet = useIsFleet()
  const [range, setRange] = useState<TelemetryRange>(900)
  const byId = useMemo(() => new Map((accounts.data ?? []).map((a) => [a.id, a])), [accounts.data])
  // The account shown may have been removed meanwhile: fall back to all accounts.
  const effective: Scope = accounts.isSuccess && scope !== ALL_ACCOUNTS && !byId.has(scope) ? ALL_ACCOUNTS : scope
  const account = effective === ALL_ACCOUNTS ? null : effective
  useTelemetryWatch(account ? [account] : [])
  const pick = (next: Scope): void => {
    onScope(next)
    window.scrollTo({ top: 0 })
  }

  return (
    <section className="view telemetry-view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Telemetry</ViewHeading>
        <RangeChoice range={range} onRange={setRange} />
      </div>
      <div className="telemetry-scope">
        <AccountPicker accounts={accounts.data ?? []} onPick={pick} />
        <ScopeLine account={account ? byId.get(account) : undefined} id={account} onAll={() => pick(ALL_ACCOUNTS)} />
      </div>
      <p className="view-intro muted">
        How long the auth store takes to answer Baileys, per request type, over the {rangeLabel(range)}. Charts update every second;
        totals, the ranking and key counts every few seconds.
      </p>
      {fleet && (
        <p className="view-intro muted" data-field="fleet-scope">
          In a fleet, these figures are the store calls of the server this page is connected to, for the accounts it runs. Every
          server&apos;s figures, summed over the fleet, are on each server&apos;s <code>/metrics</code>.
        </p>
      )}
      <TelemetryPanel scope={effective} range={range} accounts={byId} onPick={pick} />
    </section>
  )
}

function RangeChoice({ range, onRange }: { range: TelemetryRange; onRange: (range: TelemetryRange) => void }) {
  return (
    <fieldset className="segmented">
      <legend>Time range</legend>
      {TELEMETRY_RANGES.map((seconds) => (
        <label key={seconds} className={seconds === range ? 'segment segment-on' : 'segment'}>
          <input type="radio" name="telemetry-range" value={seconds} checked={seconds === range} onChange={() => onRange(seconds)} />
          {seconds / 60} min
        </label>
      ))}
    </fieldset>
  )
}

function ScopeLine({ account, id, onAll }: { account: AccountSummary | undefined; id: AccountId | null; onAll: () => void }) {
  return (
    <p className="scope-line" aria-live="polite">
      {id === null ? (
        <>
          Showing <strong>all accounts</strong> together.
        </>
      ) : (
        <>
          Showing <strong>{account?.label ?? id}</strong>{' '}
          <span className="muted">
            ({formatPhone(account?.phone ?? null) ?? 'not paired'}, <code>{id}</code>)
          </span>{' '}
          <button type="button" className="link-button" onClick={onAll}>
            Show all accounts
          </button>
        </>
      )}
    </p>
  )
}

function TelemetryPanel({
  scope,
  range,
  accounts,
  onPick,
}: {
  scope: Scope
  range: TelemetryRange
  accounts: ReadonlyMap<AccountId, AccountSummary>
  onPick: (id: AccountId) => void
}) {
  const account = scope === ALL_ACCOUNTS ? null : scope
  const series = useSeries(scope)
  const snapshot = useTelemetrySnapshot(account, range)
  const nowSeconds = Math.floor(useNow() / 1000)
  const label = account ? (accounts.get(account)?.label ?? account) : 'all accounts'

  const ranking = <RankingPanel range={range} accounts={accounts} selected={account} onPick={onPick} />
  return (
    <div className="telemetry">
      <SnapshotTiles snapshot={snapshot.data} error={snapshot.error} pending={snapshot.isPending} range={range} />
      {account === null && ranking}
      <section aria-labelledby="latency-heading" className="panel">
        <h3 id="latency-heading">Latency by request type: {label}</h3>
        {series.isPending && <Loading what="telemetry" />}
        {series.isError && <ErrorState what="the telemetry series" error={series.error} onRetry={() => void series.refetch()} />}
        {series.isSuccess && <Charts store={series.data} now={nowSeconds} range={range} />}
      </section>
      <section aria-labelledby="window-heading" className="panel">
        <h3 id="window-heading">Totals: {label}</h3>
        {snapshot.isPending && <Loading what="totals" />}
        {snapshot.isError && <ErrorState what="the totals" error={snapshot.error} onRetry={() => void snapshot.refetch()} />}
        {snapshot.data && <SnapshotTable snapshot={snapshot.data} />}
      </section>
      {account !== null && ranking}
      <KeysPanel account={account} accounts={accounts} onPick={onPick} />
    </div>
  )
}

function RankingPanel({
  range,
  accounts,
  selected,
  onPick,
}: {
  range: TelemetryRange
  accounts: ReadonlyMap<AccountId, AccountSummary>
  selected: AccountId | null
  onPick: (id: AccountId) => void
}) {
  const ranking = useRanking(range)
  const settings = useSettings()
  return (
    <section aria-labelledby="ranking-heading" className="panel">
      <h3 id="ranking-heading">Slowest accounts</h3>
      {ranking.isPending && <Loading what="the ranking" />}
      {ranking.isError && <ErrorState what="the ranking" error={ranking.error} onRetry={() => void ranking.refetch()} />}
      {ranking.data && (
        <RankingTable ranking={ranking.data} accounts={accounts} selected={selected} onPick={onPick} minSamples={settings.data?.rankingMinSamples ?? DEFAULT_MIN_SAMPLES} />
      )}
    </section>
  )
}

function KeysPanel({
  account,
  accounts,
  onPick,
}: {
  account: AccountId | null
  accounts: ReadonlyMap<AccountId, AccountSummary>
  onPick: (id: AccountId) => void
}) {
  const overview = useKeyCountOverview()
  return (
    <section aria-labelledby="store-keys-heading" className="panel">
      <h3 id="store-keys-heading">Keys in the store</h3>
      {overview.isPending && <Loading what="key counts" />}
      {overview.isError && <ErrorState what="the key counts" error={overview.error} onRetry={() => void overview.refetch()} />}
      {overview.data &&
        (account !== null ? (
          <AccountKeys row={overview.data.accounts.find((r) => r.account === account)} label={accounts.get(account)?.label ?? account} />
        ) : (
          <div className="keys-layout">
            <KeyTotals overview={overview.data} />
            <KeysPerAccount overview={overview.data} accounts={accounts} onPick={onPick} />
          </div>
        ))}
    </section>
  )
}

function Charts({ store, now, range }: { store: SeriesStore; now: number; range: TelemetryRange }) {
  const latency = useMemo(() => STORE_REQUESTS.map((req) => [req, latencyColumns(store, req, now, range)] as const), [store, now, range])
  const throughput = useMemo(() => throughputColumns(store, now, range), [store, now, range])
  const cache = useMemo(() => cacheColumns(store, now, range), [store, now, range])

  return (
    <>
      <div className="chart-grid">
        {latency.map(([req, data]) => (
          <TimeChart
            key={req}
            title={REQUEST_TITLES[req]}
            unit="ms"
            axisLabel="ms (log scale)"
            lines={LATENCY_LINES}
            data={data}
            now={now}
            windowSeconds={range}
            scale="log"
            summary={latestSummary(data, ['p50', 'p95', 'p99'], ' ms')}
          />
        ))}
      </div>
      <div className="chart-grid">
        <TimeChart
          title="Operations per second"
          unit="/s"
          axisLabel="per second"
          lines={THROUGHPUT_LINES}
          data={throughput}
          now={now}
          windowSeconds={range}
          summary={latestSummary(throughput, ['ops', 'errors'], '/s')}
        />
        <TimeChart
          title="Cache hit ratio"
          unit="%"
          axisLabel="% of lookups"
          yMax={100}
          lines={CACHE_LINES}
          data={cache}
          now={now}
          windowSeconds={range}
          summary={latestSummary(cache, ['hit ratio'], '%')}
        />
      </div>
    </>
  )
}

/** "newest second (12:00:03, 1 s): p50 0.4 ms, p95 1.2 ms": the newest second's values in words. */
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
  const at = formatTime((columns[0][last] ?? 0) * 1000)
  return `newest second (${at}, 1 s): ${parts.join(', ')}`
}

/** A loop that runs its timers this late (p99) keeps every caller waiting: the tile turns red. */
const SLOW_LOOP_MS = 100

function SnapshotTiles({
  snapshot,
  error,
  pending,
  range,
}: {
  snapshot: TelemetrySnapshot | undefined
  error: unknown
  pending: boolean
  range: TelemetryRange
}) {
  const errors = snapshot ? Object.values(snapshot.requests).reduce((sum, s) => sum + (s?.errors ?? 0), 0) : null
  const requests = snapshot ? Object.values(snapshot.requests).reduce((sum, s) => sum + (s?.count ?? 0), 0) : null
  const ratio = snapshot?.cache.hitRatio
  const loop = snapshot?.loopDelay
  const show = (value: string | null): string => (pending ? '…' : error ? 'n/a' : (value ?? '–'))
  // The figures' own window: the snapshot says which range it covers, so a tile never claims another.
  const span = rangeLabel(snapshot?.windowSeconds ?? range)
  return (
    <dl className="tiles">
      <div className="tile">
        <dt>
          Operations per second <span className="tile-window">average, {span}</span>
        </dt>
        <dd>{show(snapshot ? formatValue(Math.round(snapshot.opsPerSecond * 100) / 100) : null)}</dd>
      </div>
      <div className="tile">
        <dt>
          Requests <span className="tile-window">{span}</span>
        </dt>
        <dd>{show(requests !== null ? requests.toLocaleString() : null)}</dd>
      </div>
      <div className={`tile ${errors ? 'tile-bad' : ''}`}>
        <dt>
          Errors <span className="tile-window">{span}</span>
        </dt>
        <dd>{show(errors !== null ? errors.toLocaleString() : null)}</dd>
      </div>
      <div className="tile">
        <dt>
          Cache hit ratio <span className="tile-window">{span}</span>
        </dt>
        <dd>{show(ratio === null || ratio === undefined ? (snapshot ? 'no lookups' : null) : `${formatValue(ratio * 100)}%`)}</dd>
      </div>
      <div className={`tile ${loop && loop.p99 >= SLOW_LOOP_MS ? 'tile-bad' : ''}`}>
        <dt>
          Event-loop delay p99 <span className="tile-window">this server, {span}</span>
        </dt>
        <dd>
          {show(loop ? (loop.count > 0 ? `${formatValue(loop.p99)} ms` : 'no samples') : null)}
          {loop && loop.count > 0 && <span className="tile-note">max {formatValue(loop.max)} ms: the wait every caller adds, apart from the store&apos;s own time</span>}
        </dd>
      </div>
    </dl>
  )
}

function SnapshotTable({ snapshot }: { snapshot: TelemetrySnapshot }) {
  return (
    <TableScroll label="Totals per request type">
      <table className="data-table">
        <caption>
          Per request type, {rangeLabel(snapshot.windowSeconds)}. Cache: {snapshot.cache.hits.toLocaleString()} hits,{' '}
          {snapshot.cache.misses.toLocaleString()} misses.
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
            const has = stats !== undefined && stats.count > 0
            return (
              <tr key={req}>
                <th scope="row">{req}</th>
                <td className="num">{stats ? stats.count.toLocaleString() : '0'}</td>
                <td className="num">{stats ? stats.errors.toLocaleString() : '0'}</td>
                <td className="num">{has ? formatValue(stats.p50) : '–'}</td>
                <td className="num">{has ? formatValue(stats.p95) : '–'}</td>
                <td className="num">{has ? formatValue(stats.p99) : '–'}</td>
                <td className="num">{has ? formatValue(stats.max) : '–'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </TableScroll>
  )
}

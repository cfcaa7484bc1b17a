// Finds the outlier: every account with enough store operations in the chosen range (the minimum is a
// setting, default 100: a p99 over a handful of samples is one slow write, not a slow account), ranked by
// p99 latency (or errors, operations per second, or messages that failed to decrypt), worst first, each
// with its sample count; how many were left out is said under it. The first screen shows the worst ten;
// each row's account name opens that account's charts. On a phone the headers are abbreviated (with the
// full words as their title) and names wrap, so every column stays on screen.

import { useMemo, useState } from 'react'
import type { AccountSummary, RankingRow, TelemetryRanking } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { rangeLabel } from '../../lib/chart-data'
import { plural } from '../../lib/plural'
import { formatValue } from '../TimeChart'
import { SortHeader, sortRows, type SortState } from './SortHeader'
import { TableScroll } from './TableScroll'

export const RANKING_FIRST_ROWS = 10

type RankingKey = 'account' | 'p99' | 'p50' | 'max' | 'errors' | 'opsPerSecond' | 'count' | 'decryptFailures'

const SORT_WORDS: Record<RankingKey, string> = {
  account: 'name',
  p99: 'p99 latency',
  p50: 'p50 latency',
  max: 'slowest operation',
  errors: 'errors',
  opsPerSecond: 'operations per second',
  count: 'samples',
  decryptFailures: 'decryption failures',
}

export function RankingTable({
  ranking,
  accounts,
  selected,
  onPick,
  minSamples,
}: {
  ranking: TelemetryRanking
  accounts: ReadonlyMap<AccountId, AccountSummary>
  selected: AccountId | null
  onPick: (id: AccountId) => void
  /** Rows with fewer samples are left out (settings: rankingMinSamples). */
  minSamples: number
}) {
  const [sort, setSort] = useState<SortState<RankingKey>>({ key: 'p99', direction: 'descending' })
  const [all, setAll] = useState(false)
  const label = (id: AccountId): string => accounts.get(id)?.label ?? id
  const ranked = useMemo(() => ranking.rows.filter((row) => row.count >= minSamples), [ranking.rows, minSamples])
  const sorted = useMemo(
    () => sortRows(ranked, sort, (row: RankingRow, key) => (key === 'account' ? (accounts.get(row.account)?.label ?? row.account) : row[key])),
    [ranked, sort, accounts],
  )
  const rows = all ? sorted : sorted.slice(0, RANKING_FIRST_ROWS)
  const quiet = Math.max(0, accounts.size - ranking.rows.length)
  const few = ranking.rows.length - ranked.length

  return (
    <>
      <TableScroll label="Ranking of accounts">
        <table className="data-table ranking">
          <caption>
            Accounts ranked by {SORT_WORDS[sort.key]}, {sort.direction === 'descending' ? 'highest' : 'lowest'} first, {rangeLabel(ranking.windowSeconds)}
            {!all && sorted.length > RANKING_FIRST_ROWS ? ` (the first ${RANKING_FIRST_ROWS} of ${sorted.length})` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num rank">#</th>
              <SortHeader label="Account" column="account" sort={sort} onSort={setSort} numeric={false} />
              <SortHeader label="p99 ms" short="p99" about="p99 latency in milliseconds" column="p99" sort={sort} onSort={setSort} />
              <SortHeader label="p50 ms" short="p50" about="p50 latency in milliseconds" column="p50" sort={sort} onSort={setSort} />
              <SortHeader label="max ms" short="max" about="The slowest operation, in milliseconds" column="max" sort={sort} onSort={setSort} />
              <SortHeader label="Errors" short="Err" about="Errors" column="errors" sort={sort} onSort={setSort} />
              <SortHeader label="Ops/s" short="op/s" about="Operations per second" column="opsPerSecond" sort={sort} onSort={setSort} />
              <SortHeader label="Samples" short="n" about="Store operations measured in the range" column="count" sort={sort} onSort={setSort} />
              <SortHeader label="Decrypt failures" short="Dec" about="Messages that failed to decrypt" column="decryptFailures" sort={sort} onSort={setSort} />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={row.account} aria-current={row.account === selected ? 'true' : undefined}>
                <td className="num rank">{i + 1}</td>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onPick(row.account)}>
                    {label(row.account)}
                  </button>
                </th>
                <td className="num">{formatValue(row.p99)}</td>
                <td className="num">{formatValue(row.p50)}</td>
                <td className="num">{formatValue(row.max)}</td>
                <td className={`num ${row.errors > 0 ? 'cell-bad' : ''}`}>{row.errors.toLocaleString()}</td>
                <td className="num">{formatValue(Math.round(row.opsPerSecond * 100) / 100)}</td>
                <td className="num">{row.count.toLocaleString()}</td>
                <td className={`num ${row.decryptFailures > 0 ? 'cell-bad' : ''}`}>{row.decryptFailures.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <div className="table-footer">
        <span className="muted small" data-field="ranking-left-out">
          {ranking.rows.length === 0
            ? `No account used its store in the ${rangeLabel(ranking.windowSeconds)}.`
            : [
                few > 0
                  ? `${plural(few, 'account')} with fewer than ${minSamples.toLocaleString()} samples in the ${rangeLabel(ranking.windowSeconds)} ${few === 1 ? 'is' : 'are'} not ranked (the minimum is in Settings).`
                  : '',
                quiet > 0 ? `${plural(quiet, 'more account')} made no store operations.` : '',
              ]
                .filter(Boolean)
                .join(' ')}
        </span>
        {sorted.length > RANKING_FIRST_ROWS && (
          <button type="button" onClick={() => setAll((v) => !v)}>
            {all ? `Show the first ${RANKING_FIRST_ROWS}` : `Show all ${sorted.length}`}
          </button>
        )}
      </div>
    </>
  )
}

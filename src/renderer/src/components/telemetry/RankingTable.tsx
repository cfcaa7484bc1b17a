// Finds the outlier: every account with store operations in the chosen range, ranked by p99 latency
// (or errors, operations per second, or messages that failed to decrypt), worst first. The first screen shows the worst ten; each row's
// account name opens that account's charts.

import { useMemo, useState } from 'react'
import type { AccountSummary, RankingRow, TelemetryRanking } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { rangeLabel } from '../../lib/chart-data'
import { formatValue } from '../TimeChart'
import { SortHeader, sortRows, type SortState } from './SortHeader'
import { TableScroll } from './TableScroll'

export const RANKING_FIRST_ROWS = 10

type RankingKey = 'account' | 'p99' | 'p50' | 'max' | 'errors' | 'opsPerSecond' | 'decryptFailures'

const SORT_WORDS: Record<RankingKey, string> = {
  account: 'name',
  p99: 'p99 latency',
  p50: 'p50 latency',
  max: 'slowest operation',
  errors: 'errors',
  opsPerSecond: 'operations per second',
  decryptFailures: 'decryption failures',
}

export function RankingTable({
  ranking,
  accounts,
  selected,
  onPick,
}: {
  ranking: TelemetryRanking
  accounts: ReadonlyMap<AccountId, AccountSummary>
  selected: AccountId | null
  onPick: (id: AccountId) => void
}) {
  const [sort, setSort] = useState<SortState<RankingKey>>({ key: 'p99', direction: 'descending' })
  const [all, setAll] = useState(false)
  const label = (id: AccountId): string => accounts.get(id)?.label ?? id
  const sorted = useMemo(
    () => sortRows(ranking.rows, sort, (row: RankingRow, key) => (key === 'account' ? (accounts.get(row.account)?.label ?? row.account) : row[key])),
    [ranking.rows, sort, accounts],
  )
  const rows = all ? sorted : sorted.slice(0, RANKING_FIRST_ROWS)
  const quiet = Math.max(0, accounts.size - ranking.rows.length)

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
              <th scope="col" className="num">#</th>
              <SortHeader label="Account" column="account" sort={sort} onSort={setSort} numeric={false} />
              <SortHeader label="p99 ms" column="p99" sort={sort} onSort={setSort} />
              <SortHeader label="p50 ms" column="p50" sort={sort} onSort={setSort} />
              <SortHeader label="max ms" column="max" sort={sort} onSort={setSort} />
              <SortHeader label="Errors" column="errors" sort={sort} onSort={setSort} />
              <SortHeader label="Ops/s" column="opsPerSecond" sort={sort} onSort={setSort} />
              <SortHeader label="Decrypt failures" column="decryptFailures" sort={sort} onSort={setSort} />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={row.account} aria-current={row.account === selected ? 'true' : undefined}>
                <td className="num">{i + 1}</td>
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
                <td className={`num ${row.decryptFailures > 0 ? 'cell-bad' : ''}`}>{row.decryptFailures.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <div className="table-footer">
        <span className="muted small">
          {ranking.rows.length === 0
            ? `No account used its store in the ${rangeLabel(ranking.windowSeconds)}.`
            : quiet > 0
              ? `${quiet} more ${quiet === 1 ? 'account' : 'accounts'} made no store operations in the ${rangeLabel(ranking.windowSeconds)}.`
              : ''}
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

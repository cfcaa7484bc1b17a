// Key counts at scale, from one telemetry:key-counts answer: the totals across all accounts, and one
// sortable row per account (never one table per account); or one account's own counts by key type.

import { useMemo, useState } from 'react'
import type { AccountKeyCounts, AccountSummary, KeyCountOverview } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { SortHeader, sortRows, type SortState } from './SortHeader'
import { TableScroll } from './TableScroll'
import { KeyTypeTable } from '../KeyCounts'

const FIRST_ROWS = 10
/** Key types that get a column of their own; the rest add up under "Other". */
const TYPE_COLUMNS = 3

export function KeyTotals({ overview }: { overview: KeyCountOverview }) {
  const entries = Object.entries(overview.totals).sort(([, a], [, b]) => b - a)
  return <KeyTypeTable caption={`Signal keys across all ${overview.accounts.length} accounts, now`} entries={entries} whose="an account" />
}

export function AccountKeys({ row, label }: { row: AccountKeyCounts | undefined; label: string }) {
  const entries = row && row.total > 0 ? Object.entries(row.counts).sort(([a], [b]) => a.localeCompare(b)) : []
  return <KeyTypeTable caption={`Signal keys stored for ${label}`} entries={entries} whose="the account" />
}

type Column = 'account' | 'total' | 'other' | `type:${string}`

export function KeysPerAccount({
  overview,
  accounts,
  onPick,
}: {
  overview: KeyCountOverview
  accounts: ReadonlyMap<AccountId, AccountSummary>
  onPick: (id: AccountId) => void
}) {
  const [sort, setSort] = useState<SortState<Column>>({ key: 'total', direction: 'descending' })
  const [all, setAll] = useState(false)
  const types = useMemo(
    () =>
      Object.entries(overview.totals)
        .sort(([, a], [, b]) => b - a)
        .slice(0, TYPE_COLUMNS)
        .map(([type]) => type),
    [overview.totals],
  )
  const sorted = useMemo(() => {
    const other = (row: AccountKeyCounts): number => row.total - types.reduce((sum, type) => sum + (row.counts[type] ?? 0), 0)
    return sortRows(overview.accounts, sort, (row, key) => {
      if (key === 'account') return accounts.get(row.account)?.label ?? row.account
      if (key === 'total') return row.total
      if (key === 'other') return other(row)
      return row.counts[key.slice('type:'.length)] ?? 0
    })
  }, [overview.accounts, sort, accounts, types])
  const rows = all ? sorted : sorted.slice(0, FIRST_ROWS)
  const other = (row: AccountKeyCounts): number => row.total - types.reduce((sum, type) => sum + (row.counts[type] ?? 0), 0)

  return (
    <>
      <TableScroll label="Signal keys per account">
        <table className="data-table">
          <caption>
            Signal keys per account, now{!all && sorted.length > FIRST_ROWS ? ` (the first ${FIRST_ROWS} of ${sorted.length})` : ''}
          </caption>
          <thead>
            <tr>
              <SortHeader label="Account" column="account" sort={sort} onSort={setSort} numeric={false} />
              <SortHeader label="Total" column="total" sort={sort} onSort={setSort} />
              {types.map((type) => (
                <SortHeader key={type} label={type} column={`type:${type}`} sort={sort} onSort={setSort} />
              ))}
              <SortHeader label="Other" column="other" sort={sort} onSort={setSort} />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.account}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onPick(row.account)}>
                    {accounts.get(row.account)?.label ?? row.account}
                  </button>
                </th>
                <td className="num">{row.total.toLocaleString()}</td>
                {types.map((type) => (
                  <td key={type} className="num">
                    {(row.counts[type] ?? 0).toLocaleString()}
                  </td>
                ))}
                <td className="num">{other(row).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {sorted.length > FIRST_ROWS && (
        <div className="table-footer">
          <span />
          <button type="button" onClick={() => setAll((v) => !v)}>
            {all ? `Show the first ${FIRST_ROWS}` : `Show all ${sorted.length}`}
          </button>
        </div>
      )}
    </>
  )
}

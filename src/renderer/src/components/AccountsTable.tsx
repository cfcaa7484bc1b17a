// The accounts as a table, for an operator with hundreds of them: search (label, phone, name, id), a
// status filter, a sort on every column, a selection for bulk actions, inline rename and the id to
// copy. Only the rows in view (and a few around them) are in the page, with spacers for the rest, so
// 500 or 5 000 accounts cost the same to draw; rows are memoised and the clock they show moves every
// 15 s. The row's label is a real link (#/accounts/<id>): it opens in a new tab too. Each row also shows
// the account's sends: queued, sent in the last 24 hours, and the limit holding its queue.

import { memo, useEffect, useId, useMemo, useRef, useState, type RefObject } from 'react'
import { ACCOUNT_STATUSES, limitWords, type AccountSummary, type SendStats } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { countByStatus, filterAccounts, nextSort, sortAccounts, type SortColumn, type SortOrder, type StatusFilter } from '../lib/account-table'
import { routeToHash } from '../lib/router'
import { formatPhone, STATUS_VIEW } from '../lib/status'
import { formatDateTime } from '../lib/time'
import { RelativeTime } from './RelativeTime'
import { useIsFleet, useSendStats } from '../api/hooks'
import { BulkBar } from './BulkBar'
import { CopyIdButton, RenameCell } from './RowParts'
import { StatusBadge } from './StatusBadge'

const COLUMNS: ReadonlyArray<{ column: SortColumn; title: string; className?: string }> = [
  { column: 'label', title: 'Label' },
  { column: 'status', title: 'Status' },
  { column: 'phone', title: 'Phone' },
  { column: 'name', title: 'Name', className: 'col-optional' },
  { column: 'id', title: 'Id', className: 'col-optional' },
  { column: 'since', title: 'Since', className: 'col-optional' },
  { column: 'reconnects', title: 'Reconnects', className: 'col-optional col-number' },
]
/** Only in a fleet (fleet:servers lists servers): which server runs the account. */
const SERVER_COLUMN = { column: 'server', title: 'Server', className: 'col-optional' } as const
/** Every row's height in pixels (styles.css holds it to this), so the rows in view follow from the scroll offset. */
export const ROW_HEIGHT = 40
const OVERSCAN = 8

/** The slice of rows to draw for a scroll position: those in view and a few either side. */
export function visibleRange(scrollTop: number, viewHeight: number, total: number): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const end = Math.min(total, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + OVERSCAN)
  return { start, end: Math.max(start, end) }
}

function useScrollWindow(): { ref: RefObject<HTMLDivElement | null>; scrollTop: number; height: number } {
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(800)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    const onScroll = (): void => setScrollTop(element.scrollTop)
    const observer = new ResizeObserver(() => setHeight(element.clientHeight))
    observer.observe(element)
    element.addEventListener('scroll', onScroll, { passive: true })
    return () => {
      observer.disconnect()
      element.removeEventListener('scroll', onScroll)
    }
  }, [])
  return { ref, scrollTop, height }
}

export function AccountsTable({ accounts }: { accounts: readonly AccountSummary[] }) {
  const searchId = useId()
  const [query, setQuery] = useState('')
  const [status, setStatus] = useState<StatusFilter>('all')
  const [sort, setSort] = useState<SortOrder>({ column: 'label', direction: 'ascending' })
  const [selected, setSelected] = useState<ReadonlySet<AccountId>>(new Set())

  const counts = useMemo(() => countByStatus(accounts), [accounts])
  const shown = useMemo(() => sortAccounts(filterAccounts(accounts, query, status), sort), [accounts, query, status, sort])
  // The selection keeps only accounts that still exist (one may be removed meanwhile).
  const chosen = useMemo(() => accounts.filter((a) => selected.has(a.id)), [accounts, selected])
  const allShownSelected = shown.length > 0 && shown.every((a) => selected.has(a.id))
  const scroll = useScrollWindow()
  const { start, end } = visibleRange(scroll.scrollTop, scroll.height, shown.length)
  const fleet = useIsFleet()
  const columns = fleet ? [...COLUMNS, SERVER_COLUMN] : COLUMNS
  const sendStats = useSendStats()

  const toggle = useMemo(
    () => (id: AccountId, on: boolean) =>
      setSelected((current) => {
        const next = new Set(current)
        if (on) next.add(id)
        else next.delete(id)
        return next
      }),
    [],
  )

  function selectShown(on: boolean): void {
    setSelected((current) => {
      const next = new Set(current)
      for (const a of shown) {
        if (on) next.add(a.id)
        else next.delete(a.id)
      }
      return next
    })
  }

  return (
    <div className="accounts-table-wrap">
      <div className="table-controls" role="search" aria-label="Find accounts">
        <label htmlFor={searchId} className="field-inline">
          <span>Search</span>
          <input
            id={searchId}
            type="search"
            value={query}
            placeholder="Label, phone, name or id"
            onChange={(event) => setQuery(event.target.value)}
          />
        </label>
        <label className="field-inline">
          <span>Status</span>
          <select value={status} onChange={(event) => setStatus(event.target.value as StatusFilter)}>
            <option value="all">All ({accounts.length})</option>
            {ACCOUNT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_VIEW[s].label} ({counts.get(s) ?? 0})
              </option>
            ))}
          </select>
        </label>
        <p className="muted small" role="status" aria-live="polite">
          {shown.length === accounts.length ? `${accounts.length} shown` : `${shown.length} of ${accounts.length} shown`}
        </p>
      </div>

      <BulkBar selected={chosen} onClear={() => setSelected(new Set())} />

      <div className="table-scroll table-window" ref={scroll.ref}>
        <table className="accounts-table" aria-label="Accounts" aria-rowcount={shown.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className="col-select">
                <input
                  type="checkbox"
                  aria-label="Select all shown accounts"
                  checked={allShownSelected}
                  onChange={(event) => selectShown(event.target.checked)}
                  disabled={shown.length === 0}
                />
              </th>
              {columns.map(({ column, title, className }) => (
                <th key={column} scope="col" className={className} aria-sort={sort.column === column ? sort.direction : 'none'}>
                  <button type="button" className="sort-button" onClick={() => setSort((current) => nextSort(current, column))}>
                    {title}
                    <span aria-hidden="true" className="sort-mark">
                      {sort.column === column ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
              {/* The sends' figures come from accounts:send-stats, not the list: not sortable. */}
              <th scope="col" className="col-optional col-number">
                Queued
              </th>
              <th scope="col" className="col-optional col-number">
                Sent today
              </th>
              <th scope="col" className="col-optional">
                Limit reached
              </th>
            </tr>
          </thead>
          <tbody>
            {start > 0 && <tr aria-hidden="true" className="spacer" style={{ height: start * ROW_HEIGHT }} />}
            {shown.slice(start, end).map((account, offset) => (
              <AccountRow
                key={account.id}
                account={account}
                index={start + offset + 2}
                selected={selected.has(account.id)}
                onSelect={toggle}
                showServer={fleet}
                sends={sendStats.get(account.id)}
              />
            ))}
            {end < shown.length && <tr aria-hidden="true" className="spacer" style={{ height: (shown.length - end) * ROW_HEIGHT }} />}
          </tbody>
        </table>
        {shown.length === 0 && <p className="state">No account matches. Clear the search or choose another status.</p>}
      </div>
    </div>
  )
}

const AccountRow = memo(function AccountRow({
  account,
  index,
  selected,
  onSelect,
  showServer,
  sends,
}: {
  account: AccountSummary
  /** aria-rowindex: the row's place among all shown rows (1 is the header), since most are not in the page. */
  index: number
  selected: boolean
  onSelect: (id: AccountId, on: boolean) => void
  showServer: boolean
  /** Its queue, sends in the last 24 hours and the limit holding its queue, once read. */
  sends: SendStats | undefined
}) {
  return (
    <tr aria-selected={selected} aria-rowindex={index} data-account={account.id}>
      <td className="col-select">
        <input type="checkbox" aria-label={`Select ${account.label}`} checked={selected} onChange={(event) => onSelect(account.id, event.target.checked)} />
      </td>
      <th scope="row" className="col-label">
        <RenameCell account={account} href={routeToHash({ view: 'account', id: account.id })} />
      </th>
      <td>
        <StatusBadge status={account.status} hint={account.lastError ?? undefined} />
      </td>
      <td data-field="phone">{formatPhone(account.phone) ?? <span className="muted">Not paired</span>}</td>
      <td className="col-optional" data-field="name">
        {account.name ?? <span className="muted">—</span>}
      </td>
      <td className="col-optional col-id">
        <code>{account.id}</code> <CopyIdButton account={account} />
      </td>
      <td className="col-optional">
        <RelativeTime at={account.statusSince} />
      </td>
      <td className="col-optional col-number">{account.reconnectCount}</td>
      {showServer && (
        <td className="col-optional" data-field="server">
          {account.server ? <code>{account.server}</code> : <span className="muted">None</span>}
        </td>
      )}
      <td className="col-optional col-number" data-field="queued">
        {sends?.queued ?? '—'}
      </td>
      <td className="col-optional col-number" data-field="sent-today">
        {sends?.sentToday ?? '—'}
      </td>
      <td className="col-optional" data-field="limit-reached">
        {sends?.limitReached ? (
          <span title={`Until ${formatDateTime(sends.limitReached.until)}`}>{limitWords(sends.limitReached.limit)}</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  )
})

// The accounts as a table, for an operator with hundreds of them: a search, status chips and views
// (presets and saved, in the address), the columns the operator chose, a selection that never acts on
// what the view hides without asking (Shift-click ranges, "select all matching"), a menu of actions per
// row, and a CSV export of what is shown. Only the rows in view (and a few around them) are in the page,
// with spacers for the rest, so 500 or 5 000 accounts cost the same to draw; rows are memoised, the
// list takes row updates at most once a second (api/event-batcher.ts) and only a row's times tick. The keyboard: "/" to the search, arrow keys between rows. Under 600 px, compact rows.

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react'
import type { AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { errorMessage } from '../../api/api-error'
import { useAccountStats, useBulkAccountAction, useIsFleet, useSendStats } from '../../api/hooks'
import { useRanking } from '../../api/telemetry-hooks'
import { filterAccounts, nextSort, sortAccounts, type RowExtras, type SortColumn } from '../../lib/account-table'
import { saveBlob } from '../../lib/bundle-file'
import { toCsv } from '../../lib/csv'
import { navigate, parseRoute, replaceQuery } from '../../lib/router'
import { clickRow, EMPTY_SELECTION, setRows, splitSelection, type Selection } from '../../lib/selection'
import { countByGroup } from '../../lib/status-groups'
import { COLUMNS, loadColumns, saveColumns, visibleColumns, type ColumnChoice, type ColumnId } from '../../lib/table-columns'
import { viewFromQuery, viewToQuery, type TableView } from '../../lib/table-view'
import { COMPACT_QUERY, useMediaQuery } from '../../lib/use-media-query'
import { useSlashFocus } from '../../lib/use-slash-focus'
import { AccountRow } from './AccountRow'
import { BulkBar } from './BulkBar'
import { RepairQueue } from './RepairQueue'
import { RowDialogs, type RowDialog } from './RowDialogs'
import type { RowAction } from './RowMenu'
import { TableControls } from './TableControls'
import './accounts-table.css'

/** Every row's height in pixels (accounts-table.css holds it to this), so the rows in view follow from the scroll offset. */
export const ROW_HEIGHT = 40
/** A compact row (a phone): the label with the phone under it. */
export const COMPACT_ROW_HEIGHT = 56
const OVERSCAN = 8
/** The range the Store p99 column reads from the ranking: the telemetry view's longest. */
const STORE_RANGE = 900
const STORE_REFRESH_MS = 60_000

/** The slice of rows to draw for a scroll position: those in view and a few either side. */
export function visibleRange(scrollTop: number, viewHeight: number, total: number, rowHeight = ROW_HEIGHT): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN)
  const end = Math.min(total, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN)
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

/**
 * The table's view, from the address and back: a change is written into it without a history entry
 * (and without a hashchange); a link, Back or Forward to another view of the table is read. Only a
 * hashchange is a navigation: reading the address on every render would take back what was typed since
 * the last write.
 */
function useTableView(): [TableView, (view: TableView) => void] {
  const [view, setView] = useState<TableView>(() => viewFromQuery(queryOf(window.location.hash)))
  const current = useRef(view)
  current.current = view
  useEffect(() => {
    const onNavigate = (): void => {
      const query = queryOf(window.location.hash)
      if (parseRoute(window.location.hash).view === 'accounts' && query !== viewToQuery(current.current)) setView(viewFromQuery(query))
    }
    window.addEventListener('hashchange', onNavigate)
    return () => window.removeEventListener('hashchange', onNavigate)
  }, [])
  useEffect(() => replaceQuery(viewToQuery(view)), [view])
  return [view, setView]
}

function queryOf(hash: string): string {
  const route = parseRoute(hash)
  return route.view === 'accounts' ? (route.query ?? '') : ''
}

export function AccountsTable({ accounts, onShowQr }: { accounts: readonly AccountSummary[]; onShowQr: (id: AccountId) => void }) {
  const [view, setView] = useTableView()
  const [columnChoice, setColumnChoice] = useState<ColumnChoice>(loadColumns)
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION)
  const [rowDialog, setRowDialog] = useState<RowDialog | null>(null)
  const [repairing, setRepairing] = useState<AccountId[] | null>(null)
  const [rowNote, setRowNote] = useState<{ text: string; bad: boolean } | null>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  useSlashFocus(searchRef)
  const fleet = useIsFleet()
  const compact = useMediaQuery(COMPACT_QUERY)
  const runBulkAction = useBulkAccountAction()

  const columns = useMemo(() => visibleColumns(columnChoice, fleet), [columnChoice, fleet])
  const drawn = compact ? [] : columns
  const ids = useMemo(() => accounts.map((a) => a.id), [accounts])
  const needStats = drawn.some((c) => COLUMNS[c].needs === 'stats') || view.filter.attention
  const stats = useAccountStats(ids, needStats)
  const ranking = useRanking(STORE_RANGE, { refreshMs: STORE_REFRESH_MS, enabled: drawn.includes('p99') })
  const sends = useSendStats(drawn.some((c) => COLUMNS[c].needs === 'sends'))
  const extras: RowExtras = useMemo(
    () => ({ stats: stats.data ?? new Map(), ranking: new Map((ranking.data?.rows ?? []).map((r) => [r.account, { p99: r.p99, count: r.count }])), sends }),
    [stats.data, ranking.data, sends],
  )

  const byId = useMemo(() => new Map(accounts.map((a) => [a.id, a])), [accounts])
  const counts = useMemo(() => countByGroup(accounts), [accounts])
  const shown = useMemo(() => sortAccounts(filterAccounts(accounts, view.filter, extras), view.sort, extras), [accounts, view, extras])
  const shownIds = useMemo(() => shown.map((a) => a.id), [shown])
  const shownSet = useMemo(() => new Set(shownIds), [shownIds])
  const existing = useMemo(() => new Set(ids), [ids])
  const split = useMemo(() => splitSelection(selection, existing, shownSet), [selection, existing, shownSet])
  const allShownSelected = shown.length > 0 && split.visible.length === shown.length

  const rowHeight = compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT
  const scroll = useScrollWindow()
  const { start, end } = visibleRange(scroll.scrollTop, scroll.height, shown.length, rowHeight)

  // The rows read these through refs, so their props (and their memo) stay the same between renders.
  const shownRef = useRef(shownIds)
  shownRef.current = shownIds
  const onSelect = useCallback((id: AccountId, on: boolean, range: boolean) => setSelection((s) => clickRow(s, id, on, range, shownRef.current)), [])
  const byIdRef = useRef(byId)
  byIdRef.current = byId

  const runOne = useCallback(
    async (account: AccountSummary, action: 'start' | 'stop' | 'restart') => {
      const words = { start: ['Starting', 'Started'], stop: ['Stopping', 'Stopped'], restart: ['Restarting', 'Restarted'] }[action]
      setRowNote({ text: `${words[0]} ${account.label}…`, bad: false })
      try {
        const [result] = await runBulkAction([account.id], action, { alone: true })
        if (result && !result.ok) setRowNote({ text: `${account.label}: ${result.error?.message ?? 'it failed.'}`, bad: true })
        else setRowNote({ text: `${words[1]} ${account.label}.`, bad: false })
      } catch (error) {
        setRowNote({ text: `${account.label}: ${errorMessage(error)}`, bad: true })
      }
    },
    [runBulkAction],
  )

  const onAction = useCallback(
    (account: AccountSummary, action: RowAction) => {
      switch (action) {
        case 'open':
          navigate({ view: 'account', id: account.id })
          return
        case 'qr':
          onShowQr(account.id)
          return
        case 'repair':
          setRepairing([account.id])
          return
        case 'start':
        case 'restart':
          if (account.status === 'replaced') setRowDialog({ kind: 'replaced', account, verb: action })
          else void runOne(account, action)
          return
        case 'stop':
          void runOne(account, 'stop')
          return
        case 'copy-id':
          navigator.clipboard.writeText(account.id).then(
            () => setRowNote({ text: `Copied the id of ${account.label}.`, bad: false }),
            () => setRowNote({ text: `Copying is not allowed here: the id of ${account.label} is ${account.id}.`, bad: true }),
          )
          return
        default:
          setRowDialog({ kind: action, account })
      }
    },
    [onShowQr, runOne],
  )

  // Arrow keys move between rows (to the row's label link), drawing the row first when it is out of view.
  const [focusIndex, setFocusIndex] = useState<number | null>(null)
  useEffect(() => {
    if (focusIndex === null) return
    const link = scroll.ref.current?.querySelector<HTMLElement>(`tr[data-index="${focusIndex}"] .col-label a`)
    if (link) {
      link.focus()
      setFocusIndex(null)
    }
  })
  function onRowsKeyDown(event: KeyboardEvent<HTMLTableSectionElement>): void {
    const target = event.target as HTMLElement
    if (target.matches('input:not([type="checkbox"]), textarea, select')) return
    const row = target.closest<HTMLElement>('tr[data-index]')
    if (!row) return
    const at = Number(row.dataset.index)
    const next =
      event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? shown.length - 1 : null
    if (next === null || next < 0 || next >= shown.length) return
    event.preventDefault()
    const box = scroll.ref.current
    if (box) {
      // The header row takes one row's height at the top.
      const top = next * rowHeight
      if (top < box.scrollTop) box.scrollTop = top
      else if (top + rowHeight * 2 > box.scrollTop + box.clientHeight) box.scrollTop = top + rowHeight * 2 - box.clientHeight
    }
    setFocusIndex(next)
  }

  function exportCsv(): void {
    const used: ColumnId[] = columns
    const rows = [
      ['Label', ...used.map((c) => COLUMNS[c].title)],
      ...shown.map((a) => [a.label, ...used.map((c) => COLUMNS[c].text(a, extras))]),
    ]
    const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '')
    saveBlob(`accounts-${stamp}.csv`, new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }))
    setRowNote({ text: `Exported ${shown.length} ${shown.length === 1 ? 'row' : 'rows'} as CSV.`, bad: false })
  }

  return (
    <div className="accounts-table-wrap">
      <TableControls
        view={view}
        onView={setView}
        counts={counts}
        total={accounts.length}
        shown={shown.length}
        searchRef={searchRef}
        columns={columnChoice}
        onColumns={(choice) => {
          setColumnChoice(choice)
          saveColumns(choice)
        }}
        fleet={fleet}
        onExportCsv={exportCsv}
      />

      <BulkBar
        byId={byId}
        visible={split.visible}
        hidden={split.hidden}
        matching={shown.length}
        onSelectAllMatching={() => setSelection((s) => setRows(s, shownRef.current, true))}
        onDropHidden={() => setSelection((s) => setRows(s, split.hidden, false))}
        onClear={() => setSelection(EMPTY_SELECTION)}
        onRepair={setRepairing}
      />
      <p className={rowNote?.bad ? 'row-note inline-error' : 'row-note muted small'} role="status" aria-live="polite">
        {rowNote?.text ?? ''}
      </p>

      <div className={`table-scroll table-window${compact ? ' compact' : ''}`} ref={scroll.ref}>
        <table className="accounts-table" aria-label="Accounts" aria-rowcount={shown.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className="col-select">
                <input
                  type="checkbox"
                  aria-label={`Select all ${shown.length} matching accounts`}
                  checked={allShownSelected}
                  ref={(box) => {
                    if (box) box.indeterminate = split.visible.length > 0 && !allShownSelected
                  }}
                  onChange={(event) => setSelection((s) => setRows(s, shownIds, event.target.checked))}
                  disabled={shown.length === 0}
                />
              </th>
              <SortHeader column="label" title="Label" view={view} onView={setView} />
              {compact ? (
                <SortHeader column="status" title="Status" view={view} onView={setView} />
              ) : (
                drawn.map((column) => <SortHeader key={column} column={column} title={COLUMNS[column].title} about={COLUMNS[column].about} numeric={COLUMNS[column].numeric} view={view} onView={setView} />)
              )}
              <th scope="col" className="col-menu">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody onKeyDown={onRowsKeyDown}>
            {start > 0 && <tr aria-hidden="true" className="spacer" style={{ height: start * rowHeight }} />}
            {shown.slice(start, end).map((account, offset) => (
              <AccountRow
                key={account.id}
                account={account}
                index={start + offset}
                columns={drawn}
                compact={compact}
                stats={extras.stats.get(account.id)}
                store={extras.ranking.get(account.id)}
                sends={extras.sends.get(account.id)}
                selected={selection.ids.has(account.id)}
                onSelect={onSelect}
                onAction={onAction}
              />
            ))}
            {end < shown.length && <tr aria-hidden="true" className="spacer" style={{ height: (shown.length - end) * rowHeight }} />}
          </tbody>
        </table>
        {shown.length === 0 && <p className="state">No account matches. Clear the search or choose other statuses.</p>}
      </div>

      {rowDialog && <RowDialogs dialog={rowDialog} onClose={() => setRowDialog(null)} onRun={runOne} onRepair={(id) => setRepairing([id])} />}
      {repairing && <RepairQueue ids={repairing} accounts={byIdRef.current} onDone={() => setRepairing(null)} />}
    </div>
  )
}

function SortHeader({ column, title, about, numeric, view, onView }: { column: SortColumn; title: string; about?: string; numeric?: boolean | undefined; view: TableView; onView: (view: TableView) => void }) {
  const sorted = view.sort.column === column
  return (
    <th scope="col" className={numeric ? 'col-number' : undefined} aria-sort={sorted ? view.sort.direction : 'none'} title={about}>
      <button type="button" className="sort-button" onClick={() => onView({ ...view, sort: nextSort(view.sort, column) })}>
        {title}
        <span aria-hidden="true" className="sort-mark">
          {sorted ? (view.sort.direction === 'ascending' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  )
}

// One row of the accounts table: its box, its label (a real link, renamed in place), the chosen columns
// and its actions menu. Memoised: a row renders again only when its own account, figures or selection
// change (its times tick on their own: RelativeTime). On a phone (compact) a row is the label with the
// phone under it, the status and the menu.

import { memo, type MouseEvent } from 'react'
import { limitWords, type AccountStats, type AccountSummary, type SendStats } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { routeToHash } from '../../lib/router'
import { formatPhone } from '../../lib/status'
import { formatDateTime } from '../../lib/time'
import { COLUMNS, type ColumnId } from '../../lib/table-columns'
import { RelativeTime } from '../RelativeTime'
import { CopyIdButton, RenameCell } from '../RowParts'
import { AccountStatusBadge } from '../StatusBadge'
import { RowMenu, type RowAction } from './RowMenu'

export interface RowProps {
  account: AccountSummary
  /** Its place among the rows shown (0 first), for aria-rowindex and the arrow keys. */
  index: number
  columns: readonly ColumnId[]
  compact: boolean
  stats: AccountStats | undefined
  store: { p99: number; count: number } | undefined
  /** Its queue, sends in the last 24 hours and the limit holding its queue, once read. */
  sends: SendStats | undefined
  selected: boolean
  onSelect: (id: AccountId, on: boolean, range: boolean) => void
  onAction: (account: AccountSummary, action: RowAction) => void
}

export const AccountRow = memo(function AccountRow({ account, index, columns, compact, stats, store, sends, selected, onSelect, onAction }: RowProps) {
  const href = routeToHash({ view: 'account', id: account.id })
  return (
    <tr aria-selected={selected} aria-rowindex={index + 2} data-account={account.id} data-index={index}>
      <td className="col-select">
        <input
          type="checkbox"
          aria-label={`Select ${account.label}`}
          checked={selected}
          // Shift with a click selects the range from the last row clicked; the change event does not say.
          onClick={(event: MouseEvent<HTMLInputElement>) => onSelect(account.id, event.currentTarget.checked, event.shiftKey)}
          onChange={() => undefined}
        />
      </td>
      <th scope="row" className="col-label">
        {compact ? (
          <span className="compact-label">
            <a href={href}>{account.label}</a>
            <span className="compact-phone" data-field="phone">
              {formatPhone(account.phone) ?? 'Not paired'}
            </span>
          </span>
        ) : (
          <RenameCell account={account} href={href} />
        )}
      </th>
      {compact ? (
        <td>
          <Status account={account} />
        </td>
      ) : (
        columns.map((column) => (
          <td key={column} className={COLUMNS[column].numeric ? 'col-number' : undefined} data-field={column}>
            <Cell column={column} account={account} stats={stats} store={store} sends={sends} />
          </td>
        ))
      )}
      <td className="col-menu">
        <RowMenu account={account} onAction={onAction} />
      </td>
    </tr>
  )
})

function Status({ account }: { account: AccountSummary }) {
  return <AccountStatusBadge account={account} />
}

const none = <span className="muted">—</span>

function Cell({
  column,
  account,
  stats,
  store,
  sends,
}: {
  column: ColumnId
  account: AccountSummary
  stats: AccountStats | undefined
  store: RowProps['store']
  sends: SendStats | undefined
}) {
  switch (column) {
    case 'status':
      return <Status account={account} />
    case 'condition': {
      const condition = account.condition
      if (!condition) return none
      return (
        <span className="condition" title={`${condition.detail}\nWhat to do: ${condition.remedy}`}>
          {condition.title}
        </span>
      )
    }
    case 'phone':
      return formatPhone(account.phone) ?? <span className="muted">Not paired</span>
    case 'name':
      return account.name ?? none
    case 'tags':
      return (account.tags ?? []).length === 0 ? (
        none
      ) : (
        <span className="tags">
          {(account.tags ?? []).map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
        </span>
      )
    case 'lastMessage':
      return typeof stats?.lastMessageAt === 'number' ? <RelativeTime at={stats.lastMessageAt} /> : none
    case 'messages24h':
      return stats?.messages24h !== undefined ? stats.messages24h.toLocaleString() : none
    case 'p99':
      return store ? (
        <>
          {store.p99.toLocaleString(undefined, { maximumFractionDigits: 2 })} ms <span className="muted">({store.count.toLocaleString()})</span>
        </>
      ) : (
        none
      )
    case 'webhookFailures': {
      const failures = stats?.webhookFailures
      if (failures === undefined) return none
      return <span className={failures > 0 ? 'cell-bad' : undefined}>{failures.toLocaleString()}</span>
    }
    case 'queued':
      return sends ? sends.queued.toLocaleString() : none
    case 'sentToday':
      return sends ? sends.sentToday.toLocaleString() : none
    case 'limitReached':
      return sends?.limitReached ? <span title={`Until ${formatDateTime(sends.limitReached.until)}`}>{limitWords(sends.limitReached.limit)}</span> : none
    case 'since':
      return <RelativeTime at={account.statusSince} />
    case 'reconnects':
      return account.reconnectCount.toLocaleString()
    case 'id':
      return (
        <span className="col-id">
          <code>{account.id}</code> <CopyIdButton account={account} />
        </span>
      )
    case 'server':
      return account.server ? <code>{account.server}</code> : <span className="muted">None</span>
  }
}

// The accounts table's rules, apart from React: which rows a search and a status filter keep (or only
// those that need attention: docs/session-doctor.md), and in what order a column sorts them. Pure, so
// 500 rows are filtered and sorted the same in a test as in the page.

import { CONDITION_CODES, type AccountStatus, type AccountSummary } from '../../../shared/contract'
import { STATUS_VIEW } from './status'

export const SORT_COLUMNS = ['label', 'status', 'condition', 'phone', 'name', 'id', 'since', 'reconnects', 'server'] as const
export type SortColumn = (typeof SORT_COLUMNS)[number]
export type SortDirection = 'ascending' | 'descending'
export interface SortOrder {
  column: SortColumn
  direction: SortDirection
}

/** A status, every account, or those with a condition (“Needs attention”). */
export type StatusFilter = AccountStatus | 'all' | 'attention'

/** Beyond this many accounts the list opens as a table; cards suit a handful. */
export const CARDS_UP_TO = 6

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/** Fewer digits than this match too many numbers by chance ("042" is in one phone of every thousand). */
const MIN_PHONE_DIGITS = 4

function phoneMatches(phone: string | null, text: string): boolean {
  const digits = text.replace(/[\s()+.-]/g, '')
  return phone !== null && digits.length >= MIN_PHONE_DIGITS && /^\d+$/.test(digits) && phone.includes(digits)
}

/**
 * Search across label, phone, name and id, case-insensitively: the query (spaces squeezed) must appear
 * in one of them, or be (part of) the phone number as people write it, with +, spaces, dashes, dots or
 * parentheses. A phrase, not loose words: "Fleet 042" must not find every id that happens to hold "042".
 */
export function matchesSearch(account: AccountSummary, query: string): boolean {
  const text = query.trim().toLowerCase().replace(/\s+/g, ' ')
  if (text === '') return true
  if (phoneMatches(account.phone, text)) return true
  return [account.label, account.name ?? '', account.id].some((field) => field.toLowerCase().replace(/\s+/g, ' ').includes(text))
}

export function filterAccounts(list: readonly AccountSummary[], query: string, status: StatusFilter): AccountSummary[] {
  const kept = (a: AccountSummary): boolean => (status === 'attention' ? a.condition !== null : status === 'all' || a.status === status)
  return list.filter((a) => kept(a) && matchesSearch(a, query))
}

function sortKey(account: AccountSummary, column: SortColumn): string | number {
  switch (column) {
    case 'label':
      return account.label
    case 'status':
      return STATUS_VIEW[account.status].label
    case 'condition':
      // Most urgent first, in the order the Needs attention view shows them; no condition last.
      return account.condition ? CONDITION_CODES.indexOf(account.condition.code) : ''
    case 'phone':
      return account.phone ?? ''
    case 'name':
      return account.name ?? ''
    case 'id':
      return account.id
    case 'since':
      return account.statusSince
    case 'reconnects':
      return account.reconnectCount
    case 'server':
      return account.server ?? ''
  }
}

/** A stable sort: equal keys keep their id order, so rows never swap places on a refresh. */
export function sortAccounts(list: readonly AccountSummary[], order: SortOrder): AccountSummary[] {
  const sign = order.direction === 'ascending' ? 1 : -1
  return [...list].sort((a, b) => {
    const ka = sortKey(a, order.column)
    const kb = sortKey(b, order.column)
    // Empty text (no phone, no name yet) goes last whichever way the column sorts.
    if (ka === '' && kb !== '') return 1
    if (kb === '' && ka !== '') return -1
    const byKey = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb))
    return byKey !== 0 ? sign * byKey : collator.compare(a.id, b.id)
  })
}

/** Clicking a column: a new column sorts ascending, the same column flips. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column !== column) return { column, direction: 'ascending' }
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
}

/** How many accounts have each status, for the filter's option labels. */
export function countByStatus(list: readonly AccountSummary[]): Map<AccountStatus, number> {
  const counts = new Map<AccountStatus, number>()
  for (const a of list) counts.set(a.status, (counts.get(a.status) ?? 0) + 1)
  return counts
}

/** How many accounts have a condition, for the “Needs attention” option. */
export function countNeedingAttention(list: readonly AccountSummary[]): number {
  let count = 0
  for (const a of list) if (a.condition !== null) count++
  return count
}

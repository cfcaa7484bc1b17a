// The accounts table's rules, apart from React: which rows a view (status groups, the Needs attention
// preset, a search) keeps, and in what order a column sorts them. Pure, so 500 rows are filtered and
// sorted the same in a test as in the page.

import { limitWords, type AccountStats, type AccountSummary, type SendStats } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { GROUP_VIEW, needsAttention, statusGroup, type StatusGroup } from './status-groups'

export const SORT_COLUMNS = [
  'label',
  'status',
  'condition',
  'phone',
  'name',
  'tags',
  'lastMessage',
  'messages24h',
  'p99',
  'webhookFailures',
  'queued',
  'sentToday',
  'limitReached',
  'since',
  'reconnects',
  'id',
  'server',
] as const
export type SortColumn = (typeof SORT_COLUMNS)[number]
export type SortDirection = 'ascending' | 'descending'
export interface SortOrder {
  column: SortColumn
  direction: SortDirection
}

/** Figures that come with the table but not with the accounts list: accounts:stats, the telemetry ranking and accounts:send-stats. */
export interface RowExtras {
  stats: ReadonlyMap<AccountId, AccountStats>
  /** p99 latency (ms) and its sample count over the ranking's range. */
  ranking: ReadonlyMap<AccountId, { p99: number; count: number }>
  /** Each account's send queue, sends in the last 24 hours and the limit holding its queue. */
  sends: ReadonlyMap<AccountId, SendStats>
}

export const NO_EXTRAS: RowExtras = { stats: new Map(), ranking: new Map(), sends: new Map() }

/** What the table shows: status groups (none: all), the Needs attention preset, a search. */
export interface RowFilter {
  groups: readonly StatusGroup[]
  attention: boolean
  query: string
}

/** Beyond this many accounts the list opens as a table; cards suit a handful. */
export const CARDS_UP_TO = 6

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/** Fewer digits than this match too many numbers by chance ("042" is in one phone of every thousand). */
const MIN_PHONE_DIGITS = 4

function phoneMatches(phone: string | null, text: string): boolean {
  const digits = text.replace(/[\s()+.-]/g, '')
  return phone !== null && digits.length >= MIN_PHONE_DIGITS && /^\d+$/.test(digits) && phone.includes(digits)
}

const squeeze = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ')

/**
 * Search across label, phone, name, id and tags, case-insensitively: the query (spaces squeezed) must
 * appear in one of them, or be (part of) the phone number as people write it, with +, spaces, dashes,
 * dots or parentheses. A phrase, not loose words: "Fleet 042" must not find every id that happens to
 * hold "042". "tag:vip" finds the accounts tagged exactly "vip".
 */
export function matchesSearch(account: AccountSummary, query: string): boolean {
  const text = squeeze(query.trim())
  if (text === '') return true
  const tags = account.tags ?? []
  if (text.startsWith('tag:')) {
    const wanted = text.slice(4).trim()
    return tags.some((tag) => squeeze(tag) === wanted)
  }
  if (phoneMatches(account.phone, text)) return true
  return [account.label, account.name ?? '', account.id, ...tags].some((field) => squeeze(field).includes(text))
}

export function filterAccounts(list: readonly AccountSummary[], filter: RowFilter, extras: RowExtras = NO_EXTRAS): AccountSummary[] {
  const groups = filter.groups.length > 0 ? new Set(filter.groups) : null
  return list.filter(
    (a) =>
      (groups === null || groups.has(statusGroup(a))) &&
      (!filter.attention || needsAttention(a, extras.stats.get(a.id)?.webhookFailures ?? 0)) &&
      matchesSearch(a, filter.query),
  )
}

function sortKey(account: AccountSummary, column: SortColumn, extras: RowExtras): string | number {
  switch (column) {
    case 'label':
      return account.label
    case 'status':
      return GROUP_VIEW[statusGroup(account)].label
    case 'condition':
      return account.condition?.title ?? ''
    case 'phone':
      return account.phone ?? ''
    case 'name':
      return account.name ?? ''
    case 'tags':
      return (account.tags ?? []).join(', ')
    case 'lastMessage':
      return extras.stats.get(account.id)?.lastMessageAt ?? ''
    case 'messages24h':
      return extras.stats.get(account.id)?.messages24h ?? ''
    case 'p99':
      return extras.ranking.get(account.id)?.p99 ?? ''
    case 'webhookFailures':
      return extras.stats.get(account.id)?.webhookFailures ?? ''
    case 'queued':
      return extras.sends.get(account.id)?.queued ?? ''
    case 'sentToday':
      return extras.sends.get(account.id)?.sentToday ?? ''
    case 'limitReached': {
      const reached = extras.sends.get(account.id)?.limitReached
      return reached ? limitWords(reached.limit) : ''
    }
    case 'since':
      return account.statusSince
    case 'reconnects':
      return account.reconnectCount
    case 'id':
      return account.id
    case 'server':
      return account.server ?? ''
  }
}

/** A stable sort: equal keys keep their id order, so rows never swap places on a refresh. */
export function sortAccounts(list: readonly AccountSummary[], order: SortOrder, extras: RowExtras = NO_EXTRAS): AccountSummary[] {
  const sign = order.direction === 'ascending' ? 1 : -1
  const keyed = list.map((account) => ({ account, key: sortKey(account, order.column, extras) }))
  keyed.sort((a, b) => {
    const ka = a.key
    const kb = b.key
    // Nothing to show (no phone, no figures yet) goes last whichever way the column sorts.
    if (ka === '' && kb !== '') return 1
    if (kb === '' && ka !== '') return -1
    const byKey = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb))
    return byKey !== 0 ? sign * byKey : collator.compare(a.account.id, b.account.id)
  })
  return keyed.map((entry) => entry.account)
}

/** Clicking a column: a new column sorts ascending (figures descending: the most first), the same column flips. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column !== column) return { column, direction: DESCENDING_FIRST.has(column) ? 'descending' : 'ascending' }
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
}

const DESCENDING_FIRST: ReadonlySet<SortColumn> = new Set(['lastMessage', 'messages24h', 'p99', 'webhookFailures', 'queued', 'sentToday', 'reconnects'])

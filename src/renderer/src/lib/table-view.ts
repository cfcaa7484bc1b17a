// A view of the accounts table: which status groups, whether only what needs attention, the search
// and the sort. It lives in the address (#/accounts?status=failed,refused&q=eu&sort=since:desc), so a
// view can be bookmarked, shared and restored by Back; built-in presets and the operator's saved views
// are named addresses. Pure apart from the saved views, which this browser keeps (preferences.ts).

import { SORT_COLUMNS, type RowFilter, type SortColumn, type SortOrder } from './account-table'
import { readPreference, writePreference } from './preferences'
import { STATUS_GROUPS, type StatusGroup } from './status-groups'

export interface TableView {
  filter: RowFilter
  sort: SortOrder
}

export const DEFAULT_VIEW: TableView = { filter: { groups: [], attention: false, query: '' }, sort: { column: 'label', direction: 'ascending' } }

export function viewToQuery(view: TableView): string {
  const params = new URLSearchParams()
  if (view.filter.attention) params.set('attention', '1')
  if (view.filter.groups.length > 0) params.set('status', [...view.filter.groups].sort((a, b) => STATUS_GROUPS.indexOf(a) - STATUS_GROUPS.indexOf(b)).join(','))
  if (view.filter.query.trim() !== '') params.set('q', view.filter.query)
  const { column, direction } = view.sort
  if (column !== DEFAULT_VIEW.sort.column || direction !== DEFAULT_VIEW.sort.direction) params.set('sort', `${column}:${direction === 'ascending' ? 'asc' : 'desc'}`)
  return params.toString()
}

/** Whatever the address holds: unknown groups, columns or parameters are ignored, never an error. */
export function viewFromQuery(query: string): TableView {
  const params = new URLSearchParams(query)
  const groups = (params.get('status') ?? '')
    .split(',')
    .filter((g): g is StatusGroup => (STATUS_GROUPS as readonly string[]).includes(g))
  const [column, direction] = (params.get('sort') ?? '').split(':')
  const sort: SortOrder = (SORT_COLUMNS as readonly string[]).includes(column ?? '')
    ? { column: column as SortColumn, direction: direction === 'desc' ? 'descending' : 'ascending' }
    : DEFAULT_VIEW.sort
  return { filter: { groups: [...new Set(groups)], attention: params.get('attention') === '1', query: params.get('q') ?? '' }, sort }
}

export interface NamedView {
  name: string
  /** viewToQuery's text. */
  query: string
}

/** Built in, always there. */
export const PRESETS: readonly NamedView[] = [
  { name: 'All accounts', query: '' },
  { name: 'Needs attention', query: viewToQuery({ ...DEFAULT_VIEW, filter: { ...DEFAULT_VIEW.filter, attention: true } }) },
  {
    name: 'Not connected',
    query: viewToQuery({ ...DEFAULT_VIEW, filter: { ...DEFAULT_VIEW.filter, groups: STATUS_GROUPS.filter((g) => g !== 'connected') } }),
  },
]

const SAVED_KEY = 'accounts.views'
export const MAX_SAVED_VIEWS = 30

export function loadSavedViews(): NamedView[] {
  return (
    readPreference(SAVED_KEY, (value) =>
      Array.isArray(value)
        ? value.filter((v): v is NamedView => typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.query === 'string')
        : null,
    ) ?? []
  )
}

/**
 * Saves (or replaces, by name without regard to case) a view; says in words what is wrong with the
 * name instead. Returns the new list.
 */
export function saveView(views: readonly NamedView[], name: string, query: string): { views: NamedView[] } | { problem: string } {
  const trimmed = name.trim()
  if (trimmed === '') return { problem: 'Give the view a name.' }
  if (trimmed.length > 60) return { problem: 'A view name is at most 60 characters.' }
  if (PRESETS.some((p) => p.name.toLowerCase() === trimmed.toLowerCase())) return { problem: `"${trimmed}" is a built-in view: choose another name.` }
  const others = views.filter((v) => v.name.toLowerCase() !== trimmed.toLowerCase())
  if (others.length >= MAX_SAVED_VIEWS) return { problem: `At most ${MAX_SAVED_VIEWS} saved views: delete one first.` }
  const next = [...others, { name: trimmed, query }].sort((a, b) => a.name.localeCompare(b.name))
  writePreference(SAVED_KEY, next)
  return { views: next }
}

export function deleteView(views: readonly NamedView[], name: string): NamedView[] {
  const next = views.filter((v) => v.name !== name)
  writePreference(SAVED_KEY, next.length > 0 ? next : null)
  return next
}

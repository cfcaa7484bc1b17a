// The accounts table's columns: what each shows, whether it is on by default, which extra figures it
// needs (accounts:stats, the telemetry ranking, accounts:send-stats), and its text in a CSV export. The operator's choice
// and order of columns is kept in this browser. Pure apart from that choice.

import { limitWords, type AccountSummary } from '../../../shared/contract'
import type { RowExtras, SortColumn } from './account-table'
import { readPreference, writePreference } from './preferences'
import { GROUP_VIEW, statusGroup } from './status-groups'
import { formatPhone } from './status'

/** Columns the operator may show, hide and reorder; the label always comes first. */
export const COLUMN_IDS = [
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
] as const satisfies readonly SortColumn[]
export type ColumnId = (typeof COLUMN_IDS)[number]

export interface ColumnInfo {
  title: string
  /** What the column holds, for the columns menu and the header's tooltip. */
  about: string
  on: boolean
  numeric?: boolean
  /** Where its figures come from, besides the accounts list. */
  needs?: 'stats' | 'ranking' | 'sends'
  /** Only where accounts run on several servers. */
  fleet?: boolean
  /** Its text in a CSV export. */
  text: (account: AccountSummary, extras: RowExtras) => string
}

const iso = (at: number | null | undefined): string => (typeof at === 'number' ? new Date(at).toISOString() : '')
const count = (value: number | undefined): string => (value === undefined ? '' : String(value))

export const COLUMNS: Record<ColumnId, ColumnInfo> = {
  status: { title: 'Status', about: 'Its status; failures split into QR expired, refused by WhatsApp and other failures.', on: true, text: (a) => GROUP_VIEW[statusGroup(a)].label },
  condition: { title: 'Condition', about: 'What is wrong with it, as the session doctor found, and what to do.', on: true, text: (a) => a.condition?.title ?? '' },
  phone: { title: 'Phone', about: 'The number, once paired.', on: true, text: (a) => formatPhone(a.phone) ?? '' },
  name: { title: 'Name', about: 'The push or business name WhatsApp reports.', on: true, text: (a) => a.name ?? '' },
  tags: { title: 'Tags', about: 'Free labels put on accounts to find them again.', on: true, text: (a) => (a.tags ?? []).join(', ') },
  lastMessage: {
    title: 'Last message',
    about: 'When its last text arrived, as the server that runs it counted since it started running it.',
    on: true,
    needs: 'stats',
    text: (a, x) => iso(x.stats.get(a.id)?.lastMessageAt),
  },
  messages24h: { title: 'Messages 24 h', about: 'Texts received in the last 24 hours (in 15-minute steps).', on: true, numeric: true, needs: 'stats', text: (a, x) => count(x.stats.get(a.id)?.messages24h) },
  p99: {
    title: 'Store p99',
    about: 'The slowest 1% of its auth store calls over the last 15 minutes, in ms, with the number of calls measured (from the telemetry ranking).',
    on: false,
    numeric: true,
    needs: 'ranking',
    text: (a, x) => {
      const row = x.ranking.get(a.id)
      return row ? `${row.p99} ms (${row.count} samples)` : ''
    },
  },
  webhookFailures: {
    title: 'Webhook failures',
    about: 'Deliveries of its events that failed: given up on, or waiting after a failed attempt.',
    on: false,
    numeric: true,
    needs: 'stats',
    text: (a, x) => count(x.stats.get(a.id)?.webhookFailures),
  },
  queued: {
    title: 'Queued',
    about: 'Sends waiting in its queue for the send limits to let them go (docs/proxies-and-limits.md).',
    on: true,
    numeric: true,
    needs: 'sends',
    text: (a, x) => count(x.sends.get(a.id)?.queued),
  },
  sentToday: { title: 'Sent 24 h', about: 'Texts it sent in the last 24 hours (the rolling day its per-day limit counts).', on: false, numeric: true, needs: 'sends', text: (a, x) => count(x.sends.get(a.id)?.sentToday) },
  limitReached: {
    title: 'Limit reached',
    about: 'The send limit holding its queue now, if any, and (on hover) until when.',
    on: true,
    needs: 'sends',
    text: (a, x) => {
      const reached = x.sends.get(a.id)?.limitReached
      return reached ? `${limitWords(reached.limit)} until ${iso(reached.until)}` : ''
    },
  },
  since: { title: 'Since', about: 'When it took its current status.', on: true, text: (a) => iso(a.statusSince) },
  reconnects: { title: 'Reconnects', about: 'Reconnects since it last connected.', on: false, numeric: true, text: (a) => String(a.reconnectCount) },
  id: { title: 'Id', about: 'Its id, for the CLI and the API.', on: false, text: (a) => a.id },
  server: { title: 'Server', about: 'The server of the fleet that runs it.', on: true, fleet: true, text: (a) => a.server ?? '' },
}

/** The operator's columns: in this order, without the hidden ones. */
export interface ColumnChoice {
  order: ColumnId[]
  hidden: ColumnId[]
}

export const DEFAULT_COLUMNS: ColumnChoice = { order: [...COLUMN_IDS], hidden: COLUMN_IDS.filter((id) => !COLUMNS[id].on) }

const KEY = 'accounts.columns'
const isColumn = (value: unknown): value is ColumnId => (COLUMN_IDS as readonly unknown[]).includes(value)

/** The kept choice, with columns added since it was kept put at their default place and state. */
export function loadColumns(): ColumnChoice {
  const kept = readPreference(KEY, (value) => {
    const v = value as Partial<ColumnChoice> | null
    return v && Array.isArray(v.order) && Array.isArray(v.hidden) ? { order: v.order.filter(isColumn), hidden: v.hidden.filter(isColumn) } : null
  })
  if (!kept) return DEFAULT_COLUMNS
  const order = [...new Set(kept.order)]
  // A column new since then goes after the one before it in the default order.
  COLUMN_IDS.forEach((id, i) => {
    if (order.includes(id)) return
    const before = i === 0 ? -1 : order.indexOf(COLUMN_IDS[i - 1]!)
    order.splice(before + 1, 0, id)
  })
  const known = new Set(kept.order)
  return { order, hidden: [...new Set([...kept.hidden, ...COLUMN_IDS.filter((id) => !known.has(id) && !COLUMNS[id].on)])] }
}

export function saveColumns(choice: ColumnChoice): void {
  const isDefault = choice.order.join() === DEFAULT_COLUMNS.order.join() && [...choice.hidden].sort().join() === [...DEFAULT_COLUMNS.hidden].sort().join()
  writePreference(KEY, isDefault ? null : choice)
}

export function visibleColumns(choice: ColumnChoice, fleet: boolean): ColumnId[] {
  return choice.order.filter((id) => !choice.hidden.includes(id) && (fleet || !COLUMNS[id].fleet))
}

/** Moves a column one place up (-1) or down (+1) among all columns. */
export function moveColumn(choice: ColumnChoice, id: ColumnId, step: -1 | 1): ColumnChoice {
  const order = [...choice.order]
  const from = order.indexOf(id)
  const to = from + step
  if (from < 0 || to < 0 || to >= order.length) return choice
  order.splice(from, 1)
  order.splice(to, 0, id)
  return { ...choice, order }
}

export function toggleColumn(choice: ColumnChoice, id: ColumnId, on: boolean): ColumnChoice {
  const hidden = choice.hidden.filter((h) => h !== id)
  return { ...choice, hidden: on ? hidden : [...hidden, id] }
}

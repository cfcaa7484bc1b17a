import { describe, expect, it } from 'vitest'
import type { AccountSummary } from '../../../shared/contract'
import { accountSummary } from '../../../../test/support/account-summary'
import type { AccountId } from '../../../shared/ids'
import { filterAccounts, matchesSearch, nextSort, sortAccounts, type RowExtras, type RowFilter } from './account-table'

const account = (id: string, patch: Partial<AccountSummary> = {}): AccountSummary => accountSummary(id, { label: `Label ${id}`, ...patch })

describe('matchesSearch', () => {
  const a = account('acc-01', { label: 'Sales desk', phone: '15551234567', name: 'Maria' })
  it('matches label, name, id and phone, case-insensitively', () => {
    expect(matchesSearch(a, 'sales')).toBe(true)
    expect(matchesSearch(a, 'MARIA')).toBe(true)
    expect(matchesSearch(a, 'acc-01')).toBe(true)
    expect(matchesSearch(a, '555123')).toBe(true)
    expect(matchesSearch(a, 'support')).toBe(false)
  })
  it('matches a phrase within one field, and reads a phone written with +, spaces, dashes or parentheses', () => {
    expect(matchesSearch(a, 'sales   DESK')).toBe(true)
    expect(matchesSearch(a, 'sales maria')).toBe(false)
    expect(matchesSearch(a, '+1(555)123-4567')).toBe(true)
    expect(matchesSearch(a, '+1 555 123')).toBe(true)
  })
  it('does not match a short run of digits inside a phone number by chance', () => {
    const b = account('acc-02', { label: 'Fleet 420', phone: '15551000420' })
    expect(matchesSearch(b, 'Fleet 042')).toBe(false)
    expect(matchesSearch(b, '0420')).toBe(true)
  })
  it('an empty query keeps everything', () => {
    expect(matchesSearch(a, '   ')).toBe(true)
  })
  it('finds tags, in part or exactly with tag:', () => {
    const tagged = account('acc-03', { tags: ['VIP', 'eu-west'] })
    expect(matchesSearch(tagged, 'eu-we')).toBe(true)
    expect(matchesSearch(tagged, 'tag:vip')).toBe(true)
    expect(matchesSearch(tagged, 'tag: VIP ')).toBe(true)
    expect(matchesSearch(tagged, 'tag:eu')).toBe(false)
  })
})

const all: RowFilter = { groups: [], attention: false, query: '' }

describe('filterAccounts and sortAccounts', () => {
  const list = [
    account('acc-3', { label: 'charlie', status: 'connected', reconnectCount: 2, name: 'Zed' }),
    account('acc-1', { label: 'Alpha', status: 'stopped', reconnectCount: 10 }),
    account('acc-2', { label: 'bravo', status: 'connected', reconnectCount: 2, name: 'Amy' }),
  ]
  it('filters by several status groups and search together', () => {
    expect(filterAccounts(list, { ...all, groups: ['connected'] }).map((a) => a.id)).toEqual(['acc-3', 'acc-2'])
    expect(filterAccounts(list, { ...all, groups: ['connected', 'stopped'] }).map((a) => a.id)).toEqual(['acc-3', 'acc-1', 'acc-2'])
    expect(filterAccounts(list, { ...all, groups: ['connected'], query: 'bravo' }).map((a) => a.id)).toEqual(['acc-2'])
    expect(filterAccounts(list, { ...all, groups: ['stopped'], query: 'bravo' })).toEqual([])
  })
  it('keeps what needs attention: trouble, a condition, or failing webhooks', () => {
    const mixed = [
      account('acc-a', { status: 'connected' }),
      account('acc-b', { status: 'reconnecting' }),
      account('acc-c', { status: 'stopped' }),
      account('acc-d', { status: 'connected' }),
    ]
    const extras: RowExtras = { stats: new Map([['acc-d' as AccountId, { id: 'acc-d' as AccountId, ok: true, webhookFailures: 2 }]]), ranking: new Map(), sends: new Map() }
    expect(filterAccounts(mixed, { ...all, attention: true }, extras).map((a) => a.id)).toEqual(['acc-b', 'acc-d'])
  })
  it('sorts text without regard to case, numbers as numbers, ties by id, empties last', () => {
    expect(sortAccounts(list, { column: 'label', direction: 'ascending' }).map((a) => a.label)).toEqual(['Alpha', 'bravo', 'charlie'])
    expect(sortAccounts(list, { column: 'reconnects', direction: 'descending' }).map((a) => a.id)).toEqual(['acc-1', 'acc-2', 'acc-3'])
    expect(sortAccounts(list, { column: 'name', direction: 'ascending' }).map((a) => a.id)).toEqual(['acc-2', 'acc-3', 'acc-1'])
    expect(sortAccounts(list, { column: 'name', direction: 'descending' }).map((a) => a.id)).toEqual(['acc-3', 'acc-2', 'acc-1'])
  })
  it('sorts by figures from the extras, those without any last', () => {
    const extras: RowExtras = {
      stats: new Map([
        ['acc-1' as AccountId, { id: 'acc-1' as AccountId, ok: true, messages24h: 5, lastMessageAt: 10 }],
        ['acc-3' as AccountId, { id: 'acc-3' as AccountId, ok: true, messages24h: 50, lastMessageAt: 30 }],
      ]),
      ranking: new Map([['acc-2' as AccountId, { p99: 4, count: 300 }]]),
      sends: new Map([
        ['acc-2' as AccountId, { id: 'acc-2' as AccountId, queued: 7, sentToday: 3, limitReached: { limit: 'perMinute', until: 1 } }],
        ['acc-3' as AccountId, { id: 'acc-3' as AccountId, queued: 0, sentToday: 40, limitReached: null }],
      ]),
    }
    expect(sortAccounts(list, { column: 'messages24h', direction: 'descending' }, extras).map((a) => a.id)).toEqual(['acc-3', 'acc-1', 'acc-2'])
    expect(sortAccounts(list, { column: 'lastMessage', direction: 'ascending' }, extras).map((a) => a.id)).toEqual(['acc-1', 'acc-3', 'acc-2'])
    expect(sortAccounts(list, { column: 'p99', direction: 'descending' }, extras).map((a) => a.id)).toEqual(['acc-2', 'acc-1', 'acc-3'])
    expect(sortAccounts(list, { column: 'queued', direction: 'descending' }, extras).map((a) => a.id)).toEqual(['acc-2', 'acc-3', 'acc-1'])
    expect(sortAccounts(list, { column: 'sentToday', direction: 'ascending' }, extras).map((a) => a.id)).toEqual(['acc-2', 'acc-3', 'acc-1'])
    expect(sortAccounts(list, { column: 'limitReached', direction: 'ascending' }, extras).map((a) => a.id)).toEqual(['acc-2', 'acc-1', 'acc-3'])
  })
  it('a click on the same column flips it; on another, text starts ascending and figures descending', () => {
    expect(nextSort({ column: 'label', direction: 'ascending' }, 'label')).toEqual({ column: 'label', direction: 'descending' })
    expect(nextSort({ column: 'label', direction: 'descending' }, 'status')).toEqual({ column: 'status', direction: 'ascending' })
    expect(nextSort({ column: 'label', direction: 'ascending' }, 'messages24h')).toEqual({ column: 'messages24h', direction: 'descending' })
  })
})

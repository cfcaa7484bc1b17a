import { beforeEach, describe, expect, it } from 'vitest'
import { COLUMN_IDS, DEFAULT_COLUMNS, loadColumns, moveColumn, saveColumns, toggleColumn, visibleColumns } from './table-columns'

function fakeStorage(): Map<string, string> {
  const data = new Map<string, string>()
  ;(globalThis as { window?: unknown }).window = {
    localStorage: {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    },
  }
  return data
}

describe('the table columns', () => {
  let data: Map<string, string>
  beforeEach(() => {
    data = fakeStorage()
  })

  it('shows the default columns, the server only in a fleet', () => {
    expect(visibleColumns(DEFAULT_COLUMNS, false)).toEqual(['status', 'condition', 'phone', 'name', 'tags', 'lastMessage', 'messages24h', 'queued', 'limitReached', 'since'])
    expect(visibleColumns(DEFAULT_COLUMNS, true)).toContain('server')
  })

  it('hides, shows and moves columns, and keeps the choice in this browser (nothing when it is the default)', () => {
    let choice = toggleColumn(DEFAULT_COLUMNS, 'name', false)
    choice = toggleColumn(choice, 'p99', true)
    choice = moveColumn(choice, 'tags', -1)
    choice = moveColumn(choice, 'status', -1)
    expect(visibleColumns(choice, false).slice(0, 5)).toEqual(['status', 'condition', 'phone', 'tags', 'lastMessage'])
    expect(visibleColumns(choice, false)).toContain('p99')
    saveColumns(choice)
    expect(loadColumns()).toEqual(choice)
    saveColumns(DEFAULT_COLUMNS)
    expect(data.size).toBe(0)
  })

  it('reads a choice kept before a column existed, or a damaged one, without failing', () => {
    data.set('irish.accounts.columns', JSON.stringify({ order: ['phone', 'status', 'bogus'], hidden: ['status', 'bogus'] }))
    const loaded = loadColumns()
    expect(loaded.order).toHaveLength(COLUMN_IDS.length)
    // The kept order holds; a column new since goes after its neighbour in the default order.
    expect(loaded.order.indexOf('phone')).toBeLessThan(loaded.order.indexOf('status'))
    expect(loaded.order[loaded.order.indexOf('status') + 1]).toBe('condition')
    expect(loaded.order[loaded.order.indexOf('phone') + 1]).toBe('name')
    expect(loaded.hidden).toContain('status')
    expect(loaded.hidden).toContain('p99')
    data.set('irish.accounts.columns', '{not json')
    expect(loadColumns()).toEqual(DEFAULT_COLUMNS)
  })
})

import { beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_VIEW, deleteView, loadSavedViews, PRESETS, saveView, viewFromQuery, viewToQuery, type TableView } from './table-view'

/** A localStorage for the node test environment. */
function fakeStorage(): void {
  const data = new Map<string, string>()
  ;(globalThis as { window?: unknown }).window = {
    localStorage: {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    },
  }
}

describe('a view of the table in the address', () => {
  it('round-trips groups, the attention preset, a search and a sort, and the default is empty', () => {
    const view: TableView = { filter: { groups: ['refused', 'connected'], attention: true, query: 'eu west & more' }, sort: { column: 'since', direction: 'descending' } }
    const query = viewToQuery(view)
    expect(query).toBe('attention=1&status=connected%2Crefused&q=eu+west+%26+more&sort=since%3Adesc')
    expect(viewFromQuery(query)).toEqual({ ...view, filter: { ...view.filter, groups: ['connected', 'refused'] } })
    expect(viewToQuery(DEFAULT_VIEW)).toBe('')
    expect(viewFromQuery('')).toEqual(DEFAULT_VIEW)
  })

  it('ignores what it does not know instead of failing', () => {
    expect(viewFromQuery('status=connected,nonsense,connected&sort=bogus:desc&x=1')).toEqual({ ...DEFAULT_VIEW, filter: { ...DEFAULT_VIEW.filter, groups: ['connected'] } })
  })

  it('has presets for all accounts, what needs attention and what is not connected', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(['All accounts', 'Needs attention', 'Not connected'])
    expect(viewFromQuery(PRESETS[1]!.query).filter.attention).toBe(true)
    expect(viewFromQuery(PRESETS[2]!.query).filter.groups).not.toContain('connected')
    expect(viewFromQuery(PRESETS[2]!.query).filter.groups).toContain('qr-expired')
  })
})

describe('saved views', () => {
  beforeEach(fakeStorage)

  it('saves under a name, replaces by name, deletes, and keeps them in this browser', () => {
    let views = loadSavedViews()
    expect(views).toEqual([])
    const first = saveView(views, '  EU broken ', 'status=failed&q=eu')
    if (!('views' in first)) throw new Error(first.problem)
    views = first.views
    const again = saveView(views, 'eu BROKEN', 'status=refused')
    if (!('views' in again)) throw new Error(again.problem)
    expect(again.views).toEqual([{ name: 'eu BROKEN', query: 'status=refused' }])
    expect(loadSavedViews()).toEqual(again.views)
    expect(deleteView(again.views, 'eu BROKEN')).toEqual([])
    expect(loadSavedViews()).toEqual([])
  })

  it('refuses an empty name or a preset name, in words', () => {
    expect(saveView([], '   ', '')).toEqual({ problem: 'Give the view a name.' })
    expect(saveView([], 'needs attention', '')).toEqual({ problem: '"needs attention" is a built-in view: choose another name.' })
  })
})

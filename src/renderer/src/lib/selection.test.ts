import { describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { clickRow, EMPTY_SELECTION, setRows, splitSelection } from './selection'

const ids = Array.from({ length: 10 }, (_, i) => `acc-${i}` as AccountId)

describe('the selection', () => {
  it('selects a range with Shift, from the last row clicked, either way, and clears a range the same way', () => {
    let s = clickRow(EMPTY_SELECTION, ids[2]!, true, false, ids)
    s = clickRow(s, ids[6]!, true, true, ids)
    expect([...s.ids].sort()).toEqual(ids.slice(2, 7))
    s = clickRow(s, ids[0]!, true, true, ids)
    expect([...s.ids].sort()).toEqual(ids.slice(0, 7))
    // Shift-unchecking clears from the anchor (now row 0) to row 3.
    s = clickRow(s, ids[3]!, false, true, ids)
    expect([...s.ids].sort()).toEqual(ids.slice(4, 7))
  })

  it('falls back to one row when the anchor is not shown any more', () => {
    const s = clickRow({ ids: new Set(), anchor: 'acc-gone' as AccountId }, ids[5]!, true, true, ids)
    expect([...s.ids]).toEqual([ids[5]])
  })

  it('selects all the view shows, and tells the hidden from the visible among what still exists', () => {
    let s = setRows(EMPTY_SELECTION, ids.slice(0, 6), true)
    s = setRows(s, [ids[1]!], false)
    const split = splitSelection(s, new Set(ids.slice(0, 5)), new Set(ids.slice(0, 3)))
    expect(split).toEqual({ visible: [ids[0], ids[2]], hidden: [ids[3], ids[4]] })
  })
})

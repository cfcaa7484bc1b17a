// The accounts table's selection, apart from React: one row, a range with Shift (from the last row
// clicked, in the order shown), all that match the view; and which of the selected the view hides, so
// an action never touches a row the operator cannot see without asking first.

import type { AccountId } from '../../../shared/ids'

export interface Selection {
  ids: ReadonlySet<AccountId>
  /** The row a Shift-click range starts from: the last row clicked. */
  anchor: AccountId | null
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null }

/**
 * A click on a row's box. With `range` (Shift held) and an anchor still shown, every row between the
 * anchor and this one, in the order shown, takes this row's new state; else this row alone.
 */
export function clickRow(selection: Selection, id: AccountId, on: boolean, range: boolean, shown: readonly AccountId[]): Selection {
  const ids = new Set(selection.ids)
  const from = range && selection.anchor !== null ? shown.indexOf(selection.anchor) : -1
  const to = shown.indexOf(id)
  if (from >= 0 && to >= 0) {
    const [start, end] = from <= to ? [from, to] : [to, from]
    for (const rowId of shown.slice(start, end + 1)) {
      if (on) ids.add(rowId)
      else ids.delete(rowId)
    }
  } else if (on) ids.add(id)
  else ids.delete(id)
  return { ids, anchor: id }
}

/** Every row the view shows, on or off; the anchor stays. */
export function setRows(selection: Selection, rows: readonly AccountId[], on: boolean): Selection {
  const ids = new Set(selection.ids)
  for (const id of rows) {
    if (on) ids.add(id)
    else ids.delete(id)
  }
  return { ...selection, ids }
}

/** The selected accounts that still exist, split into those the view shows and those it hides. */
export function splitSelection(selection: Selection, existing: ReadonlySet<AccountId>, shown: ReadonlySet<AccountId>): { visible: AccountId[]; hidden: AccountId[] } {
  const visible: AccountId[] = []
  const hidden: AccountId[] = []
  for (const id of selection.ids) {
    if (!existing.has(id)) continue
    if (shown.has(id)) visible.push(id)
    else hidden.push(id)
  }
  return { visible, hidden }
}

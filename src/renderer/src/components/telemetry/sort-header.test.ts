import { describe, expect, it } from 'vitest'
import { sortRows } from './SortHeader'

const rows = [
  { name: 'b', p99: 2, errors: 0 },
  { name: 'a', p99: 40, errors: 3 },
  { name: 'c', p99: 0.05, errors: 3 },
]

describe('sortRows', () => {
  it('sorts numbers worst first when descending, and keeps ties in their order', () => {
    expect(sortRows(rows, { key: 'p99', direction: 'descending' }, (r, k) => r[k as 'p99']).map((r) => r.name)).toEqual(['a', 'b', 'c'])
    expect(sortRows(rows, { key: 'errors', direction: 'descending' }, (r, k) => r[k as 'errors']).map((r) => r.name)).toEqual(['a', 'c', 'b'])
  })

  it('sorts names alphabetically and never changes the input', () => {
    const before = rows.map((r) => r.name)
    expect(sortRows(rows, { key: 'name', direction: 'ascending' }, (r) => r.name).map((r) => r.name)).toEqual(['a', 'b', 'c'])
    expect(rows.map((r) => r.name)).toEqual(before)
  })
})

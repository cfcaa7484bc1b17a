// A column header that sorts its table: a button inside the <th>, with aria-sort on the <th> so a
// screen reader announces the order. Shared by the ranking and the key-count table.

export type SortDirection = 'ascending' | 'descending'

export interface SortState<K extends string> {
  key: K
  direction: SortDirection
}

export function SortHeader<K extends string>({
  label,
  short,
  about,
  column,
  sort,
  onSort,
  numeric = true,
}: {
  label: string
  /** On a phone, this instead of `label` (telemetry.css), with `about` as the header's title. */
  short?: string
  about?: string
  column: K
  sort: SortState<K>
  onSort: (next: SortState<K>) => void
  numeric?: boolean
}) {
  const active = sort.key === column
  // Numbers sort worst (largest) first on the first click; names alphabetically.
  const first: SortDirection = numeric ? 'descending' : 'ascending'
  const next: SortDirection = active ? (sort.direction === 'ascending' ? 'descending' : 'ascending') : first
  return (
    <th scope="col" className={numeric ? 'num' : undefined} aria-sort={active ? sort.direction : 'none'} title={about}>
      <button type="button" className="sort-button" onClick={() => onSort({ key: column, direction: next })}>
        {short ? (
          <>
            <span className="label-wide">{label}</span>
            <span className="label-narrow">{short}</span>
          </>
        ) : (
          label
        )}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  )
}

/** Sorts a copy by a numeric or string field; ties keep their order (Array.prototype.sort is stable). */
export function sortRows<T, K extends string>(rows: readonly T[], sort: SortState<K>, value: (row: T, key: K) => number | string): T[] {
  const sign = sort.direction === 'ascending' ? 1 : -1
  return [...rows].sort((a, b) => {
    const x = value(a, sort.key)
    const y = value(b, sort.key)
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign
    return String(x).localeCompare(String(y)) * sign
  })
}

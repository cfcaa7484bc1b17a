// Picks the account whose charts the telemetry view shows, out of hundreds: a combobox that searches
// label, push name, phone digits and id as you type, and lists at most MAX_OPTIONS matches.
// Keyboard: arrows move, Enter picks, Escape closes (the ARIA combobox pattern, list autocomplete).

import { useId, useMemo, useState, type KeyboardEvent } from 'react'
import type { AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { matchesSearch } from '../../lib/account-table'
import { formatPhone } from '../../lib/status'

const MAX_OPTIONS = 12

export function AccountPicker({ accounts, onPick }: { accounts: readonly AccountSummary[]; onPick: (id: AccountId) => void }) {
  const inputId = useId()
  const listId = useId()
  const [query, setQuery] = useState('')
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const matches = useMemo(() => {
    const found: AccountSummary[] = []
    for (const account of accounts) {
      if (matchesSearch(account, query)) found.push(account)
      if (found.length > MAX_OPTIONS) break
    }
    return found
  }, [accounts, query])
  const shown = matches.slice(0, MAX_OPTIONS)
  const expanded = open && query.trim() !== ''

  function pick(account: AccountSummary | undefined): void {
    if (!account) return
    onPick(account.id)
    setQuery('')
    setOpen(false)
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'ArrowDown') {
      event.preventDefault()
      setOpen(true)
      setActive((i) => Math.min(i + 1, shown.length - 1))
    } else if (event.key === 'ArrowUp') {
      event.preventDefault()
      setActive((i) => Math.max(i - 1, 0))
    } else if (event.key === 'Enter' && expanded) {
      event.preventDefault()
      pick(shown[active])
    } else if (event.key === 'Escape') {
      setOpen(false)
    }
  }

  const optionId = (i: number): string => `${listId}-${i}`
  return (
    <div className="picker">
      <label htmlFor={inputId}>Find an account</label>
      <input
        id={inputId}
        type="search"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && shown.length > 0 ? optionId(active) : undefined}
        placeholder="Label, phone or id"
        autoComplete="off"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value)
          setActive(0)
          setOpen(true)
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label="Matching accounts" className="picker-list" hidden={!expanded}>
        {expanded &&
          shown.map((account, i) => (
            <li
              key={account.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              className="picker-option"
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(event) => {
                event.preventDefault()
                pick(account)
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className="picker-label">{account.label}</span>
              <span className="picker-meta">
                {formatPhone(account.phone) ?? 'not paired'} · <code>{account.id}</code>
              </span>
            </li>
          ))}
      </ul>
      <p className="picker-empty" role="status">
        {expanded && shown.length === 0 ? `No account matches “${query.trim()}”.` : ''}
        {expanded && matches.length > MAX_OPTIONS ? 'More accounts match: type more to narrow the list.' : ''}
      </p>
    </div>
  )
}

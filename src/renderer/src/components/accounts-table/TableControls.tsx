// Above the accounts table: the search ("/" jumps to it), the views (built-in presets and saved ones,
// each an address: lib/table-view.ts), the status chips (several at once, each with its count; empty
// ones hidden), the columns and the CSV export of what is shown.

import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react'
import { GROUP_VIEW, STATUS_GROUPS, type StatusGroup } from '../../lib/status-groups'
import { COLUMNS, moveColumn, toggleColumn, type ColumnChoice } from '../../lib/table-columns'
import { deleteView, loadSavedViews, PRESETS, saveView, viewFromQuery, viewToQuery, type NamedView, type TableView } from '../../lib/table-view'
import { Dialog } from '../Dialog'

export interface TableControlsProps {
  view: TableView
  onView: (view: TableView) => void
  counts: ReadonlyMap<StatusGroup, number>
  total: number
  shown: number
  searchRef: RefObject<HTMLInputElement | null>
  columns: ColumnChoice
  onColumns: (choice: ColumnChoice) => void
  fleet: boolean
  onExportCsv: () => void
}

export function TableControls({ view, onView, counts, total, shown, searchRef, columns, onColumns, fleet, onExportCsv }: TableControlsProps) {
  const searchId = useId()
  const [choosingColumns, setChoosingColumns] = useState(false)
  const filter = view.filter
  return (
    <div className="table-controls">
      <div className="table-controls-row" role="search" aria-label="Find accounts">
        <label htmlFor={searchId} className="field-inline table-search">
          <span>Search</span>
          <input
            id={searchId}
            ref={searchRef}
            type="search"
            value={filter.query}
            placeholder="Label, phone, name, id, tag:vip"
            aria-keyshortcuts="/"
            onChange={(event) => onView({ ...view, filter: { ...filter, query: event.target.value } })}
          />
        </label>
        <ViewPicker view={view} onView={onView} />
        <div className="toolbar table-tools" role="group" aria-label="Table">
          <button type="button" onClick={() => setChoosingColumns(true)}>
            Columns…
          </button>
          <button type="button" onClick={onExportCsv} disabled={shown === 0}>
            Export CSV
          </button>
        </div>
      </div>
      <div className="table-controls-row">
        <StatusChips groups={filter.groups} counts={counts} total={total} onGroups={(groups) => onView({ ...view, filter: { ...filter, groups } })} />
        <p className="muted small shown-count" role="status" aria-live="polite">
          {shown === total ? `${total} shown` : `${shown} of ${total} shown`}
        </p>
      </div>
      {filter.attention && (
        <p className="preset-note small" role="note">
          <strong>Needs attention:</strong> accounts that should run and do not (reconnecting, logged out, replaced, failed), those with a condition,
          and those whose webhook deliveries fail.{' '}
          <button type="button" className="link-button" onClick={() => onView({ ...view, filter: { ...filter, attention: false } })}>
            Show all again
          </button>
        </p>
      )}
      {choosingColumns && <ColumnsDialog choice={columns} fleet={fleet} onChoice={onColumns} onClose={() => setChoosingColumns(false)} />}
    </div>
  )
}

/** Toggle buttons, one per status group with accounts in it, each with its count; none pressed: all. */
function StatusChips({ groups, counts, total, onGroups }: { groups: readonly StatusGroup[]; counts: ReadonlyMap<StatusGroup, number>; total: number; onGroups: (groups: StatusGroup[]) => void }) {
  const on = new Set(groups)
  // A group chosen before it emptied stays visible, so it can be turned off.
  const present = STATUS_GROUPS.filter((g) => (counts.get(g) ?? 0) > 0 || on.has(g))
  return (
    <div className="chips" role="group" aria-label="Status">
      <button type="button" className="chip" aria-pressed={groups.length === 0} onClick={() => onGroups([])}>
        All <span className="chip-count">{total.toLocaleString()}</span>
      </button>
      {present.map((group) => (
        <button
          key={group}
          type="button"
          className={`chip chip-${GROUP_VIEW[group].tone}`}
          aria-pressed={on.has(group)}
          title={GROUP_VIEW[group].hint}
          onClick={() => onGroups(on.has(group) ? groups.filter((g) => g !== group) : [...groups, group])}
        >
          {GROUP_VIEW[group].label} <span className="chip-count">{(counts.get(group) ?? 0).toLocaleString()}</span>
        </button>
      ))}
    </div>
  )
}

/** The presets and the saved views, in one list; save the current view under a name, or delete a saved one. */
function ViewPicker({ view, onView }: { view: TableView; onView: (view: TableView) => void }) {
  const id = useId()
  const [saved, setSaved] = useState<NamedView[]>(loadSavedViews)
  const [saving, setSaving] = useState(false)
  const query = viewToQuery(view)
  const current = [...PRESETS, ...saved].find((v) => v.query === query)
  // Another tab saved or deleted a view: this one's list follows.
  useEffect(() => {
    const reload = (): void => setSaved(loadSavedViews())
    window.addEventListener('storage', reload)
    return () => window.removeEventListener('storage', reload)
  }, [])
  return (
    <div className="field-inline view-picker">
      <label htmlFor={id}>View</label>
      <select
        id={id}
        value={current?.name ?? ''}
        onChange={(event) => {
          const chosen = [...PRESETS, ...saved].find((v) => v.name === event.target.value)
          if (chosen) onView(viewFromQuery(chosen.query))
        }}
      >
        {!current && <option value="">Custom</option>}
        <optgroup label="Built in">
          {PRESETS.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </optgroup>
        {saved.length > 0 && (
          <optgroup label="Saved">
            {saved.map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <button type="button" onClick={() => setSaving(true)}>
        Save view…
      </button>
      {current && saved.includes(current) && (
        <button type="button" className="link-button" onClick={() => setSaved(deleteView(saved, current.name))} aria-label={`Delete the saved view ${current.name}`}>
          Delete
        </button>
      )}
      {saving && <SaveViewDialog saved={saved} query={query} onSaved={setSaved} onClose={() => setSaving(false)} />}
    </div>
  )
}

function SaveViewDialog({ saved, query, onSaved, onClose }: { saved: NamedView[]; query: string; onSaved: (views: NamedView[]) => void; onClose: () => void }) {
  const ids = { name: useId(), problem: useId() }
  const [name, setName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const inputRef = useRef<HTMLInputElement>(null)
  function submit(event: FormEvent): void {
    event.preventDefault()
    const result = saveView(saved, name, query)
    if ('problem' in result) {
      setProblem(result.problem)
      inputRef.current?.focus()
      return
    }
    onSaved(result.views)
    onClose()
  }
  return (
    <Dialog title="Save this view" onClose={onClose} size="small">
      <form className="form" onSubmit={submit} noValidate>
        <p>The filter, the search and the sort, under a name in the View list of this browser. The address in the address bar holds them too.</p>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input
            id={ids.name}
            ref={inputRef}
            value={name}
            maxLength={60}
            autoComplete="off"
            aria-invalid={problem !== null || undefined}
            aria-errormessage={problem ? ids.problem : undefined}
            onChange={(event) => {
              setName(event.target.value)
              setProblem(null)
            }}
            data-autofocus
          />
        </div>
        {problem && (
          <p className="inline-error" role="alert" id={ids.problem}>
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save view
          </button>
        </div>
      </form>
    </Dialog>
  )
}

/** Which columns show, in which order: a box per column and buttons to move it. Kept in this browser. */
function ColumnsDialog({ choice, fleet, onChoice, onClose }: { choice: ColumnChoice; fleet: boolean; onChoice: (choice: ColumnChoice) => void; onClose: () => void }) {
  const listed = choice.order.filter((id) => fleet || !COLUMNS[id].fleet)
  return (
    <Dialog title="Columns" onClose={onClose}>
      <p className="muted small">The label always comes first. Your choice is kept in this browser.</p>
      <ol className="column-list" aria-label="Columns, in order">
        {listed.map((id, i) => (
          <li key={id}>
            <label className="check">
              <input type="checkbox" checked={!choice.hidden.includes(id)} onChange={(event) => onChoice(toggleColumn(choice, id, event.target.checked))} />
              <span>
                {COLUMNS[id].title}
                <span className="choice-detail">{COLUMNS[id].about}</span>
              </span>
            </label>
            <span className="column-moves">
              <button type="button" className="small-button" disabled={i === 0} aria-label={`Move ${COLUMNS[id].title} up`} onClick={() => onChoice(moveColumn(choice, id, -1))}>
                ↑
              </button>
              <button
                type="button"
                className="small-button"
                disabled={i === listed.length - 1}
                aria-label={`Move ${COLUMNS[id].title} down`}
                onClick={() => onChoice(moveColumn(choice, id, 1))}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  )
}

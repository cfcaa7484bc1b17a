// The five send limits as form fields (docs/proxies-and-limits.md): a whole number each, or empty for
// no limit. Used for one account's limits (SendingPanel) and for the defaults new accounts get
// (SettingsView); the core checks the ranges and says what is wrong.

import { useId } from 'react'
import { LIMIT_KEYS, LIMIT_MAXIMUMS, limitWords, type LimitKey, type SendLimits } from '../../../shared/contract'
import './sending.css'

/** What the fields hold, as typed. */
export type LimitsDraft = Record<LimitKey, string>

export function LimitFields({ draft, onChange }: { draft: LimitsDraft; onChange: (next: LimitsDraft) => void }) {
  const prefix = useId()
  return (
    <div className="limits-grid">
      {LIMIT_KEYS.map((key) => (
        <div className="field" key={key}>
          <label htmlFor={`${prefix}-${key}`}>{capitalise(limitWords(key))}</label>
          <input
            id={`${prefix}-${key}`}
            inputMode="numeric"
            value={draft[key]}
            placeholder="No limit"
            max={LIMIT_MAXIMUMS[key]}
            onChange={(event) => onChange({ ...draft, [key]: event.target.value })}
          />
        </div>
      ))}
    </div>
  )
}

export function draftOfLimits(limits: SendLimits): LimitsDraft {
  return Object.fromEntries(LIMIT_KEYS.map((key) => [key, limits[key] === null ? '' : String(limits[key])])) as LimitsDraft
}

/** The limits the fields say, or what is wrong with what was typed. */
export function limitsOfDraft(draft: LimitsDraft): { limits: SendLimits } | { problem: string } {
  const limits = {} as SendLimits
  for (const key of LIMIT_KEYS) {
    const text = draft[key].trim()
    if (text === '') limits[key] = null
    else if (!/^\d+$/.test(text)) return { problem: `Give the ${limitWords(key)} as a whole number, or leave it empty for no limit.` }
    else limits[key] = Number(text)
  }
  return { limits }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

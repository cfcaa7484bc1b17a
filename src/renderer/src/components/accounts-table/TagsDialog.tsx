// Tags for one account or many at once: new tags to add (typed, comma-separated) and, of the tags these
// accounts carry, which to remove. The rule for a tag is the contract's (src/shared/tags.ts), checked
// here first so the field says what is wrong without a round trip. accounts:tag answers per account.

import { useId, useMemo, useState, type FormEvent } from 'react'
import { MAX_BULK_IDS, type AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { splitTags, tagProblem } from '../../../../shared/tags'
import { errorMessage } from '../../api/api-error'
import { useTagAccounts } from '../../api/hooks'
import { runChunked, type BulkProgress } from '../../lib/bulk'
import { plural } from '../../lib/plural'
import { Dialog } from '../Dialog'
import { FormFooter } from '../FormParts'

export function TagsDialog({ accounts, onClose, onDone }: { accounts: readonly AccountSummary[]; onClose: () => void; onDone?: () => void }) {
  const ids = { add: useId(), problem: useId(), hint: useId() }
  const tag = useTagAccounts()
  const [text, setText] = useState('')
  const [removing, setRemoving] = useState<ReadonlySet<string>>(new Set())
  const [problem, setProblem] = useState<{ text: string } | null>(null)
  const [progress, setProgress] = useState<BulkProgress<AccountId> | null>(null)
  const running = progress !== null && progress.done < progress.total
  const finished = progress !== null && progress.done === progress.total
  // Every tag these accounts carry, with how many carry it.
  const carried = useMemo(() => {
    const counts = new Map<string, number>()
    for (const a of accounts) for (const t of a.tags ?? []) counts.set(t, (counts.get(t) ?? 0) + 1)
    return [...counts].sort(([a], [b]) => a.localeCompare(b))
  }, [accounts])
  const labels = new Map(accounts.map((a) => [a.id, a.label]))
  const title = accounts.length === 1 ? `Tags of ${accounts[0]!.label}` : `Tags of ${plural(accounts.length, 'account')}`

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault()
    if (running) return
    const add = splitTags(text)
    const bad = add.map(tagProblem).find((p) => p !== null)
    if (bad) {
      setProblem({ text: bad })
      return
    }
    if (add.length === 0 && removing.size === 0) {
      setProblem({ text: 'Type a tag to add, or choose one to remove.' })
      return
    }
    setProblem(null)
    const change = { ...(add.length > 0 ? { add } : {}), ...(removing.size > 0 ? { remove: [...removing] } : {}) }
    const result = await runChunked(
      accounts.map((a) => a.id),
      async (chunk) => (await tag(chunk, change)).map((r) => ({ key: r.id, failure: r.ok ? null : (r.error?.message ?? 'It failed.') })),
      { chunkSize: MAX_BULK_IDS, describe: errorMessage, onProgress: setProgress },
    )
    if (result.failures.length === 0) {
      onDone?.()
      onClose()
    }
  }

  return (
    <Dialog title={title} onClose={onClose} busy={running}>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={ids.add}>Add tags</label>
          <input
            id={ids.add}
            value={text}
            autoComplete="off"
            placeholder="vip, eu-west"
            aria-describedby={ids.hint}
            aria-invalid={problem !== null || undefined}
            aria-errormessage={problem ? ids.problem : undefined}
            disabled={running || finished}
            onChange={(event) => {
              setText(event.target.value)
              setProblem(null)
            }}
            data-autofocus
          />
          <p className="hint" id={ids.hint}>
            Separate tags with commas. Case does not matter: “VIP” and “vip” are one tag. Find tagged accounts by searching for{' '}
            <code>tag:vip</code>.
          </p>
        </div>
        {carried.length > 0 && (
          <fieldset className="choice" disabled={running || finished}>
            <legend>Remove</legend>
            {carried.map(([name, count]) => (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  checked={removing.has(name)}
                  onChange={(event) =>
                    setRemoving((current) => {
                      const next = new Set(current)
                      if (event.target.checked) next.add(name)
                      else next.delete(name)
                      return next
                    })
                  }
                />
                <span>
                  <span className="tag">{name}</span>
                  {accounts.length > 1 && <span className="choice-detail">on {plural(count, 'account')}</span>}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {progress && progress.failures.length > 0 && (
          <ul className="bulk-failures" aria-label="Failures">
            {progress.failures.map((f) => (
              <li key={f.key}>
                <strong>{labels.get(f.key) ?? f.key}</strong>: {f.message}
              </li>
            ))}
          </ul>
        )}
        {finished ? (
          <div className="dialog-actions">
            <p role="status" className="muted">
              Tagged {progress.total - progress.failures.length} of {progress.total}.
            </p>
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        ) : (
          <FormFooter
            problem={problem}
            problemId={ids.problem}
            error={null}
            pending={running}
            progress={`Tagging: ${progress?.done ?? 0} of ${accounts.length} done…`}
            submitLabel={accounts.length === 1 ? 'Save tags' : `Save tags on ${accounts.length}`}
            onCancel={onClose}
          />
        )}
      </form>
    </Dialog>
  )
}

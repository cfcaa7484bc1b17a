// One account's sending (docs/proxies-and-limits.md): the limits that apply, to change (a number, or
// empty for none), and its send queue in sending order, each with when it is expected to go and a way to
// cancel it. The queue is read from the owner; a send that ends (accounts:message-sent) refreshes it.

import { useState, type FormEvent } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import { errorMessage } from '../api/api-error'
import { useCancelQueued, useSendQueue, useSetLimits } from '../api/hooks'
import { formatDateTime } from '../lib/time'
import { draftOfLimits, LimitFields, limitsOfDraft, type LimitsDraft } from './LimitFields'
import './sending.css'

export function SendingPanel({ account }: { account: AccountSummary }) {
  return (
    <>
      <LimitsForm account={account} />
      <QueueList account={account} />
    </>
  )
}

function LimitsForm({ account }: { account: AccountSummary }) {
  const setLimits = useSetLimits()
  const [draft, setDraft] = useState<LimitsDraft>(() => draftOfLimits(account.limits))
  const [problem, setProblem] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault()
    const typed = limitsOfDraft(draft)
    if ('problem' in typed) return setProblem(typed.problem)
    setProblem(null)
    const [result] = await setLimits.mutateAsync({ ids: [account.id], limits: typed.limits })
    if (result && !result.ok) setProblem(result.error?.message ?? 'It failed.')
    else setSaved(true)
  }

  return (
    <form className="form limits-form" onSubmit={(event) => void submit(event).catch(() => undefined)} noValidate aria-label="Send limits">
      <p className="hint">Over a limit a send waits in the queue below and goes, in order, when the limit allows. Empty: no limit.</p>
      <LimitFields
        draft={draft}
        onChange={(next) => {
          setSaved(false)
          setDraft(next)
        }}
      />
      {(problem ?? (setLimits.isError ? errorMessage(setLimits.error) : null)) && (
        <p className="inline-error" role="alert">
          {problem ?? errorMessage(setLimits.error)}
        </p>
      )}
      {saved && (
        <p role="status" className="ok-note">
          Saved.
        </p>
      )}
      <div className="dialog-actions">
        <button type="submit" disabled={setLimits.isPending}>
          {setLimits.isPending ? 'Saving…' : 'Save limits'}
        </button>
      </div>
    </form>
  )
}

function QueueList({ account }: { account: AccountSummary }) {
  const queue = useSendQueue(account.id)
  const cancel = useCancelQueued(account.id)
  const entries = queue.data ?? []
  return (
    <div className="send-queue">
      <h4>Queue</h4>
      {queue.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(queue.error)}
        </p>
      )}
      {queue.isSuccess && entries.length === 0 && <p className="muted">Nothing waits: sends go at once.</p>}
      {entries.length > 0 && (
        <table aria-label={`Send queue of ${account.label}`}>
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">Expected</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.messageId} data-message={entry.messageId}>
                <td>
                  <code>{entry.to}</code>
                </td>
                <td>{formatDateTime(entry.sendAt)}</td>
                <td>
                  <button type="button" className="link-button" disabled={cancel.isPending} onClick={() => cancel.mutate([entry.messageId])}>
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cancel.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(cancel.error)}
        </p>
      )}
    </div>
  )
}

// Sends a test text from one connected account. "To" suggests the other accounts' numbers, so an
// operator can check two accounts end to end in a few keystrokes. Each field says what is wrong with
// it, next to it, with the contract's own rules (a number may have spaces, dashes or parentheses);
// a number that is not on WhatsApp is refused by the core before anything is sent, and said so here.

import { useId, useState, type FormEvent } from 'react'
import { commands, type AccountSummary } from '../../../shared/contract'
import { errorMessage, isAppError } from '../api/api-error'
import { useSendText } from '../api/hooks'
import { formatPhone, whyNoSending } from '../lib/status'

const SEND = commands['accounts:send-text'].input.shape

type Field = 'to' | 'text'

/** The first problem the contract finds with one field, in words (never a schema path). */
function fieldProblem(field: Field, value: string): string | null {
  const parsed = SEND[field].safeParse(value)
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'This value is not accepted.')
}

export function SendMessageForm({ account, others }: { account: AccountSummary; others: readonly AccountSummary[] }) {
  const send = useSendText()
  const ids = { list: useId(), to: useId(), text: useId() }
  const [to, setTo] = useState('')
  const [text, setText] = useState('')
  const [sentTo, setSentTo] = useState<string | null>(null)
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({})
  const suggestions = others.filter((a) => a.phone !== null && a.id !== account.id)
  // "Not on WhatsApp" is about the number: it shows under To, like the form's own checks.
  const toProblem = problems.to ?? (isAppError(send.error) && send.error.code === 'not-found' ? send.error.message : undefined)
  const otherError = send.error && !(isAppError(send.error) && send.error.code === 'not-found') ? send.error : null

  function submit(event: FormEvent): void {
    event.preventDefault()
    setSentTo(null)
    const found = { to: fieldProblem('to', to) ?? undefined, text: fieldProblem('text', text) ?? undefined }
    setProblems(found)
    send.reset()
    if (found.to || found.text) {
      document.getElementById(found.to ? ids.to : ids.text)?.focus()
      return
    }
    const target = to.trim()
    send.mutate(
      { id: account.id, to: target, text },
      {
        onSuccess: () => {
          setSentTo(target)
          setText('')
        },
      },
    )
  }

  const unavailable = whyNoSending(account)
  if (unavailable) return <p className="muted">{unavailable}</p>

  return (
    <form className="form send-form" onSubmit={submit} aria-label={`Send a test message from ${account.label}`} noValidate>
      <div className="field">
        <label htmlFor={ids.to}>To (phone number)</label>
        <input
          id={ids.to}
          name="to"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+1 555 123 4567"
          list={suggestions.length > 0 ? ids.list : undefined}
          value={to}
          aria-invalid={toProblem ? true : undefined}
          aria-describedby={toProblem ? `${ids.to}-problem` : undefined}
          onChange={(event) => {
            setTo(event.target.value)
            setProblems((p) => ({ ...p, to: undefined }))
          }}
        />
        {toProblem && (
          <p className="field-error" id={`${ids.to}-problem`} role="alert">
            {toProblem}
          </p>
        )}
      </div>
      {suggestions.length > 0 && (
        <datalist id={ids.list}>
          {suggestions.map((a) => (
            <option key={a.id} value={formatPhone(a.phone) ?? ''}>
              {a.label}
            </option>
          ))}
        </datalist>
      )}
      <div className="field">
        <label htmlFor={ids.text}>Message</label>
        <textarea
          id={ids.text}
          name="text"
          rows={3}
          maxLength={4096}
          value={text}
          aria-invalid={problems.text ? true : undefined}
          aria-describedby={problems.text ? `${ids.text}-problem` : undefined}
          onChange={(event) => {
            setText(event.target.value)
            setProblems((p) => ({ ...p, text: undefined }))
          }}
        />
        {problems.text && (
          <p className="field-error" id={`${ids.text}-problem`} role="alert">
            {problems.text}
          </p>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send message'}
        </button>
        <span role="status" className="muted">
          {sentTo && !send.isPending ? `Sent to ${sentTo}.` : ''}
        </span>
      </div>
      {otherError && (
        <p className="inline-error" role="alert">
          {errorMessage(otherError)}
        </p>
      )}
    </form>
  )
}

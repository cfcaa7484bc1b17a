// Sends a test text from one connected account. "To" suggests the other accounts' numbers, so an
// operator can check two accounts end to end in a few keystrokes.

import { useId, useState, type FormEvent } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import { errorMessage } from '../api/api-error'
import { useSendText } from '../api/hooks'
import { formatPhone } from '../lib/status'

export function SendMessageForm({ account, others }: { account: AccountSummary; others: readonly AccountSummary[] }) {
  const send = useSendText()
  const listId = useId()
  const [to, setTo] = useState('')
  const [text, setText] = useState('')
  const [sentTo, setSentTo] = useState<string | null>(null)
  const suggestions = others.filter((a) => a.phone !== null && a.id !== account.id)

  function submit(event: FormEvent): void {
    event.preventDefault()
    setSentTo(null)
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

  if (account.status !== 'connected') {
    return <p className="muted">Sending needs a connected account. Start {account.label} and wait until it shows Connected.</p>
  }

  return (
    <form className="form send-form" onSubmit={submit} aria-label={`Send a test message from ${account.label}`}>
      <label className="field">
        <span>To (phone number)</span>
        <input
          name="to"
          type="tel"
          inputMode="tel"
          required
          autoComplete="off"
          placeholder="+15551234567"
          list={suggestions.length > 0 ? listId : undefined}
          value={to}
          onChange={(event) => setTo(event.target.value)}
        />
      </label>
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((a) => (
            <option key={a.id} value={formatPhone(a.phone) ?? ''}>
              {a.label}
            </option>
          ))}
        </datalist>
      )}
      <label className="field">
        <span>Message</span>
        <textarea name="text" required rows={3} maxLength={4096} value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send message'}
        </button>
        <span role="status" className="muted">
          {sentTo && !send.isPending ? `Sent to ${sentTo}.` : ''}
        </span>
      </div>
      {send.error && (
        <p className="inline-error" role="alert">
          {errorMessage(send.error)}
        </p>
      )}
    </form>
  )
}

// Adds a webhook: its address, the events it receives, and optionally a secret of the operator's own.
// The secret (given or generated) is shown once, with a copy button: the server never shows it again.
// So it takes the focus when shown, which brings it into view: under a long list of endpoints the form
// ends below the fold, and a secret nobody saw is lost.

import { useId, useState, type FormEvent } from 'react'
import { eventLabel, WEBHOOK_EVENTS, type WebhookEvent } from '../../../../shared/contract'
import { errorMessage } from '../../api/api-error'
import { useAddWebhook } from '../../api/webhook-hooks'
import { SecretOnce } from '../SecretOnce'

export function AddWebhookForm() {
  const add = useAddWebhook()
  const ids = { url: useId(), secret: useId(), heading: useId() }
  const [url, setUrl] = useState('')
  const [secret, setSecret] = useState('')
  const [events, setEvents] = useState<WebhookEvent[]>(['accounts:message'])
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null)

  function submit(event: FormEvent): void {
    event.preventDefault()
    setCreated(null)
    add.mutate(
      { url: url.trim(), events, ...(secret.trim() ? { secret: secret.trim() } : {}) },
      {
        onSuccess: (result) => {
          setCreated({ url: result.url, secret: result.secret })
          setUrl('')
          setSecret('')
        },
      },
    )
  }

  function toggle(name: WebhookEvent, on: boolean): void {
    setEvents((current) => (on ? [...current, name] : current.filter((e) => e !== name)))
  }

  return (
    <section className="panel" aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>Add a webhook</h3>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.url}>Address</label>
          <input id={ids.url} type="url" value={url} placeholder="https://hooks.example.com/irish" onChange={(e) => setUrl(e.target.value)} />
          <p className="hint">https, or http only to this machine (127.0.0.1, localhost).</p>
        </div>
        <fieldset className="choice">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
              <span>
                {eventLabel(name)} <code className="muted">{name}</code>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={ids.secret}>Secret (optional)</label>
          <input id={ids.secret} value={secret} autoComplete="off" spellCheck={false} placeholder="Empty: generate one" onChange={(e) => setSecret(e.target.value)} />
        </div>
        {add.isError && (
          <p className="inline-error" role="alert">
            {errorMessage(add.error)}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add webhook'}
          </button>
        </div>
      </form>
      {created && (
        <SecretOnce label="New webhook secret" secret={created.secret} copyLabel="Copy secret">
          Added <strong>{created.url}</strong>. Its secret is shown this once: keep it where the receiver checks signatures.
        </SecretOnce>
      )}
    </section>
  )
}

// Pairing by phone-number code ("Link with phone number"): the operator gives the number of the phone
// that owns the account and gets an 8-character code to type on that phone, shown large, with a copy
// button, a countdown, the phone's menu path and a button for a new code. With a trusted local
// simulator, "Simulate entering the code" plays the person at the phone, with or without a passkey on
// that phone's account.

import { useState, type FormEvent } from 'react'
import type { PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { PHONE_MENU_PATH } from '../../../shared/pairing'
import { errorMessage } from '../api/api-error'
import { usePairByCode, useSimulateEnterCode } from '../api/hooks'
import type { PairingPhase } from '../lib/pairing-phase'
import { formatPhone } from '../lib/status'
import { formatCountdown } from '../lib/time'

export function CodePairing({
  id,
  phase,
  pairing,
  now,
  canSimulate,
}: {
  id: AccountId
  phase: PairingPhase
  pairing: PairingState | undefined
  now: number
  canSimulate: boolean
}) {
  const request = usePairByCode()
  const enter = useSimulateEnterCode()
  const [phone, setPhone] = useState(pairing?.phone ? `+${pairing.phone}` : '')
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null)
  const code = phase === 'waiting' && pairing?.method === 'code' ? pairing.code : null
  const forPhone = pairing?.phone ?? null

  function ask(event?: FormEvent): void {
    event?.preventDefault()
    setCopied(null)
    enter.reset()
    request.mutate({ id, phone })
  }

  async function copy(value: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(value)
      setCopied('copied')
    } catch {
      // No clipboard (an insecure origin, a denied permission): the code stays selectable.
      setCopied('failed')
    }
  }

  return (
    <div className="code-pairing">
      <form className="form code-form" onSubmit={ask}>
        <label className="field">
          <span>Phone number of the phone that owns the account</span>
          <input
            name="phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            value={phone}
            placeholder="+49 151 2345 6789"
            onChange={(event) => setPhone(event.target.value)}
            data-autofocus
          />
        </label>
        <button type="submit" className={code ? undefined : 'primary'} disabled={request.isPending || phone.trim() === ''}>
          {request.isPending ? 'Asking WhatsApp…' : code || phase === 'rotating' || phase === 'expired' ? 'New code' : 'Get code'}
        </button>
      </form>

      {request.error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(request.error)}
        </p>
      )}

      {code && (
        <div className="code-block">
          <div className="code-row">
            <code className="link-code" aria-label="Linking code">
              {code}
            </code>
            <button type="button" onClick={() => void copy(code)} aria-label="Copy the code">
              Copy
            </button>
          </div>
          <p className="countdown" role="timer" aria-label="Time left to enter the code">
            Expires in {formatCountdown((pairing?.codeExpiresAt ?? now) - now)}
          </p>
          {copied && (
            <p className="muted" aria-live="polite">
              {copied === 'copied' ? 'Copied.' : 'Copying is not allowed here: select the code and copy it.'}
            </p>
          )}
          <ol className="steps">
            <li>Open WhatsApp on the phone{forPhone ? ` with the number ${formatPhone(forPhone)}` : ''}.</li>
            <li>Go to {PHONE_MENU_PATH.slice(0, 3).join(' → ')}.</li>
            <li>Tap “{PHONE_MENU_PATH[3]}” and type this code.</li>
          </ol>
        </div>
      )}

      {enter.error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(enter.error)}
        </p>
      )}
      {canSimulate && code && (
        <div className="pairing-extra">
          <button type="button" onClick={() => enter.mutate({ id })} disabled={enter.isPending}>
            {enter.isPending && !enter.variables?.passkey ? 'Entering…' : 'Simulate entering the code'}
          </button>
          <button type="button" onClick={() => enter.mutate({ id, passkey: true })} disabled={enter.isPending}>
            {enter.isPending && enter.variables?.passkey ? 'Entering…' : 'Simulate it on a passkey phone'}
          </button>
        </div>
      )}
    </div>
  )
}

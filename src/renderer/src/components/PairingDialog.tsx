// Adds an account and pairs it: asks for an optional label, creates the account, then offers the
// methods side by side: "Scan QR code" (each QR as it rotates, with a countdown), "Link with phone
// number" (a code to type on the phone) and "Verify with passkey", which opens by itself when WhatsApp
// asks for the account's passkey after either (PasskeyPairing.tsx). It follows the account through
// waiting, paired/connecting and connected. With a trusted local simulator, "Simulate scan" and
// "Simulate entering the code" play the phone.

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import type { AccountId } from '../../../shared/ids'
import type { PairingMethod } from '../../../shared/pairing'
import { errorMessage } from '../api/api-error'
import { useAccount, useAccountAction, useAddAccount, usePairing, useSimulatorInfo } from '../api/hooks'
import { useNow } from '../lib/time'
import { pairingPhase, phaseText } from '../lib/pairing-phase'
import { formatPhone } from '../lib/status'
import { CodePairing } from './CodePairing'
import { Dialog } from './Dialog'
import { PasskeyPairing } from './PasskeyPairing'
import { QrPairing } from './QrPairing'
import { Loading } from './States'
import './pairing.css'

/** `step`: where this pairing stands in a series ("2 of 5"), said in the title. */
export function PairingDialog({ accountId, onClose, step }: { accountId?: AccountId; onClose: () => void; step?: string }) {
  const [id, setId] = useState<AccountId | null>(accountId ?? null)
  const add = useAddAccount()
  // The title names the account being paired.
  const label = useAccount(id ?? ('' as AccountId)).data?.label
  const title = id ? `Pair ${label ?? 'an account'}${step ? ` (${step})` : ''}` : 'Add an account'
  return (
    <Dialog title={title} onClose={onClose} busy={add.isPending}>
      {id === null ? (
        <CreateStep
          pending={add.isPending}
          error={add.error}
          onCreate={(label) => add.mutate(label, { onSuccess: (summary) => setId(summary.id) })}
          onCancel={onClose}
        />
      ) : (
        <PairingStep id={id} onClose={onClose} />
      )}
    </Dialog>
  )
}

function CreateStep({
  pending,
  error,
  onCreate,
  onCancel,
}: {
  pending: boolean
  error: unknown
  onCreate: (label: string | undefined) => void
  onCancel: () => void
}) {
  const [label, setLabel] = useState('')
  function submit(event: FormEvent): void {
    event.preventDefault()
    onCreate(label.trim() === '' ? undefined : label.trim())
  }
  return (
    <form onSubmit={submit} className="form">
      <p>
        Give the account a name you will recognise, then scan the QR code that follows with WhatsApp on the phone that owns
        the number.
      </p>
      <label className="field">
        <span>Label (optional)</span>
        <input
          name="label"
          value={label}
          maxLength={80}
          autoComplete="off"
          placeholder="e.g. Support line"
          onChange={(event) => setLabel(event.target.value)}
          data-autofocus
        />
      </label>
      {error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create and show QR code'}
        </button>
      </div>
    </form>
  )
}

function PairingStep({ id, onClose }: { id: AccountId; onClose: () => void }) {
  const account = useAccount(id).data
  const pairing = usePairing(id)
  const simulator = useSimulatorInfo().data
  const retry = useAccountAction()
  const now = useNow()
  const doneRef = useRef<HTMLButtonElement>(null)
  const [method, setMethod] = useState<PairingMethod>(pairing.data?.method ?? 'qr')
  const sawQr = useRef(false)
  const sawCode = useRef(false)
  if (pairing.data?.qr) sawQr.current = true
  if (pairing.data?.method === 'code' && pairing.data.code) sawCode.current = true
  const checking = pairing.data?.passkey != null
  // WhatsApp asked for a passkey: its tab opens by itself, and closes again when the check ends.
  const openedForCheck = useRef(false)
  useEffect(() => {
    if (checking) {
      openedForCheck.current = true
      setMethod('passkey')
    } else if (openedForCheck.current) {
      openedForCheck.current = false
      setMethod(pairing.data?.method === 'code' ? 'code' : 'qr')
    }
  }, [checking, pairing.data?.method])

  const phase = pairingPhase(account, pairing.data, now, method === 'code' ? sawCode.current : sawQr.current, method)
  // Replacing the create form drops the focus on the page's body: put it back inside the dialog.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) doneRef.current?.focus()
  }, [])
  // Once connected, Done takes the focus, so a keyboard user finishes with one Enter.
  useEffect(() => {
    if (phase === 'connected') doneRef.current?.focus()
  }, [phase])

  const canSimulate = simulator?.trusted === true && simulator.admin !== null
  const label = account?.label ?? 'this account'
  const choosing = !['connected', 'paired', 'reconnecting', 'gone'].includes(phase)

  if (pairing.isPending && !account) return <Loading what="the pairing state" />

  return (
    <div className={`pairing phase-${phase}`}>
      <p className="pairing-status" role="status">
        <span className={`phase-dot phase-dot-${phase}`} aria-hidden="true" />
        {phaseText(phase, method)}
        {phase === 'connected' && account?.phone ? ` as ${formatPhone(account.phone)}${account.name ? ` (${account.name})` : ''}.` : ''}
      </p>

      {choosing && <MethodTabs method={method} onChange={setMethod} locked={checking} />}

      {choosing && pairing.data?.passkeyError && (
        <p className="inline-error" role="alert">
          The passkey check failed: {pairing.data.passkeyError}
        </p>
      )}

      {method === 'passkey' && choosing ? (
        <PasskeyPairing id={id} phase={phase} pairing={pairing.data} now={now} canSimulate={canSimulate} />
      ) : method === 'qr' || !choosing ? (
        <QrPairing id={id} label={label} phase={phase} pairing={pairing.data} now={now} canSimulate={canSimulate} />
      ) : (
        <CodePairing id={id} phase={phase} pairing={pairing.data} now={now} canSimulate={canSimulate} />
      )}

      {(phase === 'expired' || phase === 'stopped') && account?.lastError && <p className="muted">{account.lastError}</p>}

      {retry.error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(retry.error)}
        </p>
      )}

      <div className="dialog-actions">
        {method === 'qr' && (phase === 'expired' || phase === 'stopped') && (
          <button type="button" className="primary" onClick={() => retry.mutate({ id, action: 'start' })} disabled={retry.isPending}>
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
        )}
        <button type="button" ref={doneRef} className={phase === 'connected' ? 'primary' : undefined} onClick={onClose}>
          {phase === 'connected' || phase === 'gone' ? 'Done' : 'Close'}
        </button>
      </div>
    </div>
  )
}

const METHODS: Array<{ method: PairingMethod; label: string }> = [
  { method: 'qr', label: 'Scan QR code' },
  { method: 'code', label: 'Link with phone number' },
  { method: 'passkey', label: 'Verify with passkey' },
]

/**
 * The methods side by side, as tabs (arrow keys move between them, as the ARIA tabs pattern says).
 * `locked`: a passkey check is under way, so only its tab can be chosen.
 */
function MethodTabs({ method, onChange, locked }: { method: PairingMethod; onChange: (method: PairingMethod) => void; locked: boolean }) {
  const enabled = METHODS.filter((entry) => !locked || entry.method === 'passkey')
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return
    event.preventDefault()
    const at = enabled.findIndex((entry) => entry.method === method)
    const step = event.key === 'ArrowRight' ? 1 : -1
    const next = enabled[(at + step + enabled.length) % enabled.length]!.method
    onChange(next)
    event.currentTarget.querySelector<HTMLButtonElement>(`[data-method="${next}"]`)?.focus()
  }
  return (
    <div className="pairing-tabs with-passkey" role="tablist" aria-label="How to pair" onKeyDown={onKeyDown}>
      {METHODS.map((entry) => (
        <button
          key={entry.method}
          type="button"
          role="tab"
          data-method={entry.method}
          aria-selected={method === entry.method}
          tabIndex={method === entry.method ? 0 : -1}
          disabled={locked && entry.method !== 'passkey'}
          onClick={() => onChange(entry.method)}
        >
          {entry.label}
        </button>
      ))}
    </div>
  )
}

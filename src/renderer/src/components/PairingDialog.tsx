// Adds an account and pairs it by QR code: asks for an optional label, creates the account, then shows
// each QR code as it rotates with a countdown, and follows the account through waiting for a scan,
// paired/connecting and connected. If the codes run out, Retry starts the account again for new ones.
// With a trusted local simulator, "Simulate scan" plays the phone.

import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { AccountId } from '../../../shared/ids'
import { errorMessage } from '../api/api-error'
import { useAccount, useAccountAction, useAddAccount, usePairing, useSimulateScan, useSimulatorInfo } from '../api/hooks'
import { formatCountdown, useNow } from '../lib/time'
import { PHASE_TEXT, pairingPhase } from '../lib/pairing-phase'
import { formatPhone } from '../lib/status'
import { Dialog } from './Dialog'
import { QrImage } from './QrImage'
import { Loading } from './States'

export function PairingDialog({ accountId, onClose }: { accountId?: AccountId; onClose: () => void }) {
  const [id, setId] = useState<AccountId | null>(accountId ?? null)
  const add = useAddAccount()
  return (
    <Dialog title={id ? 'Pair an account' : 'Add an account'} onClose={onClose} busy={add.isPending}>
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
  const scan = useSimulateScan()
  const retry = useAccountAction()
  const now = useNow()
  const doneRef = useRef<HTMLButtonElement>(null)
  const sawQr = useRef(false)
  if (pairing.data?.qr) sawQr.current = true

  const phase = pairingPhase(account, pairing.data, now, sawQr.current)
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

  if (pairing.isPending && !account) return <Loading what="the pairing state" />

  return (
    <div className={`pairing phase-${phase}`}>
      <p className="pairing-status" role="status">
        <span className={`phase-dot phase-dot-${phase}`} aria-hidden="true" />
        {PHASE_TEXT[phase]}
        {phase === 'connected' && account?.phone ? ` as ${formatPhone(account.phone)}${account.name ? ` (${account.name})` : ''}.` : ''}
      </p>

      {phase === 'waiting' && pairing.data?.qr && (
        <div className="qr-block">
          <QrImage payload={pairing.data.qr} alt={`QR code for ${label}`} />
          <p className="countdown" role="timer" aria-label="Time left to scan">
            Expires in {formatCountdown((pairing.data.expiresAt ?? now) - now)}
          </p>
        </div>
      )}
      {(phase === 'preparing' || phase === 'rotating' || phase === 'paired') && <div className="qr-placeholder busy" aria-hidden="true" />}

      {phase === 'waiting' && (
        <ol className="steps">
          <li>Open WhatsApp on the phone.</li>
          <li>Go to Settings → Linked devices → Link a device.</li>
          <li>Point the camera at this code. A new code appears every 20 seconds or so.</li>
        </ol>
      )}

      {(phase === 'expired' || phase === 'stopped') && account?.lastError && <p className="muted">{account.lastError}</p>}

      {(scan.error || retry.error) && (
        <p className="inline-error" role="alert">
          {errorMessage(scan.error ?? retry.error)}
        </p>
      )}

      <div className="dialog-actions">
        {canSimulate && phase === 'waiting' && (
          <button type="button" onClick={() => scan.mutate(id)} disabled={scan.isPending}>
            {scan.isPending ? 'Scanning…' : 'Simulate scan'}
          </button>
        )}
        {(phase === 'expired' || phase === 'stopped') && (
          <button type="button" className="primary" onClick={() => retry.mutate({ id, action: 'start' })} disabled={retry.isPending}>
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
        )}
        <button
          type="button"
          ref={doneRef}
          className={phase === 'connected' ? 'primary' : undefined}
          onClick={onClose}
        >
          {phase === 'connected' || phase === 'gone' ? 'Done' : 'Close'}
        </button>
      </div>
    </div>
  )
}

// Pairing by QR code: the current QR as it rotates, with a countdown and the phone's menu path. With a
// trusted local simulator, "Simulate scan" plays the phone, and a second button plays a phone whose
// account needs a passkey check (the dialog then goes through the passkey path).

import type { PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { errorMessage } from '../api/api-error'
import { useSimulateScan } from '../api/hooks'
import type { PairingPhase } from '../lib/pairing-phase'
import { formatCountdown } from '../lib/time'
import { QrImage } from './QrImage'

export function QrPairing({
  id,
  label,
  phase,
  pairing,
  now,
  canSimulate,
}: {
  id: AccountId
  label: string
  phase: PairingPhase
  pairing: PairingState | undefined
  now: number
  canSimulate: boolean
}) {
  const scan = useSimulateScan()
  return (
    <>
      {phase === 'waiting' && pairing?.qr && (
        <div className="qr-block">
          <QrImage payload={pairing.qr} alt={`QR code for ${label}`} />
          <p className="countdown" role="timer" aria-label="Time left to scan">
            Expires in {formatCountdown((pairing.expiresAt ?? now) - now)}
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

      {scan.error !== null && (
        <p className="inline-error" role="alert">
          {errorMessage(scan.error)}
        </p>
      )}
      {canSimulate && phase === 'waiting' && (
        <div className="pairing-extra">
          <button type="button" onClick={() => scan.mutate({ id })} disabled={scan.isPending}>
            {scan.isPending && !scan.variables?.passkey ? 'Scanning…' : 'Simulate scan'}
          </button>
          <button type="button" onClick={() => scan.mutate({ id, passkey: true })} disabled={scan.isPending}>
            {scan.isPending && scan.variables?.passkey ? 'Scanning…' : 'Simulate scan by a passkey phone'}
          </button>
        </div>
      )}
    </>
  )
}

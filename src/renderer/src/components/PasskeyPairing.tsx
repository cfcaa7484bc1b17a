// "Verify with passkey", the pairing dialog's third path. WhatsApp asks some accounts for their passkey
// after the QR code is scanned or the code is typed: this explains it, offers the ceremony (a window of
// the desktop app, or a link for the browser helper with how to install it), counts down, then shows the
// confirmation code large beside "It matches my phone". The app never confirms by itself.
// docs/passkey-linking.md. With a trusted local simulator, "Simulate the authenticator" plays the
// person's device.

import { useState } from 'react'
import type { PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { withCeremonyServer } from '../../../shared/passkey-ceremony'
import { errorMessage } from '../api/api-error'
import { useTransport } from '../api/ApiProvider'
import { usePasskeyCancel, usePasskeyConfirm, useSimulateAuthenticator } from '../api/hooks'
import type { PairingPhase } from '../lib/pairing-phase'
import { formatCountdown } from '../lib/time'
import './passkey-pairing.css'

export function PasskeyPairing({
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
  const confirm = usePasskeyConfirm()
  const cancel = usePasskeyCancel()
  const authenticate = useSimulateAuthenticator()
  const errors = [confirm.error, cancel.error, authenticate.error].filter((e) => e !== null)
  const passkey = pairing?.passkey ?? null
  const busy = confirm.isPending || cancel.isPending || authenticate.isPending
  const countdown = pairing?.expiresAt != null && passkey !== null && (
    <p className="countdown" role="timer" aria-label="Time left for the passkey check">
      Time left {formatCountdown(pairing.expiresAt - now)}
    </p>
  )

  if (phase === 'passkey-idle' || passkey === null) {
    return (
      <div className="passkey-pairing">
        <p>
          Some WhatsApp accounts need their passkey before a new device may link. For those, WhatsApp asks right after the QR
          code is scanned or the code is typed, and this tab opens by itself.
        </p>
        <p className="muted">Start with “Scan QR code” or “Link with phone number”.</p>
      </div>
    )
  }

  return (
    <div className="passkey-pairing">
      {passkey.phase === 'required' ? (
        <>
          <p>
            The owner of this WhatsApp account protects it with a <strong>passkey</strong>. Before WhatsApp links this app as a
            new device, the passkey must sign a one-time challenge: on this computer, on a security key, or on a phone nearby.
            Then you compare a short code with the phone.
          </p>
          <Ceremony url={passkey.ceremonyUrl} />
          {countdown}
        </>
      ) : (
        <>
          <p>WhatsApp accepted the passkey. Check that the phone shows this same code, then confirm.</p>
          <div className="code-block">
            <code className="link-code passkey-code" aria-label="Confirmation code">
              {passkey.code}
            </code>
            {countdown}
          </div>
        </>
      )}

      {errors.map((error, index) => (
        <p key={index} className="inline-error" role="alert">
          {errorMessage(error)}
        </p>
      ))}

      <div className="passkey-actions">
        {passkey.phase === 'confirm' && (
          <button type="button" className="primary" onClick={() => confirm.mutate(id)} disabled={busy}>
            {confirm.isPending ? 'Linking…' : 'It matches my phone'}
          </button>
        )}
        {passkey.phase === 'required' && canSimulate && (
          <button type="button" onClick={() => authenticate.mutate(id)} disabled={busy}>
            {authenticate.isPending ? 'Signing…' : 'Simulate the authenticator'}
          </button>
        )}
        <button type="button" onClick={() => cancel.mutate(id)} disabled={busy}>
          {passkey.phase === 'confirm' ? 'It does not match' : 'Cancel the passkey check'}
        </button>
      </div>
      {phase === 'passkey-confirm' && <p className="muted">If the codes differ, someone else may be trying to link: do not confirm.</p>}
    </div>
  )
}

/**
 * The desktop app opens its own ceremony window for the link (window.open reaches the main process's
 * open handler); in a browser the link opens WhatsApp Web's address, where the helper extension runs
 * the prompt and talks to this server (the page names its own origin, which every server of a fleet answers).
 */
function Ceremony({ url }: { url: string }) {
  const transport = useTransport()
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null)
  if (transport.kind === 'ipc') {
    return (
      <div className="passkey-ceremony">
        <button type="button" className="primary" onClick={() => window.open(url, '_blank')}>
          Verify with passkey
        </button>
        <p className="muted">A small window opens and your device asks for the passkey. Nothing is sent to WhatsApp’s website.</p>
      </div>
    )
  }
  const link = withCeremonyServer(url, window.location.origin)
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(link)
      setCopied('copied')
    } catch {
      setCopied('failed')
    }
  }
  return (
    <div className="passkey-ceremony">
      <div className="passkey-link-row">
        <a className="button primary" href={link} target="_blank" rel="noopener noreferrer">
          Open the passkey page
        </a>
        <button type="button" onClick={() => void copy()}>
          Copy link
        </button>
      </div>
      {copied && (
        <p className="muted" aria-live="polite">
          {copied === 'copied' ? 'Copied. The link works once.' : 'Copying is not allowed here: open the link instead.'}
        </p>
      )}
      <p className="muted">
        The page opens WhatsApp Web’s address, where the Irish passkey helper asks your browser for the passkey and hands the
        answer to this server. The link works once, for this check only.
      </p>
      <details className="passkey-helper-help">
        <summary>Install the passkey helper (once per browser)</summary>
        <ol className="steps">
          <li>
            Get the helper: an administrator builds it with <code>npm run build:passkey-helper</code> (the folder{' '}
            <code>out/passkey-helper</code>, or its zip).
          </li>
          <li>
            In Chrome, Edge or another Chromium browser, open <code>chrome://extensions</code>, turn on Developer mode, choose
            “Load unpacked” and pick that folder.
          </li>
          <li>
            Open the passkey page. The first time, the helper asks to talk to this server ({window.location.origin}): allow it,
            then press Continue.
          </li>
        </ol>
      </details>
    </div>
  )
}

// Where an account stands in pairing, as the add-account dialog tells it: from the account's status,
// its current QR code (or linking code, or passkey check) and whether this dialog has already shown one.

import type { AccountSummary, PairingState } from '../../../shared/contract'
import type { PairingMethod } from '../../../shared/pairing'
import { isRunning } from './status'

export type PairingPhase =
  | 'preparing'
  | 'waiting'
  | 'rotating'
  | 'paired'
  | 'connected'
  | 'reconnecting'
  | 'expired'
  | 'stopped'
  | 'gone'
  /** The passkey tab, before WhatsApp asked for any check. */
  | 'passkey-idle'
  /** WhatsApp asks for the account's passkey. */
  | 'passkey-required'
  /** The passkey was accepted: the person compares the code with the phone. */
  | 'passkey-confirm'

export const PHASE_TEXT: Record<PairingPhase, string> = {
  preparing: 'Preparing a QR code…',
  waiting: 'Waiting for a scan',
  rotating: 'That code expired. Waiting for the next one…',
  paired: 'Paired. Connecting…',
  connected: 'Connected',
  reconnecting: 'The connection dropped. Reconnecting…',
  expired: 'The QR code expired before anyone scanned it',
  stopped: 'Pairing stopped',
  gone: 'This account was removed',
  'passkey-idle': 'No passkey check asked for yet',
  'passkey-required': 'WhatsApp asks for a passkey',
  'passkey-confirm': 'Compare the code with the phone',
}

/** The same phases in the words of pairing by code. */
export const CODE_PHASE_TEXT: Record<PairingPhase, string> = {
  ...PHASE_TEXT,
  preparing: 'Enter the phone number to get a code',
  waiting: 'Waiting for the code on the phone',
  rotating: 'That code expired. Ask for a new one.',
  expired: 'The code expired before anyone entered it',
}

export function phaseText(phase: PairingPhase, method: PairingMethod): string {
  return (method === 'code' ? CODE_PHASE_TEXT : PHASE_TEXT)[phase]
}

/**
 * `method`: the one the dialog shows. `sawQr`: whether it has shown a code of that method already.
 * With the code method, only a code asked for counts: the QR codes keep rotating underneath.
 */
export function pairingPhase(
  account: AccountSummary | undefined,
  pairing: PairingState | undefined,
  now: number,
  sawQr: boolean,
  method: PairingMethod = 'qr',
): PairingPhase {
  if (!account) return 'gone'
  switch (account.status) {
    case 'connected':
      return 'connected'
    case 'reconnecting':
      return 'reconnecting'
    case 'pairing':
      // WhatsApp asked for a passkey after the scan or the code: that is what happens now, whichever tab.
      if (pairing?.passkey) return pairing.passkey.phase === 'confirm' ? 'passkey-confirm' : 'passkey-required'
      if (method === 'passkey') return 'passkey-idle'
      if (method === 'code') {
        if (pairing?.method === 'code' && pairing.code && pairing.codeExpiresAt !== null && pairing.codeExpiresAt > now) return 'waiting'
        return sawQr ? 'rotating' : 'preparing'
      }
      if (pairing?.qr && pairing.expiresAt !== null && pairing.expiresAt > now) return 'waiting'
      return sawQr ? 'rotating' : 'preparing'
    case 'connecting':
      return sawQr || account.pairedAt !== null ? 'paired' : 'preparing'
    case 'new':
      return 'preparing'
    case 'failed':
      // The session manager ends pairing as failed when the QR codes run out, and on other errors
      // (whose message the dialog shows under "Pairing stopped").
      return account.lastError !== null && !/QR|code/.test(account.lastError) ? 'stopped' : 'expired'
    default:
      return isRunning(account.status) ? 'preparing' : 'stopped'
  }
}

// Where an account stands in pairing, as the add-account dialog tells it: from the account's status,
// its current QR code and whether this dialog has already shown one.

import type { AccountSummary, PairingState } from '../../../shared/contract'
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
}

export function pairingPhase(
  account: AccountSummary | undefined,
  pairing: PairingState | undefined,
  now: number,
  sawQr: boolean,
): PairingPhase {
  if (!account) return 'gone'
  switch (account.status) {
    case 'connected':
      return 'connected'
    case 'reconnecting':
      return 'reconnecting'
    case 'pairing':
      if (pairing?.qr && pairing.expiresAt !== null && pairing.expiresAt > now) return 'waiting'
      return sawQr ? 'rotating' : 'preparing'
    case 'connecting':
      return sawQr || account.pairedAt !== null ? 'paired' : 'preparing'
    case 'new':
      return 'preparing'
    case 'failed':
      // The session manager ends pairing as failed when the QR codes run out, and on other errors
      // (whose message the dialog shows under "Pairing stopped").
      return account.lastError !== null && !/QR/.test(account.lastError) ? 'stopped' : 'expired'
    default:
      return isRunning(account.status) ? 'preparing' : 'stopped'
  }
}

// Pairing a new device, as strategies behind one pairing state. QR: the phone scans the codes Baileys
// shows as they rotate. The state says which method is active and what the operator sees.
// Main process, Electron-free.

import type { AccountId } from '../../../shared/ids'
import type { PairingState } from '../../../shared/contract'
import type { EventBus } from '../events'
import type { AccountBook } from './account-book'

/** Baileys shows the first QR for 60 s and each next one for 20 s. */
const FIRST_QR_MS = 60_000
const NEXT_QR_MS = 20_000

/** One account's pairing, reset for every socket. */
export interface Pairing {
  qr: { qr: string; expiresAt: number } | null
  /** QR codes shown by the current socket. */
  qrShown: number
}

export function newPairing(): Pairing {
  return { qr: null, qrShown: 0 }
}

export interface PairingStrategies {
  /** A fresh socket: nothing is showing yet. */
  reset(pairing: Pairing): void
  /** Baileys rotated its QR code. */
  onQr(pairing: Pairing, qr: string): void
  /** The socket opened or closed: the codes it showed are void. */
  end(pairing: Pairing): void
  state(id: AccountId, pairing: Pairing | undefined): PairingState
  emit(id: AccountId, pairing: Pairing | undefined): void
}

export function createPairing(deps: { book: AccountBook; events: EventBus; now: () => number }): PairingStrategies {
  const { book, events, now } = deps

  function state(id: AccountId, pairing: Pairing | undefined): PairingState {
    const qr = pairing?.qr && pairing.qr.expiresAt > now() ? pairing.qr : null
    return { id, qr: qr?.qr ?? null, expiresAt: qr?.expiresAt ?? null, status: book.record(id).status }
  }

  return {
    reset(pairing) {
      pairing.qr = null
      pairing.qrShown = 0
    },
    onQr(pairing, qr) {
      pairing.qr = { qr, expiresAt: now() + (pairing.qrShown === 0 ? FIRST_QR_MS : NEXT_QR_MS) }
      pairing.qrShown += 1
    },
    end(pairing) {
      pairing.qr = null
    },
    state,
    emit(id, pairing) {
      events.emit('accounts:qr', state(id, pairing))
    },
  }
}

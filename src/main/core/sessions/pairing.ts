// Pairing a new device, as two strategies behind one pairing state. QR: the phone scans the codes
// Baileys shows as they rotate. Code: Baileys asks WhatsApp for a linking code for a phone number
// (requestPairingCode) and a person types it on that phone. Both need a registered socket (one that
// showed its first QR), and both end when Baileys' QR refs run out (408), which ends the code too.
// After either, WhatsApp may ask for a passkey check (passkey-pairing.ts): the state shows it then.
// Main process, Electron-free. Codes and ceremony tokens are secrets while valid: never log them.

import type { WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { PairingState } from '../../../shared/contract'
import { formatPairingCode, type ChosenPairingMethod } from '../../../shared/pairing'
import type { PasskeyPairing } from '../../../shared/passkey'
import { ceremonyUrl } from '../../../shared/passkey-ceremony'
import type { EventBus } from '../events'
import type { PasskeyStep } from '../passkey/linker'
import type { AccountBook } from './account-book'

/** Baileys shows the first QR for 60 s and each next one for 20 s. */
const FIRST_QR_MS = 60_000
const NEXT_QR_MS = 20_000
/** WhatsApp hands a registering companion six QR refs; when the last one lapses Baileys closes (408). */
const QR_REFS = 6
const PAIRING_WINDOW_MS = FIRST_QR_MS + (QR_REFS - 1) * NEXT_QR_MS
/** How long pairByCode waits for the socket to be ready to pair (its first QR). */
const READY_TIMEOUT_MS = 30_000

/** A passkey check under way on the current socket (passkey-pairing.ts keeps it). */
export interface PasskeyCheck {
  step: PasskeyStep
  /** The ceremony token the current link carries (`<account id>.<secret>`); a new one after each use. */
  token: string
  /** Tokens of this check already used, to tell "used" from "wrong". */
  spent: Set<string>
  /** When the check must be done by: the challenge's expiry or the end of the pairing window, the earlier. */
  expiresAt: number
}

/** One account's pairing. The method and phone outlive sockets; what is showing is reset per socket. */
export interface Pairing {
  method: ChosenPairingMethod
  /** The phone number a code was asked for (digits), with the code method. */
  phone: string | null
  qr: { qr: string; expiresAt: number } | null
  /** QR codes shown by the current socket. */
  qrShown: number
  /** When the current socket's pairing window ends. */
  windowEndsAt: number | null
  code: { code: string; expiresAt: number } | null
  /** Set while pairByCode asks for a code itself, so the socket's first QR does not ask as well. */
  requesting: boolean
  /** Callers waiting for the current socket to be ready to pair. */
  ready: Array<{ resolve: () => void; reject: (error: Error) => void }>
  /** The passkey check WhatsApp asked for on the current socket, or null. */
  passkey: PasskeyCheck | null
  /** Why the last passkey check ended without linking; cleared by a new check, a new socket or linking. */
  passkeyError: string | null
}

export function newPairing(): Pairing {
  return { method: 'qr', phone: null, qr: null, qrShown: 0, windowEndsAt: null, code: null, requesting: false, ready: [], passkey: null, passkeyError: null }
}

export interface PairingStrategies {
  /** A fresh socket: nothing is showing yet. */
  reset(pairing: Pairing): void
  /** Baileys rotated its QR code. Returns true when a code should be asked for on this socket now. */
  onQr(pairing: Pairing, qr: string): boolean
  /** The socket opened or closed: what it showed is void, and nobody waits for it any more. */
  end(pairing: Pairing, closed: boolean): void
  /** Pair by QR (what starting an account does). */
  useQr(pairing: Pairing): void
  /** Pair by code for this phone (digits). */
  useCode(pairing: Pairing, phone: string): void
  /** Resolves once the current socket showed its first QR: then WhatsApp takes a code request. */
  whenReady(pairing: Pairing): Promise<void>
  /** Asks WhatsApp for a code on this socket, shows it and announces it. */
  requestCode(id: AccountId, pairing: Pairing, socket: WASocket): Promise<{ code: string; expiresAt: number }>
  /** Why pairing ended when the window closed, in the active method's words. */
  expiredMessage(pairing: Pairing): string
  state(id: AccountId, pairing: Pairing | undefined): PairingState
  emit(id: AccountId, pairing: Pairing | undefined): void
}

export interface PairingDeps {
  book: AccountBook
  events: EventBus
  now: () => number
  /**
   * The origin a browser reaches this server at, for the ceremony link's `server` (the browser helper
   * talks to it); null where no HTTP server runs (the desktop app). Read at each state.
   */
  ceremonyServer?: () => string | null
  /** Sees every pairing state announced (the doctor reads its passkey step). */
  onState?: (id: AccountId, state: PairingState) => void
}

export function createPairing(deps: PairingDeps): PairingStrategies {
  const { book, events, now } = deps

  function passkeyView(check: PasskeyCheck): PasskeyPairing {
    if (check.step.phase === 'confirm') return { phase: 'confirm', code: check.step.code }
    const link = ceremonyUrl({ token: check.token, server: deps.ceremonyServer?.() ?? null })
    return { phase: 'required', options: check.step.options, ceremonyUrl: link, expiresAt: check.expiresAt }
  }

  function state(id: AccountId, pairing: Pairing | undefined): PairingState {
    const at = now()
    const status = book.record(id).status
    const phone = pairing?.method === 'code' ? pairing.phone : null
    const check = pairing?.passkey ?? null
    if (check) {
      // The QR keeps rotating underneath (Baileys' timer runs on), but a new scan would only start over.
      return { id, qr: null, expiresAt: check.expiresAt, status, method: 'passkey', code: null, codeExpiresAt: null, phone, passkey: passkeyView(check), passkeyError: null }
    }
    const qr = pairing?.qr && pairing.qr.expiresAt > at ? pairing.qr : null
    const code = pairing?.method === 'code' && pairing.code && pairing.code.expiresAt > at ? pairing.code : null
    return {
      id,
      qr: qr?.qr ?? null,
      expiresAt: qr?.expiresAt ?? null,
      status,
      method: pairing?.method ?? 'qr',
      code: code?.code ?? null,
      codeExpiresAt: code?.expiresAt ?? null,
      phone,
      passkey: null,
      passkeyError: pairing?.passkeyError ?? null,
    }
  }

  function emit(id: AccountId, pairing: Pairing | undefined): void {
    const announced = state(id, pairing)
    events.emit('accounts:qr', announced)
    deps.onState?.(id, announced)
  }

  return {
    reset(pairing) {
      pairing.qr = null
      pairing.qrShown = 0
      pairing.windowEndsAt = null
      pairing.code = null
      pairing.passkey = null
      pairing.passkeyError = null
    },
    onQr(pairing, qr) {
      const at = now()
      const first = pairing.qrShown === 0
      pairing.qr = { qr, expiresAt: at + (first ? FIRST_QR_MS : NEXT_QR_MS) }
      pairing.qrShown += 1
      if (!first) return false
      pairing.windowEndsAt = at + PAIRING_WINDOW_MS
      for (const waiter of pairing.ready.splice(0)) waiter.resolve()
      // A new socket while pairing by code (a reconnect): its old code died with the old socket.
      return pairing.method === 'code' && pairing.phone !== null && !pairing.requesting
    },
    end(pairing, closed) {
      pairing.qr = null
      pairing.code = null
      pairing.passkey = null
      if (!closed) {
        pairing.passkeyError = null
        return
      }
      const error = new AppError('unavailable', 'The connection to WhatsApp closed before it was ready to pair. Try again.')
      for (const waiter of pairing.ready.splice(0)) waiter.reject(error)
    },
    useQr(pairing) {
      pairing.method = 'qr'
      pairing.phone = null
    },
    useCode(pairing, phone) {
      pairing.method = 'code'
      pairing.phone = phone
    },
    whenReady(pairing) {
      if (pairing.qrShown > 0) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          pairing.ready = pairing.ready.filter((w) => w !== waiter)
          reject(new AppError('unavailable', 'WhatsApp did not get ready to pair in time. Try again.'))
        }, READY_TIMEOUT_MS)
        timer.unref?.()
        const waiter = {
          resolve: () => (clearTimeout(timer), resolve()),
          reject: (error: Error) => (clearTimeout(timer), reject(error)),
        }
        pairing.ready.push(waiter)
      })
    },
    async requestCode(id, pairing, socket) {
      if (!pairing.phone) throw new AppError('invalid-input', 'Give the phone number to pair by code.')
      const raw = await socket.requestPairingCode(pairing.phone)
      const expiresAt = pairing.windowEndsAt ?? now() + NEXT_QR_MS
      pairing.code = { code: formatPairingCode(raw), expiresAt }
      emit(id, pairing)
      return { code: pairing.code.code, expiresAt }
    },
    expiredMessage(pairing) {
      if (pairing.passkeyError) return pairing.passkeyError
      return pairing.method === 'code'
        ? 'Nobody entered the code on the phone in time. Ask for a new code.'
        : 'Nobody scanned the QR code in time. Start the account to get a new one.'
    },
    state,
    emit,
  }
}

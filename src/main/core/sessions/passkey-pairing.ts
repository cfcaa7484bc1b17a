// The passkey check WhatsApp asks some accounts for after a scan or a code, in the session's life: the
// companion module (../passkey/linker.ts) is attached to every socket, its steps become the account's
// pairing state (pairing.ts shows them), and the three passkey commands act on it. Each check gets a
// single-use ceremony token for its link (src/shared/passkey-ceremony.ts), renewed after each use. The
// app never confirms by itself. docs/passkey-linking.md. Main process, Electron-free. Never log
// options, credentials, codes or tokens.

import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { PairingState } from '../../../shared/contract'
import { AppError, isAppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { ceremonyAccount, ceremonyToken } from '../../../shared/passkey-ceremony'
import type { Logger } from '../logger'
import { attachPasskeyLinking, type PasskeyLinker, type PasskeySocket, type PasskeyStep } from '../passkey/linker'
import { parseCredential } from '../passkey/webauthn'
import type { AccountBook } from './account-book'
import type { AccountRuntime, Runtimes } from './account-runtime'
import type { Pairing, PairingStrategies } from './pairing'

/** How long an answer waits for WhatsApp to continue (the confirm step) before it answers the state as it is. */
export const CONTINUATION_WAIT_MS = 5_000

export interface PasskeyPairingDeps {
  book: AccountBook
  runtimes: Runtimes
  pairing: PairingStrategies
  log: Logger
  now: () => number
  continuationWaitMs?: number
}

export interface PasskeyPairing {
  /** Listens for passkey steps on a new socket of the account; `current()` says whether it still is the account's socket. */
  attach(rt: AccountRuntime, socket: PasskeySocket, deviceType: number, current: () => boolean): PasskeyLinker
  /**
   * Hands in the assertion. With `token` (the ceremony link's), only the current, unused token of this
   * account's check is accepted, and it is spent. Answers the state once WhatsApp continued (or after
   * CONTINUATION_WAIT_MS); throws the failed check's error when WhatsApp refused it.
   */
  respond(id: AccountId, credential: unknown, token?: string): Promise<PairingState>
  confirm(id: AccountId): Promise<PairingState>
  cancel(id: AccountId): PairingState
}

/** What a command in flight needs from the steps that happen meanwhile. */
interface Tracking {
  /** Commands of this account in flight: they report the outcome themselves, so an ending step is not announced twice. */
  busy: number
  /** Woken at every step change and error. */
  waiters: Set<() => void>
  /** The last error reported while a command waits for the continuation. */
  error: AppError | null
  emitQueued: boolean
  expiry: NodeJS.Timeout | null
}

export function createPasskeyPairing(deps: PasskeyPairingDeps): PasskeyPairing {
  const { book, runtimes, pairing, log, now } = deps
  const continuationWaitMs = deps.continuationWaitMs ?? CONTINUATION_WAIT_MS
  const tracking = new WeakMap<AccountRuntime, Tracking>()

  function track(rt: AccountRuntime): Tracking {
    let t = tracking.get(rt)
    if (!t) {
      t = { busy: 0, waiters: new Set(), error: null, emitQueued: false, expiry: null }
      tracking.set(rt, t)
    }
    return t
  }

  function wake(t: Tracking): void {
    for (const waiter of [...t.waiters]) waiter()
  }

  /** Announces the state once, after whatever else this tick reports (an error follows its ending step at once). */
  function scheduleEmit(rt: AccountRuntime): void {
    const t = track(rt)
    if (t.emitQueued) return
    t.emitQueued = true
    queueMicrotask(() => {
      t.emitQueued = false
      if (book.exists(rt.id)) pairing.emit(rt.id, rt.pairing)
    })
  }

  function clearExpiry(t: Tracking): void {
    if (t.expiry) clearTimeout(t.expiry)
    t.expiry = null
  }

  function newToken(id: AccountId): string {
    return ceremonyToken(id, randomBytes(32).toString('base64url'))
  }

  function onStep(rt: AccountRuntime, step: PasskeyStep | null): void {
    const p = rt.pairing
    const t = track(rt)
    if (step === null) {
      clearExpiry(t)
      const ended = p.passkey !== null
      p.passkey = null
      // The module reports a failure's error right after its ending step: waiters and the announcement
      // come once both are in.
      queueMicrotask(() => wake(t))
      // A command in flight reports how it ended; otherwise say it now.
      if (ended && t.busy === 0) scheduleEmit(rt)
      return
    }
    const current = p.passkey
    if (step.phase === 'required' && (current === null || current.step.phase !== 'required' || current.step.options.challenge !== step.options.challenge)) {
      // A new challenge: a new link, and the earlier of its expiry and the pairing window's end (Baileys
      // closes with 408 when its QR refs run out, passkey step or not).
      const expiresAt = Math.min(step.expiresAt, p.windowEndsAt ?? step.expiresAt)
      p.passkey = { step, token: newToken(rt.id), spent: new Set(), expiresAt }
      p.passkeyError = null
      // The typed code was used up by the phone: a new attempt needs a new one.
      p.code = null
      t.error = null
      clearExpiry(t)
      t.expiry = setTimeout(() => expire(rt), Math.max(0, expiresAt - now()))
      t.expiry.unref?.()
    } else if (current) {
      current.step = step
    } else {
      p.passkey = { step, token: newToken(rt.id), spent: new Set(), expiresAt: p.windowEndsAt ?? now() }
    }
    wake(t)
    pairing.emit(rt.id, p)
  }

  function onError(rt: AccountRuntime, error: AppError): void {
    const t = track(rt)
    rt.pairing.passkeyError = error.message
    t.error = error
    wake(t)
    if (t.busy === 0) scheduleEmit(rt)
  }

  /** The check ran out of time: WhatsApp's side ends it by itself, and nothing tells the companion. */
  function expire(rt: AccountRuntime): void {
    const t = track(rt)
    t.expiry = null
    if (!rt.pairing.passkey || !rt.linker) return
    t.busy += 1
    try {
      rt.linker.cancel()
    } finally {
      t.busy -= 1
    }
    onError(rt, new AppError('unavailable', 'The passkey check was not finished in time. Nothing was linked: scan the QR code again, or ask for a new code.'))
  }

  function runtimeOf(id: AccountId): { rt: AccountRuntime; linker: PasskeyLinker; label: string } {
    const { label } = book.record(id)
    const rt = runtimes.peek(id)
    if (!rt?.linker || !rt.pairing.passkey) {
      throw new AppError('conflict', `No passkey check is under way for "${label}". WhatsApp asks for one after the QR code is scanned or the code is typed, for accounts that need it.`)
    }
    return { rt, linker: rt.linker, label }
  }

  /** Accepts the current, unused token of this account's check, and spends it (a fresh one replaces it). */
  function spend(id: AccountId, p: Pairing, token: string): void {
    const check = p.passkey!
    if (ceremonyAccount(token) !== id) throw new AppError('forbidden', 'This passkey link belongs to another account.')
    if (check.spent.has(token)) throw new AppError('conflict', 'This passkey link was already used. Open the current link from the pairing dialog.')
    const given = Buffer.from(token)
    const expected = Buffer.from(check.token)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('not-found', 'This passkey link is not valid for the check under way. Open the current link from the pairing dialog.')
    }
    if (now() >= check.expiresAt) throw new AppError('not-found', 'This passkey link expired with its challenge. Scan the QR code again, or ask for a new code.')
    check.spent.add(token)
    check.token = newToken(id)
  }

  /** Runs a command against the check, with its own announcement of how it ended. */
  async function command<T>(rt: AccountRuntime, work: (t: Tracking) => Promise<T>): Promise<T> {
    const t = track(rt)
    t.busy += 1
    try {
      return await work(t)
    } catch (err) {
      // A refused or broken check ends without linking; "not an assertion" leaves it as it was, and a
      // conflict (cancelled meanwhile, nothing waiting) is no failure of the check.
      if (isAppError(err) && err.code !== 'invalid-input' && err.code !== 'conflict' && rt.pairing.passkey === null) rt.pairing.passkeyError = err.message
      throw err
    } finally {
      t.busy -= 1
      if (book.exists(rt.id)) pairing.emit(rt.id, rt.pairing)
    }
  }

  /** Resolves once the check left the required phase (or `ms` passed); rejects with the error that ended it. */
  function untilContinued(rt: AccountRuntime, t: Tracking, ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        const step = rt.pairing.passkey?.step
        if (step?.phase === 'required') return false
        if (!step && t.error) reject(t.error)
        else resolve()
        return true
      }
      if (check()) return
      const waiter = (): void => {
        if (check()) done()
      }
      const timer = setTimeout(() => {
        done()
        resolve()
      }, ms)
      timer.unref?.()
      function done(): void {
        clearTimeout(timer)
        t.waiters.delete(waiter)
      }
      t.waiters.add(waiter)
    })
  }

  return {
    attach(rt, socket, deviceType, current) {
      return attachPasskeyLinking(socket, {
        deviceType,
        onStep: (step) => {
          if (current()) onStep(rt, step)
        },
        onError: (error) => {
          if (!current()) return
          log.warn({ account: rt.id, code: error.code }, 'the passkey check failed')
          onError(rt, error)
        },
        log: log.child({ account: rt.id }),
        now,
      })
    },

    async respond(id, credential, token) {
      const { rt, linker } = runtimeOf(id)
      // Checked before the token is spent: a malformed answer changes nothing.
      const assertion = parseCredential(credential)
      if (token !== undefined) spend(id, rt.pairing, token)
      return command(rt, async (t) => {
        if (rt.pairing.passkey?.step.phase !== 'required') {
          throw new AppError('conflict', 'The passkey check was already answered: compare the confirmation code with the phone.')
        }
        t.error = null
        await linker.respond(assertion)
        await untilContinued(rt, t, continuationWaitMs)
        return pairing.state(id, rt.pairing)
      })
    },

    async confirm(id) {
      const { rt, linker } = runtimeOf(id)
      return command(rt, async () => {
        await linker.confirm()
        return pairing.state(id, rt.pairing)
      })
    },

    cancel(id) {
      const { rt, linker } = runtimeOf(id)
      const t = track(rt)
      t.busy += 1
      try {
        linker.cancel()
      } finally {
        t.busy -= 1
      }
      pairing.emit(id, rt.pairing)
      return pairing.state(id, rt.pairing)
    },

  }
}

// Passkey-gated linking in the simulator: which phones have a passkey (kept on the account, persisted
// with --state), the step each companion of such a phone goes through before pair-success, and the
// confirmation code each phone shows. Both linking methods reach it through one call from
// phone-pairing.ts. README, "Linking behind a passkey". Never imports the app.

import { getBinaryNodeChild, type BinaryNode } from '@whiskeysockets/baileys'
import { AppError } from '../../shared/errors.js'
import type { PendingRegistration, SimConnection } from '../connection.js'
import type { AccountRecord, Directory } from '../directory.js'
import type { SimulatorLogger } from '../logger.js'
import { passkeyRecord, type PasskeyCheck, type PasskeyRegistration } from './assertion.js'
import { PasskeyAttempt, PasskeyAttemptFailed } from './attempt.js'

/** The companion IQs (namespace md) of a passkey step. */
const PASSKEY_IQS = new Set(['ref', 'passkey_request_options', 'passkey_prologue', 'companion_nonce', 'encrypted_pairing_request'])

export interface PasskeyLinkingContext {
  directory: Directory
  log: SimulatorLogger
  persist(): void
  now(): number
  /** The challenge's lifetime (its `timeout`), and how long each later step may take. */
  timeoutMs: number
  required(phone: string): void
  confirmation(phone: string, code: string): void
  failed(phone: string, check: PasskeyCheck | null, message: string): void
}

export interface PasskeyStepInput {
  conn: SimConnection
  registration: PendingRegistration
  account: AccountRecord
  /** The adv secret the phone scanned or derived: the hand-off proof is checked against it. */
  advSecret: Buffer
  /** Called once the challenge went out (POST /scan and /link-code answer then). */
  onRequired?: () => void
}

export class PasskeyLinking {
  private readonly attempts = new Map<SimConnection, PasskeyAttempt>()
  /** The code each phone showed last, by phone (digits). */
  private readonly codes = new Map<string, string>()

  constructor(private readonly ctx: PasskeyLinkingContext) {}

  /** Registers (or replaces) the passkey of `phone`; a phone not seen yet becomes an account. */
  register(phone: string, registration: PasskeyRegistration): void {
    const record = passkeyRecord(registration)
    const account = this.ctx.directory.ensureAccount(phone, undefined)
    account.passkey = record
    this.ctx.persist()
    this.ctx.log.info('passkey registered', { phone })
  }

  /** Returns false when the phone had no passkey. */
  remove(phone: string): boolean {
    const account = this.ctx.directory.accountByPn(phone)
    if (!account?.passkey) return false
    delete account.passkey
    this.ctx.persist()
    return true
  }

  /** The code the phone shows for its current or last passkey step. */
  confirmation(phone: string): string {
    const code = this.codes.get(phone)
    if (!code) throw new AppError('not-found', `The phone +${phone} shows no passkey confirmation code: no companion reached that step.`)
    return code
  }

  /**
   * The step between the phone's scan (or code) and pair-success, for a phone with a passkey. Resolves
   * with the adv secret pair-success is keyed by; rejects with the check that failed. A new step for
   * the same companion replaces the old one.
   */
  verify(input: PasskeyStepInput): Promise<Buffer> {
    const phone = input.account.pn
    this.attempts.get(input.conn)?.fail(new PasskeyAttemptFailed(null, `A new scan replaced the passkey step for +${phone}. Nothing was linked by the old one.`, 'conflict'))
    this.codes.delete(phone)
    const attempt = new PasskeyAttempt(
      { conn: input.conn, registration: input.registration, account: input.account, scannedAdvSecret: input.advSecret },
      {
        persist: this.ctx.persist,
        now: this.ctx.now,
        timeoutMs: this.ctx.timeoutMs,
        showCode: (code) => {
          this.codes.set(phone, code)
          this.ctx.confirmation(phone, code)
        },
        ended: (ended) => {
          if (this.attempts.get(ended.conn) === ended) this.attempts.delete(ended.conn)
        },
      },
    )
    this.attempts.set(input.conn, attempt)
    attempt.done.catch((err: unknown) => {
      const failure = err instanceof PasskeyAttemptFailed ? err : null
      this.ctx.log.info('passkey step failed', { conn: input.conn.id, phone, check: failure?.check ?? null })
      this.ctx.failed(phone, failure?.check ?? null, err instanceof Error ? err.message : String(err))
    })
    attempt.start()
    this.ctx.log.info('passkey step required', { conn: input.conn.id, phone })
    this.ctx.required(phone)
    input.onRequired?.()
    return attempt.done
  }

  /** Answers a companion's passkey IQ; null when `req` is not one. */
  onCompanionIq(conn: SimConnection, req: BinaryNode): BinaryNode | null {
    const child = Array.isArray(req.content) ? req.content[0] : undefined
    if (req.attrs.xmlns !== 'md' || !child || !PASSKEY_IQS.has(child.tag)) return null
    const attempt = this.attempts.get(conn)
    if (!attempt) {
      return {
        tag: 'iq',
        attrs: { id: req.attrs.id ?? '', type: 'error', from: '@s.whatsapp.net' },
        content: [{ tag: 'error', attrs: { code: '404', text: 'no-passkey-step' } }],
      }
    }
    return attempt.onIq(req, getBinaryNodeChild(req, child.tag)!)
  }

  closed(conn: SimConnection): void {
    const attempt = this.attempts.get(conn)
    attempt?.fail(new PasskeyAttemptFailed(null, `The companion disconnected during the passkey step for +${attempt.phone}. Nothing was linked.`, 'unavailable'))
  }
}

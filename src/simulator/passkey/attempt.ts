// One passkey step between the simulated server/phone and one companion, after the phone scanned its
// QR or took its code: the challenge, the ref, the prologue (assertion, commitment, hand-off proof),
// the phone's ephemeral identity, the nonce that opens the commitment, and the encrypted pairing
// request whose adv secret keys pair-success. An independent model of the one public client
// (README, "Linking behind a passkey"); never imports the app.

import { createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { Curve, getBinaryNodeChild, proto, type BinaryNode } from '@whiskeysockets/baileys'
import { AppError } from '../../shared/errors.js'
import type { PendingRegistration, SimConnection } from '../connection.js'
import type { AccountRecord } from '../directory.js'
import { LINK_CODE_ALPHABET } from '../link-code.js'
import { PASSKEY_CHECKS, PASSKEY_ORIGIN, PASSKEY_RP_ID, PasskeyCheckFailed, verifyAssertion, type PasskeyCheck } from './assertion.js'

const SERVER = '@s.whatsapp.net'
const HANDOFF_INFO = 'shortcake-passkey-handoff-v1'
const ENCRYPTION_INFO = 'Pairing Information Encryption Key'
const GCM_TAG_BYTES = 16

export interface PasskeyAttemptInput {
  conn: SimConnection
  registration: PendingRegistration
  account: AccountRecord
  /** The adv secret the phone read from the QR or derived with the code: the hand-off key's root. */
  scannedAdvSecret: Buffer
}

export interface PasskeyAttemptContext {
  persist(): void
  now(): number
  /** The challenge's lifetime, and how long each later step may take. */
  timeoutMs: number
  /** The phone computed its confirmation code (it shows it). */
  showCode(code: string): void
  ended(attempt: PasskeyAttempt): void
}

type Phase = 'prologue' | 'nonce' | 'request' | 'ended'

/** Why an attempt ended without linking; `check` names the server check that failed, if one did. */
export class PasskeyAttemptFailed extends AppError {
  constructor(
    readonly check: PasskeyCheck | null,
    message: string,
    code: 'forbidden' | 'unavailable' | 'conflict' = 'forbidden',
  ) {
    super(code, message)
  }
}

function seconds(ms: number): string {
  return String(Math.floor(ms / 1000))
}

function bytes(node: BinaryNode | undefined, tag: string): Buffer | null {
  const content = getBinaryNodeChild(node, tag)?.content
  return content instanceof Uint8Array ? Buffer.from(content) : null
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The linking-code alphabet over 5-bit groups, as the phone shows codes: XXXX-XXXX. */
export function formatConfirmationCode(fiveBytes: Buffer): string {
  let bits = 0n
  for (const byte of fiveBytes) bits = (bits << 8n) | BigInt(byte)
  let code = ''
  for (let shift = 35n; shift >= 0n; shift -= 5n) code += LINK_CODE_ALPHABET[Number((bits >> shift) & 31n)]
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

export class PasskeyAttempt {
  readonly phone: string
  /** Resolves with the adv secret pair-success is keyed by; rejects with PasskeyAttemptFailed. */
  readonly done: Promise<Buffer>
  private phase: Phase = 'prologue'
  private readonly challenge = randomBytes(32)
  private readonly issuedAt: number
  /** The credential the challenge names: the phone's passkey when the step began. */
  private readonly credentialId: string
  private ref: string | null = null
  private prologue: { identity: Buffer; commitment: Buffer; publicKey: Buffer; deviceType: number; ref: string } | null = null
  private primary: { keyPair: { public: Uint8Array; private: Uint8Array }; nonce: Buffer } | null = null
  private timer: NodeJS.Timeout | null = null
  private settle!: { resolve: (advSecret: Buffer) => void; reject: (error: PasskeyAttemptFailed) => void }

  constructor(
    private readonly input: PasskeyAttemptInput,
    private readonly ctx: PasskeyAttemptContext,
  ) {
    this.phone = input.account.pn
    this.issuedAt = ctx.now()
    if (!input.account.passkey) throw new AppError('internal', 'A passkey step for a phone without a passkey')
    this.credentialId = input.account.passkey.credentialId
    this.done = new Promise<Buffer>((resolve, reject) => (this.settle = { resolve, reject }))
    // Whoever started the attempt may have answered already (POST /scan does); the failure is also evented.
    this.done.catch(() => {})
  }

  get conn(): SimConnection {
    return this.input.conn
  }

  /** The options the challenge carries: WebAuthn request options, binaries in base64url. */
  options(): string {
    return JSON.stringify({
      challenge: this.challenge.toString('base64url'),
      timeout: this.ctx.timeoutMs,
      rpId: PASSKEY_RP_ID,
      allowCredentials: [{ id: this.credentialId, type: 'public-key' }],
      userVerification: 'required',
    })
  }

  /** Sends the challenge to the companion. */
  start(): void {
    this.restartTimer()
    this.input.conn.sendNode({
      tag: 'notification',
      attrs: { from: SERVER, type: 'passkey_prologue_request', id: this.input.conn.nextIqId(), t: seconds(this.ctx.now()) },
      content: [{ tag: 'passkey_request_options', attrs: {}, content: Buffer.from(this.options(), 'utf8') }],
    })
  }

  /** Answers one of the companion's passkey IQs. A failed check ends the attempt; the reply names it. */
  onIq(req: BinaryNode, child: BinaryNode): BinaryNode {
    try {
      switch (child.tag) {
        case 'ref':
          if (this.phase !== 'prologue') return iqError(req, 400, 'unexpected-ref')
          this.ref = `pk-${randomBytes(12).toString('base64url')}`
          return iqResult(req, [{ tag: 'ref', attrs: {}, content: Buffer.from(this.ref, 'utf8') }])
        case 'passkey_request_options':
          if (this.phase !== 'prologue') return iqError(req, 400, 'unexpected-options-request')
          return iqResult(req, [{ tag: 'passkey_request_options', attrs: {}, content: Buffer.from(this.options(), 'utf8') }])
        case 'passkey_prologue':
          return this.onPrologue(req, child)
        case 'companion_nonce':
          return this.onNonce(req, child)
        case 'encrypted_pairing_request':
          return this.onPairingRequest(req, child)
        default:
          return iqError(req, 400, 'bad-request')
      }
    } catch (err) {
      if (!(err instanceof PasskeyCheckFailed)) throw err
      this.fail(new PasskeyAttemptFailed(err.check, `Passkey check failed for +${this.phone}: ${err.check} (${PASSKEY_CHECKS[err.check]}). Nothing was linked.`))
      return iqError(req, err.check.startsWith('malformed') ? 400 : err.check === 'challenge-expired' ? 408 : 401, err.check)
    }
  }

  private onPrologue(req: BinaryNode, node: BinaryNode): BinaryNode {
    if (this.phase !== 'prologue') return iqError(req, 400, 'unexpected-prologue')
    if (this.ctx.now() > this.issuedAt + this.ctx.timeoutMs) throw new PasskeyCheckFailed('challenge-expired')
    const record = this.input.account.passkey
    const credentialId = bytes(node, 'credential_id')
    const assertion = bytes(node, 'webauthn_assertion')
    const payload = bytes(node, 'prologue_payload')
    if (!record) throw new PasskeyCheckFailed('unknown-credential')
    if (!credentialId || !assertion) throw new PasskeyCheckFailed('malformed-assertion')
    record.signCount = verifyAssertion(record, { challenge: this.challenge, rpId: PASSKEY_RP_ID, origin: PASSKEY_ORIGIN, requireUserVerification: true }, credentialId, assertion)
    this.ctx.persist()
    if (!payload) throw new PasskeyCheckFailed('malformed-prologue')
    this.prologue = this.readPrologue(payload)
    const proof = bytes(node, 'pairing_handoff_proof')
    if (proof) {
      const key = Buffer.from(hkdfSync('sha256', this.input.scannedAdvSecret, Buffer.alloc(0), HANDOFF_INFO, 32))
      if (!sameBytes(proof, createHmac('sha256', key).update(payload).digest())) throw new PasskeyCheckFailed('handoff-proof-invalid')
    }
    const keyPair = Curve.generateKeyPair()
    this.primary = { keyPair, nonce: randomBytes(32) }
    this.phase = 'nonce'
    this.restartTimer()
    const identity = proto.PrimaryEphemeralIdentity.encode({ publicKey: keyPair.public, nonce: this.primary.nonce }).finish()
    // After the result: the caller writes the reply before any microtask runs.
    queueMicrotask(() =>
      this.input.conn.sendNode({
        tag: 'notification',
        attrs: { from: SERVER, type: 'crsc_continuation', id: this.input.conn.nextIqId(), t: seconds(this.ctx.now()) },
        content: [{ tag: 'primary_ephemeral_identity', attrs: {}, content: Buffer.from(identity) }],
      }),
    )
    return iqResult(req)
  }

  private readPrologue(payload: Buffer): NonNullable<PasskeyAttempt['prologue']> {
    let decoded: proto.ProloguePayload
    let identity: proto.CompanionEphemeralIdentity
    try {
      decoded = proto.ProloguePayload.decode(payload)
      identity = proto.CompanionEphemeralIdentity.decode(decoded.companionEphemeralIdentity ?? new Uint8Array())
    } catch {
      throw new PasskeyCheckFailed('malformed-prologue')
    }
    const identityBytes = Buffer.from(decoded.companionEphemeralIdentity ?? [])
    const commitment = Buffer.from(decoded.commitment?.hash ?? [])
    const publicKey = Buffer.from(identity.publicKey ?? [])
    if (commitment.length !== 32 || publicKey.length !== 32 || identity.deviceType == null) throw new PasskeyCheckFailed('malformed-prologue')
    if (!this.ref || identity.ref !== this.ref) throw new PasskeyCheckFailed('ref-mismatch')
    return { identity: identityBytes, commitment, publicKey, deviceType: identity.deviceType, ref: this.ref }
  }

  private onNonce(req: BinaryNode, node: BinaryNode): BinaryNode {
    if (this.phase !== 'nonce' || !this.prologue || !this.primary) return iqError(req, 400, 'unexpected-nonce')
    const nonce = node.content instanceof Uint8Array ? Buffer.from(node.content) : Buffer.alloc(0)
    const opened = createHash('sha256').update(this.prologue.identity).update(nonce).digest()
    if (!sameBytes(opened, this.prologue.commitment)) throw new PasskeyCheckFailed('commitment-mismatch')
    // The phone's side: the same code the companion shows, from both nonces and the phone's key.
    const digest = createHash('sha256').update(nonce).update(this.primary.keyPair.public).digest()
    const fiveBytes = Buffer.from(this.primary.nonce.subarray(0, 5).map((b, i) => b ^ digest[i]!))
    this.ctx.showCode(formatConfirmationCode(fiveBytes))
    this.phase = 'request'
    this.restartTimer()
    return iqResult(req)
  }

  private onPairingRequest(req: BinaryNode, node: BinaryNode): BinaryNode {
    if (this.phase !== 'request' || !this.prologue || !this.primary) return iqError(req, 400, 'unexpected-pairing-request')
    const advSecret = this.openPairingRequest(node.content instanceof Uint8Array ? Buffer.from(node.content) : Buffer.alloc(0))
    // The phone confirms by itself: a person comparing codes is the companion's side to show.
    this.phase = 'ended'
    this.clearTimer()
    this.ctx.ended(this)
    // pair-success goes out in a then-callback, so after this result is written.
    this.settle.resolve(advSecret)
    return iqResult(req)
  }

  /** Decrypts the companion's PairingRequest; its keys must be the ones it registered with. */
  private openPairingRequest(wrapped: Buffer): Buffer {
    const { prologue, primary } = this
    try {
      const envelope = proto.EncryptedPairingRequest.decode(wrapped)
      const sealed = Buffer.from(envelope.encryptedPayload ?? [])
      const shared = Curve.sharedKey(primary!.keyPair.private, prologue!.publicKey)
      const salt = Buffer.from(`Companion Pairing ${prologue!.deviceType} with ref ${prologue!.ref}`, 'utf8')
      const key = Buffer.from(hkdfSync('sha256', shared, salt, ENCRYPTION_INFO, 32))
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv ?? []))
      decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES))
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)), decipher.final()])
      const request = proto.PairingRequest.decode(plain)
      const advSecret = Buffer.from(request.advSecret ?? [])
      const registration = this.input.registration
      if (
        advSecret.length === 32 &&
        Buffer.from(request.companionPublicKey ?? []).equals(registration.noisePub) &&
        Buffer.from(request.companionIdentityKey ?? []).equals(registration.identityPub)
      ) {
        return advSecret
      }
    } catch {
      // Falls through: any decoding or decryption failure is the same refusal.
    }
    throw new PasskeyCheckFailed('pairing-request-invalid')
  }

  /** Ends the attempt without linking (a failed check, a closed companion, a new scan, the timeout). */
  fail(error: PasskeyAttemptFailed): void {
    if (this.phase === 'ended') return
    this.phase = 'ended'
    this.clearTimer()
    this.ctx.ended(this)
    this.settle.reject(error)
  }

  private restartTimer(): void {
    this.clearTimer()
    this.timer = setTimeout(() => {
      this.fail(new PasskeyAttemptFailed(null, `Nobody finished the passkey step for +${this.phone} within ${Math.round(this.ctx.timeoutMs / 1000)} s. Nothing was linked.`, 'unavailable'))
    }, this.ctx.timeoutMs)
    this.timer.unref()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}

function iqResult(req: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return { tag: 'iq', attrs: { id: req.attrs.id ?? '', type: 'result', from: SERVER }, ...(content ? { content } : {}) }
}

function iqError(req: BinaryNode, code: number, text: string): BinaryNode {
  return { tag: 'iq', attrs: { id: req.attrs.id ?? '', type: 'error', from: SERVER }, content: [{ tag: 'error', attrs: { code: String(code), text } }] }
}

// The simulated phone linking a companion, by either method: QR (the phone scans the companion's QR)
// and code (the person types the companion's code on the phone). Both end in the same pair-success,
// whose HMAC is keyed by the ADV secret: read from the QR, or derived by the link-code exchange.

import { getBinaryNodeChild, getBinaryNodeChildBuffer, type BinaryNode } from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors.js'
import type { PendingRegistration, SimConnection } from './connection.js'
import type { AccountRecord, DeviceRecord, Directory } from './directory.js'
import { normaliseLinkCode, startPhoneAttempt } from './link-code.js'
import type { SimulatorLogger } from './logger.js'
import { buildDeviceIdentity, pairSuccessNode, parseQr, verifyDeviceSign } from './pairing.js'
import type { PasskeyLinking } from './passkey/linking.js'

const SERVER = '@s.whatsapp.net'

/** `jid` is the account-level phone JID "<pn>@s.whatsapp.net", `lid` the account-level "<lid>@lid". */
export interface PairedAccount {
  jid: string
  lid: string
  device: number
}

export interface ScanOptions {
  phone?: string
  name?: string
  /** For a phone with a passkey: called once the passkey step was asked for (linking goes on). */
  onPasskeyRequired?: () => void
}

export interface PhonePairingContext {
  directory: Directory
  log: SimulatorLogger
  persist(): void
  linked(paired: PairedAccount): void
  /** A companion asked for a code for this phone (the hello arrived). */
  requested(phone: string): void
  /** How long the phone waits for the companion's answers (pair-device-sign, companion_finish). */
  pairTimeoutMs: number
  /** How long a requested code stays valid. */
  linkCodeTtlMs: number
  /**
   * How long a typed code waits for its companion's hello. requestPairingCode resolves once the hello is
   * written, so a code entered at once may arrive before the hello it belongs to.
   */
  linkCodeGraceMs: number
  now(): number
  /** The passkey step a phone with a passkey asks for before pair-success. */
  passkey: Pick<PasskeyLinking, 'verify'>
}

/** A companion that asked for a code for `phone` and waits for someone to type it on that phone. */
interface LinkRequest {
  phone: string
  conn: SimConnection
  wrappedCompanionEphemeral: Buffer
  ref: Buffer
  expiresAt: number
  /** Set while the phone waits for this companion's companion_finish. */
  awaitingFinish: ((finish: { bundle: Buffer; identity: Buffer }) => void) | null
}

function seconds(ms: number): string {
  return String(Math.floor(ms / 1000))
}

function iqResult(req: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return { tag: 'iq', attrs: { id: req.attrs.id ?? '', type: 'result', from: SERVER }, ...(content ? { content } : {}) }
}

function iqError(req: BinaryNode, code: number, text: string): BinaryNode {
  return { tag: 'iq', attrs: { id: req.attrs.id ?? '', type: 'error', from: SERVER }, content: [{ tag: 'error', attrs: { code: String(code), text } }] }
}

export function normalisePhone(typed: string): string {
  const phone = typed.replace(/[\s()+-]/g, '')
  if (!/^\d{5,15}$/.test(phone)) throw new AppError('invalid-input', 'phone must be 5 to 15 digits (spaces, dashes and a leading + are fine)')
  return phone
}

export class PhonePairing {
  private readonly pendingByRef = new Map<string, SimConnection>()
  /** By phone. Kept after expiry or a closed companion, so the phone can say "expired" rather than "unknown". */
  private readonly linkRequests = new Map<string, LinkRequest>()
  private readonly helloWaiters = new Map<string, Set<() => void>>()

  constructor(private readonly ctx: PhonePairingContext) {}

  /** A companion started registering: it shows these QR refs. */
  registered(conn: SimConnection, refs: string[]): void {
    for (const ref of refs) this.pendingByRef.set(ref, conn)
  }

  closed(conn: SimConnection): void {
    for (const ref of conn.registration?.refs ?? []) this.pendingByRef.delete(ref)
  }

  /** Plays the phone scanning a QR code. */
  async scanQr(qr: string, scan: ScanOptions = {}): Promise<PairedAccount> {
    const parsed = parseQr(qr)
    const conn = this.pendingByRef.get(parsed.ref)
    const reg = conn?.registration
    if (!conn || !reg || !conn.isOpen) throw new AppError('not-found', 'No companion is showing this QR code any more')
    if (!reg.noisePub.equals(parsed.noisePub) || !reg.identityPub.equals(parsed.identityPub)) {
      throw new AppError('invalid-input', 'The QR code keys do not match the waiting companion')
    }
    if (scan.phone !== undefined && !/^\d{5,15}$/.test(scan.phone)) {
      throw new AppError('invalid-input', 'phone must be 5 to 15 digits')
    }
    const account = this.ctx.directory.ensureAccount(scan.phone, scan.name)
    if (scan.name) account.name = scan.name
    return this.pairSuccess(conn, reg, account, parsed.advSecret, scan.onPasskeyRequired)
  }

  /** Answers a companion's link_code_companion_reg iq (hello or finish); null when it is not one. */
  onCompanionIq(conn: SimConnection, req: BinaryNode): BinaryNode | null {
    const reg = getBinaryNodeChild(req, 'link_code_companion_reg')
    if (req.attrs.xmlns !== 'md' || !reg) return null
    if (reg.attrs.stage === 'companion_hello') return this.onHello(conn, req, reg)
    if (reg.attrs.stage === 'companion_finish') return this.onFinish(conn, req, reg)
    return iqError(req, 400, 'bad-request')
  }

  private onHello(conn: SimConnection, req: BinaryNode, reg: BinaryNode): BinaryNode {
    const wrapped = getBinaryNodeChildBuffer(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub')
    const phone = (reg.attrs.jid ?? '').split('@')[0]?.split(':')[0] ?? ''
    if (!conn.registration || !wrapped || wrapped.length !== 80 || !/^\d{5,15}$/.test(phone)) return iqError(req, 400, 'bad-request')
    // A new code replaces the old one: for this phone, and any earlier request of this companion.
    for (const [other, request] of this.linkRequests) if (request.conn === conn) this.linkRequests.delete(other)
    const ref = Buffer.from(`link-${conn.id}-${this.ctx.now()}`)
    this.linkRequests.set(phone, {
      phone,
      conn,
      wrappedCompanionEphemeral: Buffer.from(wrapped),
      ref,
      expiresAt: this.ctx.now() + this.ctx.linkCodeTtlMs,
      awaitingFinish: null,
    })
    this.ctx.log.info('link code requested', { conn: conn.id, phone })
    for (const wake of this.helloWaiters.get(phone) ?? []) wake()
    this.ctx.requested(phone)
    return iqResult(req, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }])
  }

  private onFinish(conn: SimConnection, req: BinaryNode, reg: BinaryNode): BinaryNode {
    const bundle = getBinaryNodeChildBuffer(reg, 'link_code_pairing_wrapped_key_bundle')
    const identity = getBinaryNodeChildBuffer(reg, 'companion_identity_public')
    const ref = getBinaryNodeChildBuffer(reg, 'link_code_pairing_ref')
    const request = [...this.linkRequests.values()].find((r) => r.conn === conn)
    if (!request || !bundle || !identity || !ref || !request.ref.equals(Buffer.from(ref))) return iqError(req, 400, 'bad-request')
    // Baileys awaits this result before it acks the notification: answer first, then check.
    request.awaitingFinish?.({ bundle: Buffer.from(bundle), identity: Buffer.from(identity) })
    request.awaitingFinish = null
    return iqResult(req)
  }

  /** Plays the person typing `typedCode` on the phone `typedPhone`. */
  async enterLinkCode(typedPhone: string, typedCode: string, options: Omit<ScanOptions, 'phone'> = {}): Promise<PairedAccount> {
    const phone = normalisePhone(typedPhone)
    const code = normaliseLinkCode(typedCode)
    const request = this.linkRequests.get(phone) ?? (await this.helloFor(phone))
    if (!request) throw new AppError('not-found', `No companion asked for a code for +${phone}: request a code for this number first.`)
    const reg = request.conn.registration
    if (!reg || !request.conn.isOpen || this.ctx.now() > request.expiresAt) {
      this.linkRequests.delete(phone)
      throw new AppError('conflict', `The code for +${phone} has expired: request a new code.`)
    }
    if (request.awaitingFinish) throw new AppError('conflict', `A code for +${phone} is being checked right now: try again in a moment.`)
    const created = !this.ctx.directory.accountByPn(phone)
    const account = this.ctx.directory.ensureAccount(phone, options.name)
    const primaryIdentity = { public: Buffer.from(account.advPub, 'base64'), private: Buffer.from(account.advPriv, 'base64') }
    const advSecret = await this.attempt(request, reg, code, primaryIdentity)
    if (!advSecret) {
      // The request stays: the person may type the code again, and Baileys recomputes on a new hello.
      if (created) this.ctx.directory.dropIfUnused(account)
      throw new AppError('invalid-input', `The code is wrong for +${phone}: check it and type it again.`)
    }
    this.linkRequests.delete(phone)
    if (options.name) account.name = options.name
    return this.pairSuccess(request.conn, reg, account, advSecret, options.onPasskeyRequired)
  }

  /** The request a hello for `phone` makes within the grace period, or undefined. */
  private helloFor(phone: string): Promise<LinkRequest | undefined> {
    return new Promise((resolve) => {
      const waiters = this.helloWaiters.get(phone) ?? new Set<() => void>()
      this.helloWaiters.set(phone, waiters)
      const done = (): void => {
        clearTimeout(timer)
        waiters.delete(done)
        if (waiters.size === 0) this.helloWaiters.delete(phone)
        resolve(this.linkRequests.get(phone))
      }
      const timer = setTimeout(done, this.ctx.linkCodeGraceMs)
      waiters.add(done)
    })
  }

  /** One exchange: the phone's hello notification, the companion's finish, the derived ADV secret. */
  private async attempt(request: LinkRequest, reg: PendingRegistration, code: string, primaryIdentity: { public: Buffer; private: Buffer }): Promise<Buffer | null> {
    const phoneSide = await startPhoneAttempt({
      code,
      wrappedCompanionEphemeral: request.wrappedCompanionEphemeral,
      primaryIdentity,
      registeredIdentity: reg.identityPub,
    })
    const finished = new Promise<{ bundle: Buffer; identity: Buffer }>((resolve, reject) => {
      const timer = setTimeout(() => {
        request.awaitingFinish = null
        reject(new AppError('unavailable', 'The companion did not answer the code exchange'))
      }, this.ctx.pairTimeoutMs)
      request.awaitingFinish = (finish) => {
        clearTimeout(timer)
        resolve(finish)
      }
    })
    request.conn.sendNode({
      tag: 'notification',
      attrs: { from: SERVER, type: 'link_code_companion_reg', id: request.conn.nextIqId(), t: seconds(this.ctx.now()) },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: { stage: 'primary_hello' },
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: request.ref },
            { tag: 'primary_identity_pub', attrs: {}, content: primaryIdentity.public },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: phoneSide.wrappedPrimaryEphemeral },
          ],
        },
      ],
    })
    const { bundle, identity } = await finished
    return phoneSide.finish(bundle, identity)
  }

  /**
   * Sends pair-success, checks the companion's device signature, links the device, then 515. A phone
   * with a passkey first asks for the passkey step, whose adv secret then keys pair-success.
   */
  private async pairSuccess(conn: SimConnection, reg: PendingRegistration, account: AccountRecord, scanned: Buffer, onPasskeyRequired?: () => void): Promise<PairedAccount> {
    const advSecret = account.passkey ? await this.ctx.passkey.verify({ conn, registration: reg, account, advSecret: scanned, onRequired: onPasskeyRequired }) : scanned
    const { directory } = this.ctx
    for (const ref of reg.refs) this.pendingByRef.delete(ref)
    conn.registration = null
    const deviceId = account.nextDeviceId++
    const accountKey = { public: Buffer.from(account.advPub, 'base64'), private: Buffer.from(account.advPriv, 'base64') }
    const built = buildDeviceIdentity({ deviceId, identityPub: reg.identityPub, advSecret, account: accountKey })
    let reply: BinaryNode
    try {
      reply = await conn.query(
        pairSuccessNode({ id: conn.nextIqId(), t: seconds(Date.now()), container: built.container, pn: account.pn, lid: account.lid, deviceId }),
        this.ctx.pairTimeoutMs,
      )
    } catch (err) {
      directory.dropIfUnused(account)
      conn.terminate()
      throw new AppError('unavailable', 'The companion did not confirm pairing', { cause: err })
    }
    const signNode = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity')
    const signed = signNode?.content
    if (!(signed instanceof Uint8Array) || !verifyDeviceSign(signed, built, reg.identityPub, accountKey.public)) {
      directory.dropIfUnused(account)
      conn.terminate()
      throw new AppError('forbidden', 'The companion returned an invalid device signature')
    }
    const device: DeviceRecord = {
      id: deviceId,
      noisePub: reg.noisePub.toString('base64'),
      registrationId: reg.registrationId,
      identityPub: reg.identityPub.toString('base64'),
      signedPreKey: { id: reg.signedPreKey.id, pub: reg.signedPreKey.pub.toString('base64'), sig: reg.signedPreKey.sig.toString('base64') },
      preKeys: [],
      pushName: reg.pushName,
      platform: reg.platform,
      createdAt: Date.now(),
    }
    account.devices.push(device)
    this.ctx.persist()
    // Baileys only stores the new creds; it needs a fresh connection to log in with them.
    conn.sendAndClose({ tag: 'stream:error', attrs: { code: '515' } })
    const paired: PairedAccount = { jid: `${account.pn}${SERVER}`, lid: `${account.lid}@lid`, device: deviceId }
    this.ctx.linked(paired)
    return paired
  }
}

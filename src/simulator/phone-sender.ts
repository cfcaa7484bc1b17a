// The simulated phone (device 0 of an account) sending a text, as a phone would: it has its own Signal
// identity (memory only), builds a session with each recipient device from the bundle the simulator
// holds (taking one one-time pre-key), encrypts with libsignal (Baileys' own repository), and sends the
// message to every device of the recipient, plus a copy to its own companion devices (a
// deviceSentMessage with `recipient`, which Baileys shows as sent by me: own-device sync). Like a
// sender's device, it answers a retry receipt by building a fresh session and sending the message
// again to the device that asked.

import { randomBytes } from 'node:crypto'
import {
  addTransactionCapability,
  DEFAULT_CONNECTION_CONFIG,
  encodeWAMessage,
  extractE2ESessionFromRetryReceipt,
  getBinaryNodeChild,
  generateSignalPubKey,
  initAuthCreds,
  jidEncode,
  type AuthenticationCreds,
  type BinaryNode,
  type proto,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type SignalRepositoryWithLIDStore,
} from '@whiskeysockets/baileys'
import pino from 'pino'
import { AppError } from '../shared/errors.js'
import type { AccountRecord, DeviceRecord, Directory } from './directory.js'
import type { FaultBook } from './faults/fault-book.js'

const silent = pino({ level: 'silent' })

interface PhoneSignal {
  creds: AuthenticationCreds
  repository: SignalRepositoryWithLIDStore
  /** The identity each recipient device had when its session was built: a new one needs a new session. */
  sessionIdentity: Map<string, string>
}

function memoryKeys(): SignalKeyStore {
  const store = new Map<string, unknown>()
  return {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {}
      for (const id of ids) {
        const value = store.get(`${type}/${id}`)
        if (value !== undefined) out[id] = value as SignalDataTypeMap[T]
      }
      return out
    },
    async set(data: SignalDataSet) {
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) store.delete(`${type}/${id}`)
          else store.set(`${type}/${id}`, value)
        }
      }
    },
  }
}

export interface PhoneSendContext {
  directory: Directory
  persist(): void
  deliver(account: AccountRecord, deviceId: number, node: BinaryNode): void
  faults: Pick<FaultBook, 'exchanged' | 'addressing' | 'withheldPn'>
}

/** What the phone keeps of a text it sent, to send it again when a receiving device asks. */
interface SentText {
  from: AccountRecord
  to: AccountRecord
  attrs: Record<string, string>
  message: proto.IMessage
}

/** Sent texts kept for retries; the oldest goes first. A phone keeps more, but tests need few. */
const KEPT_SENT = 1000
/** A device asking more often than this gets no answer (Baileys' own default maxMsgRetryCount is 5). */
const MAX_RETRIES = 5

export interface SentFromPhone {
  id: string
  /** Device JIDs (PN form) the message was delivered or queued to. */
  devices: string[]
}

export class PhoneSender {
  private readonly phones = new Map<string, PhoneSignal>()
  private readonly sent = new Map<string, SentText>()
  /** Sends and retries run one at a time: they share sessions, and resends keep the order asked. */
  private work: Promise<unknown> = Promise.resolve()

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task)
    this.work = run.catch(() => undefined)
    return run
  }

  constructor(private readonly ctx: PhoneSendContext) {}

  private signalFor(account: AccountRecord): PhoneSignal {
    let phone = this.phones.get(account.lid)
    if (!phone) {
      const creds = initAuthCreds()
      const keys = addTransactionCapability(memoryKeys(), silent, { maxCommitRetries: 1, delayBetweenTriesMs: 0 })
      const repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys }, silent)
      phone = { creds, repository, sessionIdentity: new Map() }
      this.phones.set(account.lid, phone)
    }
    return phone
  }

  /** Builds a session with one device of `owner` from the bundle the simulator holds (one pre-key taken). */
  private async buildSession(phone: PhoneSignal, owner: AccountRecord, device: DeviceRecord): Promise<void> {
    const jid = jidEncode(owner.lid, 'lid', device.id)
    const preKey = this.ctx.directory.takePreKey(device)
    if (preKey) this.ctx.persist()
    await phone.repository.injectE2ESession({
      jid,
      session: {
        registrationId: device.registrationId,
        identityKey: generateSignalPubKey(Buffer.from(device.identityPub, 'base64')),
        signedPreKey: {
          keyId: device.signedPreKey.id,
          publicKey: generateSignalPubKey(Buffer.from(device.signedPreKey.pub, 'base64')),
          signature: Buffer.from(device.signedPreKey.sig, 'base64'),
        },
        ...(preKey ? { preKey: { keyId: preKey.id, publicKey: generateSignalPubKey(Buffer.from(preKey.pub, 'base64')) } } : {}),
      },
    })
    phone.sessionIdentity.set(jid, device.identityPub)
  }

  /** Encrypts `message` for one device of `owner`, building the session first when needed. */
  private async encryptFor(phone: PhoneSignal, owner: AccountRecord, device: DeviceRecord, message: proto.IMessage): Promise<BinaryNode> {
    const jid = jidEncode(owner.lid, 'lid', device.id)
    if (phone.sessionIdentity.get(jid) !== device.identityPub) await this.buildSession(phone, owner, device)
    const { type, ciphertext } = await phone.repository.encryptMessage({ jid, data: encodeWAMessage(message) })
    return { tag: 'enc', attrs: { v: '2', type }, content: ciphertext }
  }

  /**
   * The sender attributes of the phone's messages: by PN with its LID beside it, or, to another
   * account under a lid fault, by LID with its PN beside it or (the PN arriving later) without.
   */
  private senderAttrs(from: AccountRecord, toOther: boolean): Record<string, string> {
    const addressing = toOther ? this.ctx.faults.addressing(from) : 'pn'
    if (addressing === 'pn') return { from: jidEncode(from.pn, 's.whatsapp.net'), sender_lid: jidEncode(from.lid, 'lid') }
    const attrs: Record<string, string> = { from: jidEncode(from.lid, 'lid'), addressing_mode: 'lid' }
    if (addressing === 'lid') attrs.sender_pn = jidEncode(from.pn, 's.whatsapp.net')
    return attrs
  }

  private remember(id: string, text: SentText): void {
    this.sent.set(id, text)
    if (this.sent.size > KEPT_SENT) this.sent.delete(this.sent.keys().next().value!)
  }

  /**
   * A device of `receiver` could not decrypt a text the phone of `from` sent and asks for it again.
   * As Baileys' sender does: take the key bundle the receipt carries, or else a fresh one from the
   * server, build a new session, and send the message once more to that device only, its enc marked
   * with the retry count.
   */
  retry(from: AccountRecord, receiver: AccountRecord, deviceId: number, receipt: BinaryNode): Promise<void> {
    return this.serial(() => this.resend(from, receiver, deviceId, receipt))
  }

  private async resend(from: AccountRecord, receiver: AccountRecord, deviceId: number, receipt: BinaryNode): Promise<void> {
    const id = receipt.attrs.id ?? ''
    const sent = this.sent.get(id)
    const device = this.ctx.directory.device(receiver, deviceId)
    const count = Number(getBinaryNodeChild(receipt, 'retry')?.attrs.count ?? 1)
    if (!sent || sent.from !== from || sent.to !== receiver || !device || !(count <= MAX_RETRIES)) return
    const phone = this.signalFor(from)
    const jid = jidEncode(receiver.lid, 'lid', deviceId)
    const bundle = extractE2ESessionFromRetryReceipt(receipt)
    if (bundle) {
      await phone.repository.injectE2ESession({ jid, session: bundle })
      phone.sessionIdentity.set(jid, device.identityPub)
    } else {
      await this.buildSession(phone, receiver, device)
    }
    const enc = await this.encryptFor(phone, receiver, device, sent.message)
    enc.attrs.count = String(count)
    this.ctx.deliver(receiver, deviceId, { tag: 'message', attrs: sent.attrs, content: [enc] })
  }

  /** The phone of `from` sends `text` to every device of `to` (and a copy to its own companions). */
  send(from: AccountRecord, to: AccountRecord, text: string): Promise<SentFromPhone> {
    return this.serial(() => this.sendNow(from, to, text))
  }

  private async sendNow(from: AccountRecord, to: AccountRecord, text: string): Promise<SentFromPhone> {
    if (to.devices.length === 0 && from.devices.length === 0) {
      throw new AppError('not-found', `+${to.pn} has no linked device to deliver to.`)
    }
    const phone = this.signalFor(from)
    const id = randomBytes(16).toString('hex').toUpperCase()
    const t = String(Math.floor(Date.now() / 1000))
    const common = { id, t, type: 'text', notify: from.name }
    const attrs = { ...common, ...this.senderAttrs(from, to !== from) }
    const pnWithheld = to !== from && this.ctx.faults.addressing(from) === 'lid-pn-later'
    const message: proto.IMessage = { conversation: text }
    this.remember(id, { from, to, attrs, message })
    this.ctx.faults.exchanged(from, to)
    const devices: string[] = []
    for (const device of to.devices) {
      const enc = await this.encryptFor(phone, to, device, message)
      this.ctx.deliver(to, device.id, { tag: 'message', attrs, content: [enc] })
      if (pnWithheld) this.ctx.faults.withheldPn(from, to, device.id)
      devices.push(jidEncode(to.pn, 's.whatsapp.net', device.id))
    }
    if (to !== from) {
      const recipient = jidEncode(to.pn, 's.whatsapp.net')
      const own = { ...common, ...this.senderAttrs(from, false), recipient }
      const sync: proto.IMessage = { deviceSentMessage: { destinationJid: recipient, message } }
      for (const device of from.devices) {
        const enc = await this.encryptFor(phone, from, device, sync)
        this.ctx.deliver(from, device.id, { tag: 'message', attrs: own, content: [enc] })
        devices.push(jidEncode(from.pn, 's.whatsapp.net', device.id))
      }
    }
    return { id, devices }
  }
}

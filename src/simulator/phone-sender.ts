// The simulated phone (device 0 of an account) sending a text, as a phone would: it has its own Signal
// identity (memory only), builds a session with each recipient device from the bundle the simulator
// holds (taking one one-time pre-key), encrypts with libsignal (Baileys' own repository), and sends the
// message to every device of the recipient, plus a copy to its own companion devices (a
// deviceSentMessage with `recipient`, which Baileys shows as sent by me: own-device sync).

import { randomBytes } from 'node:crypto'
import {
  addTransactionCapability,
  DEFAULT_CONNECTION_CONFIG,
  encodeWAMessage,
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
}

export interface SentFromPhone {
  id: string
  /** Device JIDs (PN form) the message was delivered or queued to. */
  devices: string[]
}

export class PhoneSender {
  private readonly phones = new Map<string, PhoneSignal>()

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

  /** Encrypts `message` for one device of `owner`, building the session first when needed. */
  private async encryptFor(phone: PhoneSignal, owner: AccountRecord, device: DeviceRecord, message: proto.IMessage): Promise<BinaryNode> {
    const jid = jidEncode(owner.lid, 'lid', device.id)
    if (phone.sessionIdentity.get(jid) !== device.identityPub) {
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
    const { type, ciphertext } = await phone.repository.encryptMessage({ jid, data: encodeWAMessage(message) })
    return { tag: 'enc', attrs: { v: '2', type }, content: ciphertext }
  }

  /** The phone of `from` sends `text` to every device of `to` (and a copy to its own companions). */
  async send(from: AccountRecord, to: AccountRecord, text: string): Promise<SentFromPhone> {
    if (to.devices.length === 0 && from.devices.length === 0) {
      throw new AppError('not-found', `+${to.pn} has no linked device to deliver to.`)
    }
    const phone = this.signalFor(from)
    const id = randomBytes(16).toString('hex').toUpperCase()
    const t = String(Math.floor(Date.now() / 1000))
    const attrs = {
      from: jidEncode(from.pn, 's.whatsapp.net'),
      sender_lid: jidEncode(from.lid, 'lid'),
      id,
      t,
      type: 'text',
      notify: from.name,
    }
    const devices: string[] = []
    for (const device of to.devices) {
      const enc = await this.encryptFor(phone, to, device, { conversation: text })
      this.ctx.deliver(to, device.id, { tag: 'message', attrs, content: [enc] })
      devices.push(jidEncode(to.pn, 's.whatsapp.net', device.id))
    }
    if (to !== from) {
      const recipient = jidEncode(to.pn, 's.whatsapp.net')
      const sync: proto.IMessage = { deviceSentMessage: { destinationJid: recipient, message: { conversation: text } } }
      for (const device of from.devices) {
        const enc = await this.encryptFor(phone, from, device, sync)
        this.ctx.deliver(from, device.id, { tag: 'message', attrs: { ...attrs, recipient }, content: [enc] })
        devices.push(jidEncode(from.pn, 's.whatsapp.net', device.id))
      }
    }
    return { id, devices }
  }
}

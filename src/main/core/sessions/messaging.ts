// Messaging for running accounts: the inbox (the last texts received, as events) and the outbox (what
// was sent, kept for Baileys' getMessage so a retry request can be answered with a resend).
// Main process, Electron-free. Never log message contents.

import { generateMessageIDV2, WAMessageStatus, type proto, type WAMessage, type WAMessageUpdate, type WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { ReceivedMessage } from '../../../shared/contract'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { AccountBook } from './account-book'
import type { AccountRuntime, Runtimes } from './account-runtime'
import { createKnownNumbers } from './known-numbers'

const RECENT_MESSAGES = 50
/** Sent messages kept for retry requests; a retry comes within seconds, so a few hundred is plenty. */
const OUTBOX_SIZE = 256
/** WhatsApp's error ack for a stanza that carries the same message twice for one device (smax-invalid). */
const SMAX_INVALID = '479'
/** A resend can itself cross a fresh retry; a few are enough, and the cap rules out a loop. */
const MAX_RESENDS = 3

export interface Messaging {
  /** Baileys' getMessage for this account's socket: the sent message a retry request asks for. */
  getMessage(rt: AccountRuntime, key: proto.IMessageKey): Promise<proto.IMessage | undefined>
  /**
   * A message arrived on the account's socket: reported once (a text), and recorded before this
   * settles. Recording is tried again until it succeeds or the socket closes (then it rejects: the
   * message was not acknowledged, and WhatsApp delivers it again). Undefined when there is nothing to report.
   */
  onMessage(rt: AccountRuntime, message: WAMessage): Promise<void> | undefined
  /**
   * Status changes of messages this socket sent. Baileys 7.0.0-rc14 answers a retry request for a 1:1
   * message with a stanza that carries it twice for the asking device (once among the participants,
   * once at top level), which WhatsApp rejects with 479: the message would be lost. On that error the
   * message is sent once more as a plain send (each device once), with the same id.
   */
  onUpdates(rt: AccountRuntime, socket: WASocket, updates: WAMessageUpdate[]): void
  /** Throws not-found when WhatsApp does not know the number (only phone-number jids are asked). */
  checkRecipient(id: AccountId, jid: string): Promise<void>
  /** Sends `text` to `jid` on the account's socket now, with this id; conflict when it is not connected. */
  deliver(id: AccountId, jid: string, text: string, messageId: string): Promise<void>
  /** A message id for the account's next send. */
  newMessageId(id: AccountId): string
  messages(id: AccountId): ReceivedMessage[]
  /** The last text's time and the texts of the last 24 hours, as counted since this server ran the account. */
  traffic(id: AccountId): { lastMessageAt: number | null; messages24h: number }
}

/** The jid a recipient names: a phone number in international format ("+1555…", digits only), or a jid as given. */
export function recipientJid(to: string): string {
  return to.includes('@') ? to : `${to.replace(/^\+/, '')}@s.whatsapp.net`
}

/** Between two tries to record a received message: 250 ms, doubling, at most 5 s. */
const RECORD_RETRY_MS = { first: 250, max: 5000 }

export function createMessaging(deps: {
  book: AccountBook
  runtimes: Runtimes
  events: EventBus
  log: Logger
  now: () => number
  /** A message from `jid` arrived on the account: a known contact from then on (the send limits). */
  onReceived?: (id: AccountId, jid: string) => void
}): Messaging {
  const { book, runtimes, events, log, now } = deps
  const known = createKnownNumbers({ now })

  function connectedSocket(id: AccountId): WASocket {
    const current = book.record(id)
    const socket = runtimes.peek(id)?.socket
    if (!socket || current.status !== 'connected') {
      throw new AppError('conflict', `"${current.label}" is not connected. Start it and wait until it shows connected.`)
    }
    return socket
  }

  /** Emits until the event is recorded (every record is idempotent by the message id), or the socket closed. */
  async function record(rt: AccountRuntime, received: ReceivedMessage): Promise<void> {
    const generation = rt.generation
    for (let attempt = 0; ; attempt += 1) {
      if ((await events.emit('accounts:message', received)) !== false) return
      if (generation !== rt.generation || !rt.socket) {
        // Not acknowledged: WhatsApp delivers it again, and then it must not look seen.
        rt.seen.delete(received.id)
        rt.inbox = rt.inbox.filter((m) => m !== received)
        throw new AppError('unavailable', `A message to account ${rt.id} could not be recorded before its socket closed; WhatsApp delivers it again.`)
      }
      const wait = Math.min(RECORD_RETRY_MS.max, RECORD_RETRY_MS.first * 2 ** attempt)
      log.warn({ account: rt.id, attempt: attempt + 1, retryInMs: wait }, 'a received message is not recorded yet; its receipt waits')
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  const self: Messaging = {
    async getMessage(rt, key) {
      return key.id ? await rt.outbox.get(key.id)?.message : undefined
    },

    onUpdates(rt, socket, updates) {
      for (const { key, update } of updates) {
        if (!key.fromMe || !key.id || update.status !== WAMessageStatus.ERROR) continue
        if (update.messageStubParameters?.[0] !== SMAX_INVALID) continue
        const entry = rt.outbox.get(key.id)
        if (!entry || entry.resends >= MAX_RESENDS) continue
        entry.resends += 1
        const messageId = key.id
        void entry.message
          .then((message) => (message ? socket.relayMessage(entry.jid, message, { messageId }) : undefined))
          .catch((err: unknown) => log.warn({ err, account: rt.id }, 'sending a message again after a 479 failed'))
      }
    },

    onMessage(rt, message) {
      if (message.key.fromMe) return
      const content = message.message
      const text = content?.conversation ?? content?.extendedTextMessage?.text
      if (typeof text !== 'string' || !message.key.remoteJid) return
      const id = message.key.id ?? ''
      // Delivered again while its first record is under way: that record decides. Recorded, it is done;
      // failed, this delivery records it (and is acknowledged only then).
      const pending = id ? rt.recording.get(id) : undefined
      if (pending) return pending.catch(() => self.onMessage(rt, message))
      // A message sent again (after a 479, or by a retry that also got through) arrives once more.
      if (id && rt.seen.has(id)) return
      const seconds = Number(message.messageTimestamp ?? 0)
      const received: ReceivedMessage = {
        account: rt.id,
        id,
        from: message.key.remoteJid,
        text,
        at: seconds > 0 ? seconds * 1000 : now(),
      }
      rt.inbox.push(received)
      rt.traffic.record(received.at)
      if (id) rt.seen.add(id)
      if (rt.inbox.length > RECENT_MESSAGES) rt.seen.delete(rt.inbox.shift()!.id)
      deps.onReceived?.(rt.id, received.from)
      if (!id) return record(rt, received)
      const recording = record(rt, received).finally(() => rt.recording.delete(id))
      rt.recording.set(id, recording)
      return recording
    },

    async checkRecipient(id, jid) {
      if (!jid.endsWith('@s.whatsapp.net') || known.has(jid)) return
      const socket = connectedSocket(id)
      // Asked first: WhatsApp accepts a message to a number it does not know and never delivers it,
      // so without this the operator would read "Sent" for a text that goes nowhere. A number found
      // there lately is not asked about again (known-numbers.ts).
      const [found] = (await socket.onWhatsApp(jid)) ?? []
      if (!found?.exists) throw new AppError('not-found', `+${jid.split('@')[0]} is not on WhatsApp, so nothing was sent. Check the number.`)
      known.add(jid)
    },

    async deliver(id, jid, text, messageId) {
      const socket = connectedSocket(id)
      const rt = runtimes.peek(id)!
      // Kept before sendMessage resolves, so a retry request that overtakes it still finds the message.
      const sending = socket.sendMessage(jid, { text }, { messageId })
      rt.outbox.set(messageId, {
        jid,
        message: sending.then((sent) => sent?.message ?? undefined, () => undefined),
        resends: 0,
      })
      if (rt.outbox.size > OUTBOX_SIZE) rt.outbox.delete(rt.outbox.keys().next().value!)
      await sending
    },

    newMessageId(id) {
      return generateMessageIDV2(runtimes.peek(id)?.socket?.user?.id)
    },

    messages(id) {
      book.record(id)
      return [...(runtimes.peek(id)?.inbox ?? [])]
    },

    traffic(id) {
      book.record(id)
      const counter = runtimes.peek(id)?.traffic
      return { lastMessageAt: counter?.lastAt() ?? null, messages24h: counter?.lastDay(now()) ?? 0 }
    },
  }
  return self
}

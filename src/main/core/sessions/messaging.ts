// Messaging for running accounts: the inbox (the last texts received, as events, each with its sender's
// phone and LID as far as they are known), the outbox (what was sent, kept for Baileys' getMessage so a
// retry request can be answered with a resend), and sending a text until WhatsApp's answer to it.
// Decryption failures go to decryption.ts; what WhatsApp answers to a send is read by server-acks.ts.
// Main process, Electron-free. Never log message contents.

import { generateMessageIDV2, isJidGroup, proto, type WAMessage, type WASocket } from '@whiskeysockets/baileys'
import { AppError, isAppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { ReceivedMessage } from '../../../shared/contract'
import { userOf } from '../contacts/contact-book'
import type { Doctor } from '../doctor/doctor'
import { CLOSED_DURING_LOOKUP, CLOSED_DURING_SEND, formatSender, reachOutRefusal, UNANSWERED_LOOKUP, UNCONFIRMED_SEND } from '../doctor/words'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { closedConnection } from '../whatsapp/close-errors'
import type { AccountBook } from './account-book'
import type { AccountRuntime, InboxEntry, Runtimes } from './account-runtime'
import type { Decryption } from './decryption'
import type { Liveness } from './liveness'
import { REACH_OUT_LIMITED, type ServerAcks } from './server-acks'
import { createKnownNumbers } from './known-numbers'

const RECENT_MESSAGES = 50
/** Sent messages kept for retry requests; a retry comes within seconds, so a few hundred is plenty. */
const OUTBOX_SIZE = 256
/**
 * How long a send waits for WhatsApp's ack. WhatsApp acks within a round trip; five seconds covers a
 * slow link, and a socket that answers nothing for that long is checked for staleness (liveness.ts).
 */
export const ACK_WAIT_MS = 5_000

export interface Messaging {
  /** Baileys' getMessage for this account's socket: the sent message a retry request asks for. */
  getMessage(rt: AccountRuntime, key: proto.IMessageKey): Promise<proto.IMessage | undefined>
  /**
   * A message arrived on the account's socket (a text, or a stub for one that failed to decrypt): a text
   * is reported once, and recorded before this settles. Recording is tried again until it succeeds or
   * the socket closes (then it rejects: the message was not acknowledged, and WhatsApp delivers it
   * again). Undefined when there is nothing to report.
   */
  onMessage(rt: AccountRuntime, socket: WASocket, message: WAMessage): Promise<void> | undefined
  /** Baileys learned the phone number behind a LID (its `lid-mapping.update`). */
  onLidMapping(rt: AccountRuntime, mapping: { lid: string; pn: string }): void
  /** Throws not-found when WhatsApp does not know the number (only phone-number jids are asked). */
  checkRecipient(id: AccountId, jid: string): Promise<void>
  /**
   * Sends `text` to `jid` on the account's socket now, with this id, and waits for WhatsApp's ack: a 463
   * is `rate-limited` (and the doctor notes the limit), no answer within ACK_WAIT_MS is `unavailable`
   * (and the socket is checked); conflict when it is not connected. Limits and the queue are core/sends'.
   */
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

export interface MessagingDeps {
  book: AccountBook
  runtimes: Runtimes
  events: EventBus
  log: Logger
  now: () => number
  doctor: Doctor
  acks: ServerAcks
  decryption: Decryption
  liveness: Pick<Liveness, 'probe'>
  /** A message from `jid` arrived on the account: a known contact from then on (the send limits). */
  onReceived?: (id: AccountId, jid: string) => void
}

export function createMessaging(deps: MessagingDeps): Messaging {
  const { book, runtimes, events, log, now, doctor, acks, decryption } = deps
  const known = createKnownNumbers({ now })

  function connected(id: AccountId): { rt: AccountRuntime; socket: WASocket } {
    const current = book.record(id)
    const rt = runtimes.peek(id)
    const socket = rt?.socket
    if (!rt || !socket || current.status !== 'connected') {
      throw new AppError('conflict', `"${current.label}" is not connected. Start it and wait until it shows connected.`)
    }
    return { rt, socket }
  }

  /**
   * Every step that waits for WhatsApp is bounded: on a socket that carries nothing, Baileys' own
   * queries would wait a minute; here the socket is checked instead, and the caller hears at once.
   */
  function inTime<T>({ rt, socket }: { rt: AccountRuntime; socket: WASocket }, step: Promise<T>, late: string, closed: string): Promise<T> {
    // A socket that closed under the step fails it with Baileys' own error ("Connection Closed", or
    // whatever ended the socket): said as what it is, not passed on as an unexpected one.
    const worded = step.catch((err: unknown) => {
      throw closedUnder(rt, socket, err) ? new AppError('unavailable', closed, { cause: err }) : err
    })
    return withDeadline(worded, ACK_WAIT_MS, () => {
      deps.liveness.probe(rt)
      return new AppError('unavailable', late)
    })
  }

  /** A LID's phone became known: the inbox's messages from it carry it from now on, and the page hears. */
  function announcePhone(rt: AccountRuntime, lid: string): void {
    const pn = rt.contacts?.phoneOf(lid)
    if (!pn) return
    const fromLid = `${lid}@lid`
    const phone = `+${pn}`
    for (const entry of rt.inbox) {
      if (entry.sender.fromLid !== fromLid || entry.sender.fromPhone !== null) continue
      entry.sender = { ...entry.sender, fromPhone: phone }
      if (entry.message) entry.message = { ...entry.message, fromPhone: phone }
    }
    events.emit('accounts:lid-mapping', { account: rt.id, lid: fromLid, phone })
  }

  function keep(rt: AccountRuntime, entry: InboxEntry): void {
    rt.inbox.push(entry)
    if (rt.inbox.length > RECENT_MESSAGES) {
      const dropped = rt.inbox.shift()!
      rt.seen.delete(dropped.id)
    }
  }

  /** A text that could not be recorded leaves the inbox: WhatsApp delivers it again. */
  function forget(rt: AccountRuntime, received: ReceivedMessage): void {
    rt.inbox = rt.inbox.filter((e) => e.message !== received)
  }

  /** Emits until the event is recorded (every record is idempotent by the message id), or the socket closed. */
  async function record(rt: AccountRuntime, received: ReceivedMessage): Promise<void> {
    const generation = rt.generation
    for (let attempt = 0; ; attempt += 1) {
      if ((await events.emit('accounts:message', received)) !== false) {
        log.debug({ account: rt.id, id: received.id, attempt: attempt + 1 }, 'a received message is recorded')
        return
      }
      if (generation !== rt.generation || !rt.socket) {
        // Not acknowledged: WhatsApp delivers it again, and then it must not look seen.
        rt.seen.delete(received.id)
        forget(rt, received)
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

    onMessage(rt, socket, message) {
      const key = message.key
      if (key.fromMe || !key.remoteJid) return
      // In a group the sender is the participant; in a chat, the chat itself (a 1:1 stanza may carry a
      // `participant` too, which names the same sender another way).
      const group = isJidGroup(key.remoteJid) === true
      const senderJid = (group ? key.participant : null) ?? key.remoteJid
      const sender = rt.contacts?.identify(senderJid, group ? key.participantAlt : key.remoteJidAlt) ?? { fromPhone: null, fromLid: null, learned: null }
      if (sender.learned) announcePhone(rt, sender.learned)
      const ids = { fromPhone: sender.fromPhone, fromLid: sender.fromLid }
      const id = key.id ?? ''
      const seconds = Number(message.messageTimestamp ?? 0)
      const at = seconds > 0 ? seconds * 1000 : now()

      if (message.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT) {
        log.debug({ account: rt.id, id, reason: message.messageStubParameters?.[0] }, 'a received message could not be decrypted')
        decryption.failed(rt, socket, id, senderJid)
        // Its place in the inbox is kept for the resend (once: a second failure of the same id keeps the first).
        if (id && !rt.inbox.some((e) => e.id === id)) keep(rt, { id, from: key.remoteJid, at, sender: ids, message: null })
        return
      }
      decryption.decrypted(rt, id, senderJid)
      const content = message.message
      const text = content?.conversation ?? content?.extendedTextMessage?.text
      if (typeof text !== 'string') return
      // Delivered again while its first record is under way: that record decides. Recorded, it is done;
      // failed, this delivery records it (and is acknowledged only then).
      const pending = id ? rt.recording.get(id) : undefined
      if (pending) {
        log.debug({ account: rt.id, id }, 'a message delivered again while its first record is under way waits for it')
        return pending.catch(() => self.onMessage(rt, socket, message))
      }
      // A message sent again (after a 479, or by a retry that also got through) arrives once more.
      if (id && rt.seen.has(id)) {
        log.debug({ account: rt.id, id }, 'a message already recorded here is reported again (by Baileys after its receipt, or delivered again); nothing more to record')
        return
      }
      rt.contacts?.exchanged(senderJid)
      const waiting = id ? rt.inbox.find((e) => e.id === id && e.message === null) : undefined
      const received: ReceivedMessage = {
        account: rt.id,
        id,
        from: waiting?.from ?? key.remoteJid,
        fromPhone: ids.fromPhone ?? waiting?.sender.fromPhone ?? null,
        fromLid: ids.fromLid ?? waiting?.sender.fromLid ?? null,
        text,
        // A resend keeps the time of the first attempt, so it sorts where it was sent.
        at: waiting?.at ?? at,
      }
      rt.traffic.record(received.at)
      if (id) rt.seen.add(id)
      deps.onReceived?.(rt.id, received.from)
      if (waiting) waiting.message = received
      else keep(rt, { id, from: received.from, at: received.at, sender: { fromPhone: received.fromPhone, fromLid: received.fromLid }, message: received })
      if (!id) return record(rt, received)
      const recording = record(rt, received).finally(() => rt.recording.delete(id))
      rt.recording.set(id, recording)
      return recording
    },

    onLidMapping(rt, mapping) {
      const lid = userOf(mapping.lid)
      const pn = userOf(mapping.pn)
      if (!lid || !pn || lid.server !== 'lid' || pn.server !== 's.whatsapp.net') return
      if (rt.contacts?.learn(lid.user, pn.user)) announcePhone(rt, lid.user)
    },

    async checkRecipient(id, jid) {
      if (!jid.endsWith('@s.whatsapp.net') || known.has(jid)) return
      const { rt, socket } = connected(id)
      // Asked first: WhatsApp accepts a message to a number it does not know and never delivers it,
      // so without this the operator would read "Sent" for a text that goes nowhere. A number found
      // there lately is not asked about again (known-numbers.ts).
      const [found] = (await inTime({ rt, socket }, socket.onWhatsApp(jid), UNANSWERED_LOOKUP, CLOSED_DURING_LOOKUP)) ?? []
      if (!found?.exists) throw new AppError('not-found', `${formatSender(jid)} is not on WhatsApp, so nothing was sent. Check the number.`)
      known.add(jid)
    },

    async deliver(id, jid, text, messageId) {
      const { rt, socket } = connected(id)
      const shown = formatSender(jid)
      // The id is chosen first so a retry request that overtakes sendMessage still finds the message,
      // and the ack (which can come before sendMessage resolves) finds its waiter.
      const answered = acks.answer(rt, messageId, ACK_WAIT_MS)
      const sending = socket.sendMessage(jid, { text }, { messageId })
      rt.outbox.set(messageId, {
        jid,
        message: sending.then((sent) => sent?.message ?? undefined, () => undefined),
        resends: 0,
      })
      if (rt.outbox.size > OUTBOX_SIZE) rt.outbox.delete(rt.outbox.keys().next().value!)
      try {
        await inTime({ rt, socket }, sending, UNCONFIRMED_SEND, CLOSED_DURING_SEND)
      } catch (error) {
        rt.acks.delete(messageId)
        throw error
      }
      const answer = await answered
      if (answer === 'timeout') {
        deps.liveness.probe(rt)
        throw new AppError('unavailable', UNCONFIRMED_SEND)
      }
      if (answer.error === REACH_OUT_LIMITED) {
        const limited = doctor.reachOutRefused(id)
        doctor.sendRefused(id, 'reach-out-limit')
        book.refreshCondition(id)
        throw new AppError('rate-limited', reachOutRefusal(shown, limited.until, limited.announced), { retryAt: limited.until })
      }
      if (answer.error !== null) {
        throw new AppError('unavailable', `WhatsApp refused the text to ${shown} (error ${answer.error}); it was not delivered.`)
      }
      rt.contacts?.exchanged(jid)
    },

    newMessageId(id) {
      return generateMessageIDV2(runtimes.peek(id)?.socket?.user?.id)
    },

    messages(id) {
      book.record(id)
      return (runtimes.peek(id)?.inbox ?? []).flatMap((entry) => (entry.message ? [entry.message] : []))
    },

    traffic(id) {
      book.record(id)
      const counter = runtimes.peek(id)?.traffic
      return { lastMessageAt: counter?.lastAt() ?? null, messages24h: counter?.lastDay(now()) ?? 0 }
    },
  }
  return self
}

/** Whether a step failed because its socket closed: Baileys' 428, or the socket no longer the account's open one. */
function closedUnder(rt: AccountRuntime, socket: WASocket, err: unknown): boolean {
  return !isAppError(err) && (closedConnection(err) || rt.socket !== socket || !rt.open)
}

/** `step`, or the error `late()` makes if it has not settled within `ms` (the step itself goes on). */
function withDeadline<T>(step: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms)
    timer.unref?.()
  })
  // A step that fails after the deadline has nobody left to tell.
  step.catch(() => undefined)
  return Promise.race([step, deadline]).finally(() => clearTimeout(timer))
}

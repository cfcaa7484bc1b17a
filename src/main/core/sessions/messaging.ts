// Messaging for running accounts: the inbox (the last texts received, as events) and the outbox (what
// was sent, kept for Baileys' getMessage so a retry request can be answered with a resend).
// Main process, Electron-free. Never log message contents.

import { generateMessageIDV2, type proto, type WAMessage } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { ReceivedMessage } from '../../../shared/contract'
import type { EventBus } from '../events'
import type { AccountBook } from './account-book'
import type { AccountRuntime, Runtimes } from './account-runtime'

const RECENT_MESSAGES = 50
/** Sent messages kept for retry requests; a retry comes within seconds, so a few hundred is plenty. */
const OUTBOX_SIZE = 256

export interface Messaging {
  /** Baileys' getMessage for this account's socket: the sent message a retry request asks for. */
  getMessage(rt: AccountRuntime, key: proto.IMessageKey): Promise<proto.IMessage | undefined>
  /** A message arrived on the account's socket. */
  onMessage(rt: AccountRuntime, message: WAMessage): void
  sendText(id: AccountId, to: string, text: string): Promise<{ messageId: string }>
  messages(id: AccountId): ReceivedMessage[]
}

export function createMessaging(deps: { book: AccountBook; runtimes: Runtimes; events: EventBus; now: () => number }): Messaging {
  const { book, runtimes, events, now } = deps
  return {
    async getMessage(rt, key) {
      return key.id ? await rt.outbox.get(key.id) : undefined
    },

    onMessage(rt, message) {
      if (message.key.fromMe) return
      const content = message.message
      const text = content?.conversation ?? content?.extendedTextMessage?.text
      if (typeof text !== 'string' || !message.key.remoteJid) return
      const seconds = Number(message.messageTimestamp ?? 0)
      const received: ReceivedMessage = {
        account: rt.id,
        id: message.key.id ?? '',
        from: message.key.remoteJid,
        text,
        at: seconds > 0 ? seconds * 1000 : now(),
      }
      rt.inbox.push(received)
      if (rt.inbox.length > RECENT_MESSAGES) rt.inbox.shift()
      events.emit('accounts:message', received)
    },

    async sendText(id, to, text) {
      const current = book.record(id)
      const rt = runtimes.peek(id)
      const socket = rt?.socket
      if (!rt || !socket || current.status !== 'connected') {
        throw new AppError('conflict', `"${current.label}" is not connected. Start it and wait until it shows connected.`)
      }
      const jid = to.includes('@') ? to : `${to.replace(/^\+/, '')}@s.whatsapp.net`
      if (jid.endsWith('@s.whatsapp.net')) {
        // Asked first: WhatsApp accepts a message to a number it does not know and never delivers it,
        // so without this the operator would read "Sent" for a text that goes nowhere.
        const [found] = (await socket.onWhatsApp(jid)) ?? []
        if (!found?.exists) throw new AppError('not-found', `+${jid.split('@')[0]} is not on WhatsApp, so nothing was sent. Check the number.`)
      }
      // The id is chosen first so a retry request that overtakes sendMessage still finds the message.
      const messageId = generateMessageIDV2(socket.user?.id)
      const sending = socket.sendMessage(jid, { text }, { messageId })
      rt.outbox.set(
        messageId,
        sending.then((sent) => sent?.message ?? undefined, () => undefined),
      )
      if (rt.outbox.size > OUTBOX_SIZE) rt.outbox.delete(rt.outbox.keys().next().value!)
      await sending
      return { messageId }
    },

    messages(id) {
      book.record(id)
      return [...(runtimes.peek(id)?.inbox ?? [])]
    },
  }
}

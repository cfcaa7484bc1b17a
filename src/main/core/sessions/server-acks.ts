// What WhatsApp answered to each message stanza an account sent: its raw `<ack class="message">`, read
// on the socket itself (Baileys resolves sendMessage before the ack comes, and folds an error ack into
// its own event buffer, where it may arrive as part of the sent message's upsert: keying on the raw
// ack is the one reliable way). Two answers matter here:
// - 463: a reach-out limit; sendText (messaging.ts) turns it into `rate-limited`.
// - 479 (smax-invalid): WhatsApp refuses a stanza that carries one message twice for one device. Baileys
//   7.0.0-rc14 builds exactly that when it answers a retry receipt for a 1:1 message (the message both
//   in a `<participants>` fan-out and in a top-level `<enc>`), reported against real WhatsApp in
//   WhiskeySockets/Baileys#2781 and modelled by the simulator (src/simulator/README.md). On that 479 the
//   message is sent to the asking device once more, in the shape a retry has (one `<enc>` with the
//   retry count, addressed to that device), so the receiver gets it and nothing else does.
// Main process, Electron-free. Never log message contents.

import { encodeSignedDeviceIdentity, encodeWAMessage, jidDecode, type BinaryNode, type WASocket } from '@whiskeysockets/baileys'
import type { Logger } from '../logger'
import type { AccountRuntime, ServerAnswer } from './account-runtime'

/** WhatsApp's error ack for a stanza carrying the same message twice for one device (Baileys: SmaxInvalid). */
export const SMAX_INVALID = '479'
/** WhatsApp's error ack for a message to a new contact under a reach-out limit (Baileys: MessageAccountRestriction). */
export const REACH_OUT_LIMITED = '463'
/** A resend can itself meet a fresh retry; a few are enough, and the cap rules out a loop. */
const MAX_RESENDS = 3
/** Retry receipts remembered per account, newest kept: a retry is answered within seconds. */
const RETRIES_KEPT = 256

export type { ServerAnswer }

export interface ServerAcks {
  /** Listens to the socket's raw acks and retry receipts. */
  attach(rt: AccountRuntime, socket: WASocket, generation: number): void
  /**
   * Resolves with WhatsApp's answer to the stanza `messageId`, or 'timeout' after `ms`. Call it before
   * the stanza is sent: the ack can come before Baileys' sendMessage resolves.
   */
  answer(rt: AccountRuntime, messageId: string, ms: number): Promise<ServerAnswer>
}

export function createServerAcks(deps: { log: Logger }): ServerAcks {
  const { log } = deps

  /** Sends a refused retry once more, as one `<enc>` for the asking device (see the header). */
  async function resendToDevice(rt: AccountRuntime, socket: WASocket, messageId: string, device: string): Promise<void> {
    const entry = rt.outbox.get(messageId)
    if (!entry || entry.resends >= MAX_RESENDS) return
    entry.resends += 1
    const message = await entry.message
    const account = rt.auth?.state.creds.account
    if (!message || !account) return
    const mine = jidDecode(socket.user?.id)?.user
    const theirs = jidDecode(device)?.user
    if (!theirs || theirs === mine) return
    const count = rt.retries.get(messageId)?.count ?? 1
    const { type, ciphertext } = await socket.signalRepository.encryptMessage({ jid: device, data: encodeWAMessage(message) })
    const stanza: BinaryNode = {
      tag: 'message',
      attrs: { id: messageId, to: device, type: 'text', device_fanout: 'false' },
      content: [
        { tag: 'enc', attrs: { v: '2', type, count: String(count) }, content: ciphertext },
        { tag: 'device-identity', attrs: {}, content: encodeSignedDeviceIdentity(account, true) },
      ],
    }
    await socket.sendNode(stanza)
  }

  return {
    attach(rt, socket, generation) {
      socket.ws.on('CB:ack,class:message', (node: BinaryNode) => {
        if (generation !== rt.generation) return
        const id = node.attrs.id
        if (!id) return
        const error = node.attrs.error ?? null
        const waiter = rt.acks.get(id)
        if (waiter) {
          rt.acks.delete(id)
          waiter({ error })
        }
        if (error !== SMAX_INVALID) return
        const device = node.attrs.from
        // Only a retry to one device (`to` a device jid) is answered again here; a first send is never doubled.
        if (!device || !jidDecode(device)?.device) return
        resendToDevice(rt, socket, id, device).catch((err: unknown) => log.warn({ err, account: rt.id }, 'sending a message again after a 479 failed'))
      })
      socket.ws.on('CB:receipt,type:retry', (node: BinaryNode) => {
        if (generation !== rt.generation || !node.attrs.id) return
        const retry = Array.isArray(node.content) ? node.content.find((c) => c.tag === 'retry') : undefined
        rt.retries.set(node.attrs.id, { count: Number(retry?.attrs.count ?? 1) || 1 })
        if (rt.retries.size > RETRIES_KEPT) rt.retries.delete(rt.retries.keys().next().value!)
      })
    },

    answer(rt, messageId, ms) {
      return new Promise<ServerAnswer>((resolve) => {
        const timer = setTimeout(() => {
          rt.acks.delete(messageId)
          resolve('timeout')
        }, ms)
        timer.unref?.()
        rt.acks.set(messageId, (answer) => {
          clearTimeout(timer)
          resolve(answer)
        })
      })
    },
  }
}

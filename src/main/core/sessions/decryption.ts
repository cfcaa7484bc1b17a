// Decryption failures as an account sees them (docs/session-doctor.md, "Decryption failures"). Baileys
// upserts a message it cannot decrypt as a CIPHERTEXT stub and asks the sender's device for it again
// with a retry receipt; the resend upserts under the same id. This counts each failure for the doctor,
// per account and per sender, and when one sender's messages keep failing resets that sender's Signal
// session the way Baileys itself does for a MAC error (SignalRepository.deleteSession, in
// Socket/messages-recv.js sendRetryRequest): with no session left, Baileys' next retry receipt carries
// this device's keys, and the sender builds a fresh session from them.
// Main process, Electron-free. Never log message contents.

import { jidDecode, type BinaryNode, type WASocket } from '@whiskeysockets/baileys'
import type { Doctor } from '../doctor/doctor'
import type { Logger } from '../logger'
import { userOf } from '../contacts/contact-book'
import type { AccountBook } from './account-book'
import type { AccountRuntime } from './account-runtime'

/** Incoming message ids whose sending device is remembered: a failure is noticed within a second or two. */
const DEVICES_KEPT = 256

export interface Decryption {
  /** Notes the sending device of every incoming message stanza (a stub's key does not carry it). */
  attach(rt: AccountRuntime, socket: WASocket, generation: number): void
  /** A message from `sender` (its user jid) failed to decrypt. */
  failed(rt: AccountRuntime, socket: WASocket, id: string, sender: string): void
  /** A message from `sender` decrypted: a resend of a failed one, or news that the session works. */
  decrypted(rt: AccountRuntime, id: string, sender: string): void
}

export function createDecryption(deps: { doctor: Doctor; book: AccountBook; log: Logger }): Decryption {
  const { doctor, book, log } = deps

  async function resetSessions(rt: AccountRuntime, socket: WASocket, devices: string[]): Promise<void> {
    const jids = new Set(devices)
    // Baileys keeps a session under the sender's LID once it knows it: delete both names of each device.
    const mapping = socket.signalRepository.lidMapping
    for (const device of devices) {
      const other = jidDecode(device)?.server === 'lid' ? await mapping.getPNForLID(device) : await mapping.getLIDForPN(device)
      if (other) jids.add(other)
    }
    await socket.signalRepository.deleteSession([...jids])
    log.info({ account: rt.id, sessions: jids.size }, 'reset the Signal sessions of a sender whose messages kept failing to decrypt')
  }

  return {
    attach(rt, socket, generation) {
      socket.ws.on('CB:message', (node: BinaryNode) => {
        if (generation !== rt.generation || !node.attrs.id) return
        const device = node.attrs.participant ?? node.attrs.from
        if (!device) return
        rt.devices.set(node.attrs.id, device)
        if (rt.devices.size > DEVICES_KEPT) rt.devices.delete(rt.devices.keys().next().value!)
      })
    },

    failed(rt, socket, id, sender) {
      const who = userOf(sender)
      const reset = doctor.decryptFailed(rt.id, { id, sender: who ? `${who.user}@${who.server}` : sender, device: rt.devices.get(id) ?? null })
      if (reset.length > 0) resetSessions(rt, socket, reset).catch((err: unknown) => log.warn({ err, account: rt.id }, 'resetting a sender’s session failed'))
      book.refreshCondition(rt.id)
    },

    decrypted(rt, id, sender) {
      const who = userOf(sender)
      if (doctor.decrypted(rt.id, { id, sender: who ? `${who.user}@${who.server}` : sender })) book.refreshCondition(rt.id)
    },
  }
}

// No message is acknowledged to WhatsApp before the app has recorded it (docs/fleet.md, "Delivery
// guarantee"). Main process, Electron-free.
//
// WhatsApp keeps a message until the device acknowledges it, and delivers it again to whichever process
// logs in as the device next when no acknowledgement came. Baileys 7 sends its receipt as soon as it has
// decrypted a message, and tells the app (messages.upsert) only after that: a process that died in
// between had acknowledged a message nobody recorded. Here the app reads the message at the moment
// Baileys decrypts it, through a wrapped signal repository (the config's makeSignalRepository), and
// Baileys' decryption, and so its receipt, waits until the app has recorded it (`report` settles).
//
// The record comes before the decryption's own key writes, too: the decryption runs inside an outer
// key-store transaction (Baileys' inner one joins it), whose writes (the advanced Signal session, a
// used pre-key) commit only after the record. A process that dies before that leaves the session as it
// was, so the message WhatsApp delivers again decrypts; a record that fails discards them the same way.
//
// A record that cannot be made (the socket closed first: its lease lost, the app stopping), or a key
// store that cannot be read or written (the database is down), closes the socket before Baileys hears
// of the failure: Baileys answers a failed decryption with a retry receipt or a negative ack, either of
// which would settle the message at WhatsApp, and a closed socket sends neither. WhatsApp then delivers
// the message again, once this process reconnects or to the next owner (`guardKeys`, `abandon`).
//
// A decryption's session writes stay in that transaction only while no other socket of this process
// works on the same sender's session at the same moment; signal-address-lock.ts makes sure of it.
//
// Which message a ciphertext belongs to is learnt from the stanza itself: a listener on the socket's
// 'CB:message' sees every message stanza before Baileys starts decrypting it, and the ciphertext Baileys
// hands to the repository is the very bytes object of the stanza's <enc> child.

import {
  cleanMessage,
  decodeMessageNode,
  DEFAULT_CONNECTION_CONFIG,
  proto,
  unpadRandomMax16,
  type BinaryNode,
  type SignalKeyStore,
  type SignalKeyStoreWithTransaction,
  type SocketConfig,
  type WAMessage,
} from '@whiskeysockets/baileys'
import type { EventEmitter } from 'node:events'
import { isAppError } from '../../../shared/errors'
import { lockPerAddress } from './signal-address-lock'

/** The socket's WebSocket as Baileys exposes it (socket.ws). */
type SocketLike = Pick<EventEmitter, 'on'> & { readonly isOpen: boolean }

export interface DurableReceipts {
  /** For the socket config: Baileys' own repository, whose decryptions wait for `report`. */
  makeSignalRepository: NonNullable<SocketConfig['makeSignalRepository']>
  /** Watches the socket's stanzas (socket.ws); call right after the socket is made. */
  watch(ws: SocketLike): void
}

/** After this long a failed record fails its decryption even though the socket did not close (it always does). */
const CLOSE_WAIT_MS = 30_000

/** The store could not be reached: nothing may be acknowledged until it can. */
function unavailable(err: unknown): boolean {
  return isAppError(err) && err.code === 'unavailable'
}

/**
 * The account's key store, as the socket gets it: a read or write that fails because the database
 * cannot be reached calls `abandon` (which closes the socket) before the failure reaches Baileys.
 */
export function guardKeys(keys: SignalKeyStore, abandon: (reason: string) => void): SignalKeyStore {
  const guard = (err: unknown): never => {
    if (unavailable(err)) abandon('The key store cannot be reached; the connection closes so that nothing is acknowledged unrecorded.')
    throw err
  }
  return {
    ...keys,
    get: (type, ids) => Promise.resolve(keys.get(type, ids)).catch(guard),
    set: (data) => Promise.resolve(keys.set(data)).catch(guard),
  }
}

/**
 * `report` gets each decrypted message as Baileys will report it (key, content, timestamp) and resolves
 * once it is recorded; a rejection fails the decryption (no receipt leaves; WhatsApp keeps the message).
 * `me` is the account's own jid and lid, read when a message arrives.
 */
export function durableReceipts(
  report: (message: WAMessage) => Promise<void>,
  me: () => { id: string; lid: string } | null,
  /** Closes the socket (at once: Baileys' end() stops its WebSocket before its first await). */
  abandon: (reason: string) => void,
): DurableReceipts {
  const stanzas = new WeakMap<object, BinaryNode>()
  let socket: SocketLike | null = null

  /** Closes the socket and resolves once it can send nothing more. */
  async function closeFirst(reason: string): Promise<void> {
    abandon(reason)
    const deadline = Date.now() + CLOSE_WAIT_MS
    while (socket?.isOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  }

  async function decrypted(ciphertext: object, plaintext: Uint8Array): Promise<void> {
    const node = stanzas.get(ciphertext)
    const self = me()
    if (!node || !self) return
    let message: WAMessage
    try {
      const { fullMessage } = decodeMessageNode(node, self.id, self.lid)
      const content = proto.Message.decode(unpadRandomMax16(plaintext))
      fullMessage.message = content.deviceSentMessage?.message ?? content
      cleanMessage(fullMessage, self.id, self.lid)
      message = fullMessage
    } catch {
      // Not a message this can read ahead of Baileys: Baileys reports it as usual, after its receipt.
      return
    }
    try {
      await report(message)
    } catch (err) {
      await closeFirst('A received message could not be recorded; the connection closes so that WhatsApp delivers it again.')
      throw err
    }
  }

  return {
    makeSignalRepository(auth, logger, pnToLid) {
      // Baileys' default repository (libsignal), which the socket would make without this option.
      const inner = DEFAULT_CONNECTION_CONFIG.makeSignalRepository(auth, logger, pnToLid)
      // Baileys makes the socket's key store transactional before it calls this (Socket/socket.js).
      const keys = auth.keys as SignalKeyStoreWithTransaction
      // The same transaction key Baileys' own decryption uses, so its transaction nests in this one.
      const recorded = (key: string, ciphertext: object, decrypt: () => Promise<Uint8Array>): Promise<Uint8Array> =>
        keys.transaction(async () => {
          let plaintext: Uint8Array
          try {
            plaintext = await decrypt()
          } catch (err) {
            // The session could not be read or saved: not the message's fault, and not to be answered.
            if (unavailable(err)) await closeFirst('The key store cannot be reached while decrypting a message.')
            throw err
          }
          await decrypted(ciphertext, plaintext)
          return plaintext
        }, key)
      // libsignal's part of each decryption is held per sender address, so its session writes stay in
      // this transaction (signal-address-lock.ts): a record that fails must leave the session as it
      // was. The record itself runs after the lock is released: one slow record never holds up the
      // other accounts' messages from the same sender.
      const locked = lockPerAddress(inner)
      return {
        ...locked,
        decryptMessage: (args) => recorded(args.jid, args.ciphertext, () => locked.decryptMessage(args)),
        decryptGroupMessage: (args) => recorded(args.group, args.msg, () => inner.decryptGroupMessage(args)),
      }
    },
    watch(ws) {
      socket = ws
      ws.on('CB:message', (node: BinaryNode) => {
        if (!Array.isArray(node.content)) return
        for (const child of node.content) {
          if (child.tag === 'enc' && child.content instanceof Uint8Array) stanzas.set(child.content, node)
        }
      })
    },
  }
}

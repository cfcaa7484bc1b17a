// One Signal operation per sender address at a time, across every socket of this process. Main
// process, Electron-free.
//
// libsignal runs every session job of one address (a sender's device, the same for every account it
// writes to) in one process-wide queue, and a queued job runs inside the async context of the call
// that started the queue. Baileys' key-store transaction is found through that context (an
// AsyncLocalStorage per socket). So when two sockets (two accounts, or an account's old and new
// socket during a hand-over) decrypt from one sender at once, the second socket's job runs in the
// first one's context, outside its own transaction: its session writes go straight to the store.
// A message whose record then fails (durable-receipts.ts) has advanced its session anyway; when
// WhatsApp delivers it again it cannot be decrypted ("Key used already"), Baileys refuses it with a
// negative ack, and WhatsApp drops it.
//
// Holding this lock around each operation that enters libsignal's queue (decrypt, encrypt, building a
// session) keeps that queue empty whenever one of them starts, so each job runs in its own caller's
// context and its writes stay in its own transaction (cached there until it commits). The lock covers
// libsignal's work only, never the app's own waits (a record, a closing socket).

import type { SignalRepositoryWithLIDStore } from '@whiskeysockets/baileys'
import { keyedQueue } from '../keyed-queue'

/** Runs `work` after every earlier operation on `address` has settled, process-wide. */
export const withSignalAddress = keyedQueue().run

/**
 * The repository with its queue-entering operations held per address. Only libsignal's part is held:
 * whatever the caller does around it (a decryption's record) runs unlocked.
 */
export function lockPerAddress(inner: SignalRepositoryWithLIDStore): SignalRepositoryWithLIDStore {
  const address = (jid: string): string => inner.jidToSignalProtocolAddress(jid)
  return {
    ...inner,
    decryptMessage: (args) => withSignalAddress(address(args.jid), () => inner.decryptMessage(args)),
    encryptMessage: (args) => withSignalAddress(address(args.jid), () => inner.encryptMessage(args)),
    injectE2ESession: (args) => withSignalAddress(address(args.jid), () => inner.injectE2ESession(args)),
  }
}

// The port through which the send service keeps every send and the queue (docs/proxies-and-limits.md):
// sqlite-send-store.ts and pg-send-store.ts beside this file implement it (tables in db/schema.ts and
// db/postgres/schema.ts). Main process, Electron-free. Rows hold the text sealed, and only while it waits.

import type { AccountId } from '../../../shared/ids'

export type SendRowState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled'

/** A send that waits (or was mid-send when its owner stopped), as the queue holds it. */
export interface WaitingRow {
  messageId: string
  jid: string
  /** The text, sealed (AAD "send:<message id>"). */
  payload: Buffer
  newContact: boolean
  createdAt: number
}

export interface SendStore {
  /** A send that went at once: part of the limits' history from now on. */
  recordSent(row: { messageId: string; account: AccountId; jid: string; newContact: boolean; at: number }): Promise<void>
  /** A send over a limit: durable once this resolves. */
  enqueue(row: WaitingRow & { account: AccountId }): Promise<void>
  /**
   * The account's queue in sending order, for the server that now runs it: what a previous run left
   * `sending` (it stopped mid-send, or its server is gone) is waiting again first.
   */
  takeQueue(account: AccountId): Promise<WaitingRow[]>
  /** Marks the send as going out; false when it no longer waits (cancelled meanwhile, or taken). */
  claim(messageId: string): Promise<boolean>
  /** Gives a claimed send back to the queue (the socket closed under it). */
  unclaim(messageId: string): Promise<void>
  /** Ends a send: sent or failed; its text is dropped. */
  finish(messageId: string, outcome: { state: 'sent' | 'failed'; at: number; error: string | null }): Promise<void>
  /** Cancels waiting sends, all or none: resolves with the ids that were not waiting (and then cancels nothing). */
  cancel(account: AccountId, messageIds: readonly string[], at: number): Promise<string[]>
  /** The account's sends that went out later than `since`, oldest first. */
  history(account: AccountId, since: number): Promise<Array<{ messageId: string; at: number; newContact: boolean }>>
  /** Per account: sends waiting, and sends that went out later than `since`. */
  counts(since: number): Promise<Map<AccountId, { queued: number; sent: number }>>
  /** Whom the account exchanged a message with. */
  contacts(account: AccountId): Promise<string[]>
  /** The account exchanged a message with `jid` (the first time counts). */
  remember(account: AccountId, jid: string, at: number): Promise<void>
  /** Deletes ended sends older than `before` (the longest window no longer reaches them). */
  prune(before: number): Promise<number>
  /** Forgets a removed account's sends and contacts. */
  forget(account: AccountId): Promise<void>
}

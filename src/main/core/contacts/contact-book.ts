// Whom an account knows: the phone number behind each LID it met (kept in the LID store) and the
// contacts it exchanged messages with (memory only), which a reach-out limit still lets it write to.
// One book per running account, loaded when it first connects. Main process, Electron-free.
// See docs/session-doctor.md, "LIDs" and "Reach-out limits".

import { jidDecode } from '@whiskeysockets/baileys'
import type { AccountId } from '../../../shared/ids'
import type { Logger } from '../logger'
import type { LidStore } from './lid-store'

/** Who sent a message, as a message event carries it. */
export interface SenderIds {
  /** The E.164 phone (`+15551234567`), or null while only the LID is known. */
  fromPhone: string | null
  /** `…@lid`, or null when no LID was named. */
  fromLid: string | null
}

export interface ContactBook {
  /** The phone (digits) behind a LID (digits), once known. */
  phoneOf(lid: string): string | null
  /** Learns that `lid` stands for `pn` (digits both). Returns true when that is news. */
  learn(lid: string, pn: string): boolean
  /**
   * Learns what a pair of jids says (the chat and its alternate: one a LID, the other a phone number,
   * in either order) and returns the sender's ids. `learned` is the LID whose phone is news, if any.
   */
  identify(jid: string, alt: string | null | undefined): SenderIds & { learned: string | null }
  /** Whether the account exchanged a message with this contact (any jid form). */
  isKnown(jid: string): boolean
  /** The account exchanged a message with this contact: a reach-out limit does not stop texts to it. */
  exchanged(jid: string): void
}

export interface Contacts {
  /** The account's book, its mappings read from the store. */
  open(account: AccountId): Promise<ContactBook>
  forget(account: AccountId): void
}

/** `jid` as user digits and server, without the device: `{ user: '1555…', server: 's.whatsapp.net' }`. */
export function userOf(jid: string | null | undefined): { user: string; server: string } | null {
  if (!jid) return null
  const decoded = jidDecode(jid)
  if (!decoded?.user) return null
  return { user: decoded.user, server: decoded.server }
}

const PN = 's.whatsapp.net'
const LID = 'lid'

export function createContacts(deps: { store: LidStore; logger: Logger; now: () => number }): Contacts {
  return {
    async open(account) {
      const rows = await deps.store.load(account).catch((err: unknown) => {
        // Without its mappings an account still runs: senders show by LID until they are learned again.
        deps.logger.warn({ err, account }, 'could not read the LID mappings')
        return []
      })
      return createContactBook(account, rows, deps)
    },
    forget: (account) => deps.store.forget(account),
  }
}

function createContactBook(account: AccountId, rows: Array<{ lid: string; pn: string }>, deps: { store: LidStore; now: () => number }): ContactBook {
  const phones = new Map(rows.map((r) => [r.lid, r.pn]))
  const lids = new Map(rows.map((r) => [r.pn, r.lid]))
  /** Normalised user jids (`digits@server`) the account exchanged a message with. */
  const known = new Set<string>()
  // A contact whose number the account learned has written to it, or was looked up and answered: both
  // count as known, so after a restart a reach-out limit does not refuse those at once (WhatsApp still
  // has the last word: a 463 then marks the limit).
  for (const r of rows) {
    known.add(`${r.pn}@${PN}`)
    known.add(`${r.lid}@${LID}`)
  }

  const self: ContactBook = {
    phoneOf: (lid) => phones.get(lid) ?? null,
    learn(lid, pn) {
      if (phones.get(lid) === pn) return false
      phones.set(lid, pn)
      lids.set(pn, lid)
      deps.store.save(account, { lid, pn }, deps.now())
      return true
    },
    identify(jid, alt) {
      const main = userOf(jid)
      const other = userOf(alt)
      const lid = main?.server === LID ? main.user : other?.server === LID ? other.user : null
      let pn = main?.server === PN ? main.user : other?.server === PN ? other.user : null
      let learned: string | null = null
      if (lid && pn && self.learn(lid, pn)) learned = lid
      if (lid && !pn) pn = phones.get(lid) ?? null
      return { fromPhone: pn ? `+${pn}` : null, fromLid: lid ? `${lid}@${LID}` : null, learned }
    },
    isKnown(jid) {
      const user = userOf(jid)
      if (!user) return false
      if (known.has(`${user.user}@${user.server}`)) return true
      // The same contact under its other name.
      const other = user.server === LID ? phones.get(user.user) : lids.get(user.user)
      return other !== undefined && known.has(`${other}@${user.server === LID ? PN : LID}`)
    },
    exchanged(jid) {
      const user = userOf(jid)
      if (user) known.add(`${user.user}@${user.server}`)
    },
  }
  return self
}

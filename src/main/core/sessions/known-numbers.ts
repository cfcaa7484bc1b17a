// Numbers known to be on WhatsApp, for the send check (messaging.ts): a send to a number found there in
// the last hour skips the question. Main process, Electron-free; one per process, since whether a number
// is on WhatsApp does not depend on who asks.
//
// Why: asking before every send (Baileys' onWhatsApp, a usync query and its answer) doubled the
// round trips of a text, a cost plain Baileys does not have. The question still stands for every number
// not asked about lately, and a number that is not on WhatsApp is never remembered: it is asked about
// again each time. A number that left WhatsApp within the hour would be sent to without a check, as
// plain Baileys always does.

/** How long a positive answer holds. */
export const KNOWN_NUMBER_TTL_MS = 60 * 60 * 1000
/** Numbers remembered at most; the oldest answer goes first. */
export const KNOWN_NUMBERS_MAX = 50_000

export interface KnownNumbers {
  /** True when `jid` (a phone-number JID) was found on WhatsApp within the TTL. */
  has(jid: string): boolean
  /** `jid` is on WhatsApp (it answered the check, or a message came from it). */
  add(jid: string): void
}

export function createKnownNumbers(options: { now?: () => number; ttlMs?: number; max?: number } = {}): KnownNumbers {
  const now = options.now ?? Date.now
  const ttlMs = options.ttlMs ?? KNOWN_NUMBER_TTL_MS
  const max = options.max ?? KNOWN_NUMBERS_MAX
  /** jid -> when its answer stops holding; in the order the answers came. */
  const until = new Map<string, number>()
  return {
    has(jid) {
      const expires = until.get(jid)
      if (expires === undefined) return false
      if (expires > now()) return true
      until.delete(jid)
      return false
    },
    add(jid) {
      until.delete(jid)
      until.set(jid, now() + ttlMs)
      if (until.size > max) until.delete(until.keys().next().value!)
    },
  }
}

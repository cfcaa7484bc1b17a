// When an account may send next, by the limits its operator set (docs/proxies-and-limits.md): sliding
// windows of a minute, an hour and a day over the sends it made, new contacts per day, and a least gap
// between two sends. Pure: the send service holds each account's history and asks here. Main process,
// Electron-free. Nothing here adds a delay a limit does not ask for.

import type { LimitKey, SendLimits } from '../../../shared/send-limits'

/**
 * What a new account starts with, unless the settings say otherwise. Conservative on purpose, and each
 * a rail under what public sources describe (docs/proxies-and-limits.md, "Why these defaults"):
 * - newContactsPerDay 50: Meta starts a new WhatsApp Business Platform portfolio at 250 business-initiated
 *   contacts per rolling 24 hours, and an ordinary account linked as a companion gets less benefit of
 *   the doubt than a verified business; reach-out limits (error 463) are WhatsApp refusing exactly these.
 * - perMinute 10, perHour 100, perDay 500: community reports put the risk for established accounts at
 *   100–200 messages an hour and the ceiling per chat far higher; these stay well under both.
 * - minGapMs: none (the rule: a gap is the operator's choice).
 */
export const DEFAULT_SEND_LIMITS: SendLimits = { perMinute: 10, perHour: 100, perDay: 500, newContactsPerDay: 50, minGapMs: null }

export const NO_LIMITS: SendLimits = { perMinute: null, perHour: null, perDay: null, newContactsPerDay: null, minGapMs: null }

/** How long each window lasts. Tests shorten them; the app uses LIMIT_WINDOWS. */
export interface LimitWindows {
  minuteMs: number
  hourMs: number
  dayMs: number
}

export const LIMIT_WINDOWS: LimitWindows = { minuteMs: 60_000, hourMs: 3_600_000, dayMs: 86_400_000 }

export interface SentEntry {
  at: number
  newContact: boolean
  messageId: string
}

/** An account's sends within the longest window, oldest first, with the times of those to new contacts apart. */
export class SendHistory {
  private entries: SentEntry[] = []
  /** The times of the sends to new contacts, sorted: newContactsPerDay counts these alone. */
  private fresh: number[] = []

  constructor(entries: readonly SentEntry[] = []) {
    for (const entry of entries) this.add(entry)
  }

  add(entry: SentEntry): void {
    // Almost always at the end; a clock that stepped back still keeps the order.
    let at = this.entries.length
    while (at > 0 && this.entries[at - 1]!.at > entry.at) at -= 1
    this.entries.splice(at, 0, entry)
    if (entry.newContact) {
      let f = this.fresh.length
      while (f > 0 && this.fresh[f - 1]! > entry.at) f -= 1
      this.fresh.splice(f, 0, entry.at)
    }
  }

  remove(messageId: string): void {
    const at = this.entries.findIndex((e) => e.messageId === messageId)
    if (at < 0) return
    const [entry] = this.entries.splice(at, 1)
    if (entry!.newContact) this.fresh.splice(this.fresh.indexOf(entry!.at), 1)
  }

  /** Drops sends older than `before`: no window reaches them. */
  prune(before: number): void {
    const first = firstAfter(this.entries, before - 1, entryTime)
    if (first > 0) this.entries.splice(0, first)
    const fresh = firstAfter(this.fresh, before - 1, itself)
    if (fresh > 0) this.fresh.splice(0, fresh)
  }

  get size(): number {
    return this.entries.length
  }

  last(): SentEntry | undefined {
    return this.entries.at(-1)
  }

  /** The time of the send at `index`, oldest first. */
  timeAt(index: number): number {
    return this.entries[index]!.at
  }

  /** Index of the first send later than `time`. */
  firstAfter(time: number): number {
    return firstAfter(this.entries, time, entryTime)
  }

  /** Sends later than `time`. */
  countAfter(time: number): number {
    return this.entries.length - this.firstAfter(time)
  }

  /** The sends to new contacts later than `time`, and the time of the `k`th of them (oldest first). */
  freshAfter(time: number): { count: number; timeOf(k: number): number } {
    const start = firstAfter(this.fresh, time, itself)
    return { count: this.fresh.length - start, timeOf: (k) => this.fresh[start + k]! }
  }

  /** The sends later than `time`, oldest first. */
  after(time: number): readonly SentEntry[] {
    return this.entries.slice(this.firstAfter(time))
  }

  clone(): SendHistory {
    const copy = new SendHistory()
    copy.entries = [...this.entries]
    copy.fresh = [...this.fresh]
    return copy
  }
}

const entryTime = (e: SentEntry): number => e.at
const itself = (t: number): number => t

/** Index of the first item whose time is later than `time`, in a list sorted by time. */
function firstAfter<T>(items: readonly T[], time: number, timeOf: (item: T) => number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (timeOf(items[mid]!) > time) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** When a send may go, and the limit that holds it until then (null: nothing holds it). */
export interface Slot {
  at: number
  limit: LimitKey | null
}

/** The earliest time from `now` that the per-minute, per-hour and per-day limits and the gap allow a send. */
export function generalSlot(history: SendHistory, limits: SendLimits, now: number, windows: LimitWindows = LIMIT_WINDOWS): Slot {
  let slot: Slot = { at: now, limit: null }
  const later = (at: number, limit: LimitKey): void => {
    if (at > slot.at) slot = { at, limit }
  }
  for (const [key, windowMs] of [
    ['perMinute', windows.minuteMs],
    ['perHour', windows.hourMs],
    ['perDay', windows.dayMs],
  ] as const) {
    const max = limits[key]
    if (max === null) continue
    const start = history.firstAfter(now - windowMs)
    const count = history.size - start
    // The send that must leave the window first: the (count - max + 1)th oldest inside it.
    if (count >= max) later(history.timeAt(start + count - max) + windowMs, key)
  }
  const last = history.last()
  if (limits.minGapMs !== null && last) later(last.at + limits.minGapMs, 'minGapMs')
  return slot
}

/** The earliest time from `now` that newContactsPerDay allows one more new contact. */
export function newContactSlot(history: SendHistory, limits: SendLimits, now: number, windows: LimitWindows = LIMIT_WINDOWS): Slot {
  const max = limits.newContactsPerDay
  if (max === null) return { at: now, limit: null }
  const fresh = history.freshAfter(now - windows.dayMs)
  if (fresh.count < max) return { at: now, limit: null }
  return { at: fresh.timeOf(fresh.count - max) + windows.dayMs, limit: 'newContactsPerDay' }
}

export interface Waiting {
  messageId: string
  newContact: boolean
}

export interface Planned {
  messageId: string
  at: number
  /** The limit that held it until `at`, or null when nothing did. */
  limit: LimitKey | null
}

/**
 * When each waiting send goes, in the order the queue sends them: the general limits hold every send;
 * a send to a new contact held by newContactsPerDay or a reach-out limit (until `reachOutUntil`) lets
 * the sends to known contacts behind it go first, and keeps its place for when it may go.
 */
export function plan(
  history: SendHistory,
  queue: readonly Waiting[],
  limits: SendLimits,
  now: number,
  options: { windows?: LimitWindows; reachOutUntil?: number | null; count?: number } = {},
): Planned[] {
  const windows = options.windows ?? LIMIT_WINDOWS
  const reachOutUntil = options.reachOutUntil ?? null
  const count = Math.min(options.count ?? queue.length, queue.length)
  // Only what is planned after the first send needs a copy to write into.
  const simulated = count > 1 ? history.clone() : history
  const out: Planned[] = []
  /** Sends to new contacts passed over while new contacts were closed, oldest first. */
  const held: Waiting[] = []
  let heldFrom = 0
  let next = 0
  let t = now
  /** What moved `t` since the last planned send: the limit that holds the next one. */
  let heldBy: LimitKey | null = null
  while (out.length < count && (next < queue.length || heldFrom < held.length)) {
    const general = generalSlot(simulated, limits, t, windows)
    if (general.at > t) heldBy = general.limit
    t = general.at
    const contact = newContactSlot(simulated, limits, t, windows)
    const newContactsOpen = contact.at <= t && (reachOutUntil === null || reachOutUntil <= t)
    let chosen: Waiting | null = null
    if (newContactsOpen && heldFrom < held.length) chosen = held[heldFrom++]!
    else if (next < queue.length) {
      const candidate = queue[next++]!
      if (candidate.newContact && !newContactsOpen) {
        held.push(candidate)
        continue
      }
      chosen = candidate
    } else {
      // Only sends to new contacts wait, and none may go yet: the earliest time one may. (A reach-out
      // limit is WhatsApp's, not one of these: the account's condition names it.)
      const until = Math.max(contact.at, reachOutUntil ?? 0, t + 1)
      heldBy = contact.at === until ? 'newContactsPerDay' : null
      t = until
      continue
    }
    out.push({ messageId: chosen.messageId, at: t, limit: heldBy })
    heldBy = null
    if (out.length < count) simulated.add({ at: t, newContact: chosen.newContact, messageId: chosen.messageId })
  }
  return out
}

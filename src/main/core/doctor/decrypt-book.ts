// One account's decryption failures (docs/session-doctor.md, "Decryption failures"): counted per
// sender, each failed message remembered until its resend decrypts, and two decisions: when the account
// shows the `decrypt-failures` condition, and when one sender's Signal session is reset. Pure state
// with an injected clock: the session code feeds it, the doctor reads it. Main process, Electron-free.

import { formatSender } from './words'

export interface DecryptOptions {
  /** The window the condition and the ranking count failures over. */
  windowMs: number
  /** Failures within the window that raise the condition. */
  raiseAt: number
  /** A failed message still not resent after this long raises the condition by itself (it may be lost). */
  waitMs: number
  /** With nothing waiting, the condition ends after this long without a new failure. */
  quietMs: number
  /** Failures in a row from one sender (none decrypted in between) that reset its session. */
  resetAfter: number
  /** How often a raised condition's figures are brought up to date (each update is a line in the log). */
  refreshMs: number
}

export const DEFAULT_DECRYPT_OPTIONS: DecryptOptions = {
  windowMs: 10 * 60_000,
  raiseAt: 5,
  waitMs: 30_000,
  quietMs: 2 * 60_000,
  resetAfter: 3,
  refreshMs: 5 * 60_000,
}

/** The longest window anyone asks about (the telemetry ranking's 15 minutes). */
const KEEP_MS = 15 * 60_000
/** Failed messages remembered at most: a storm of failures must not grow memory without bound. */
const MAX_WAITING = 1000

/** What the condition shows, taken when it is raised, on a reset, and every `refreshMs`. */
export interface DecryptFigures {
  failures: number
  windowMinutes: number
  waiting: number
  worst: string | null
  resets: string[]
}

interface Sender {
  failures: number
  inARow: number
  /** Device jids its failed messages came from: the sessions a reset deletes. */
  devices: Set<string>
  resetAt: number | null
}

export class DecryptBook {
  failures = 0
  recovered = 0
  /** Failed messages whose resend never came within the window: given up on (Baileys stops asking after 5 retries). */
  lost = 0
  resets = 0
  /** When each failure happened, oldest first, for the last KEEP_MS. */
  private readonly times: number[] = []
  /** Failed message ids still waiting for their resend, with when they failed. */
  private readonly waiting = new Map<string, number>()
  private readonly senders = new Map<string, Sender>()
  private readonly resetSenders: string[] = []
  raisedAt: number | null = null
  /** When the condition last ended: failures before it do not raise it again. */
  private endedAt = 0
  shown: DecryptFigures | null = null
  private shownAt = 0

  constructor(private readonly options: DecryptOptions) {}

  /**
   * A message from `sender` (a user jid) failed to decrypt. Returns the device jids whose sessions to
   * reset now, or an empty list.
   */
  failed(id: string, sender: string, device: string | null, now: number): string[] {
    this.failures += 1
    this.times.push(now)
    this.prune(now)
    if (id) {
      this.waiting.set(id, now)
      if (this.waiting.size > MAX_WAITING) this.giveUp(this.waiting.keys().next().value!)
    }
    let entry = this.senders.get(sender)
    if (!entry) this.senders.set(sender, (entry = { failures: 0, inARow: 0, devices: new Set(), resetAt: null }))
    entry.failures += 1
    entry.inARow += 1
    if (device) entry.devices.add(device)
    if (entry.inARow < this.options.resetAfter || entry.devices.size === 0) return []
    // One reset per sender per window: a session that fails again right after a reset needs a new one
    // from the sender's side (its retry carries it), not another deletion here.
    if (entry.resetAt !== null && now - entry.resetAt < this.options.windowMs) return []
    entry.resetAt = now
    entry.inARow = 0
    this.resets += 1
    this.resetSenders.push(formatSender(sender))
    if (this.raisedAt !== null) this.snapshot(now)
    return [...entry.devices]
  }

  /**
   * A message decrypted. A resend of a failed one proves only that the retry path works (it comes on a
   * session made for it); a new message that decrypts proves the sender's session sound, and ends its
   * run of failures.
   */
  decrypted(id: string, sender: string, now: number): boolean {
    if (this.waiting.delete(id)) {
      this.recovered += 1
      // The last one that waited came: the figures shown would say otherwise until the next refresh.
      if (this.waiting.size === 0 && this.raisedAt !== null) this.snapshot(now)
      return true
    }
    const entry = this.senders.get(sender)
    if (entry) entry.inARow = 0
    return false
  }

  /** Whether the condition holds now; raises, refreshes or ends it as the options say. */
  evaluate(now: number): boolean {
    this.prune(now)
    // Only failures since the condition last ended count towards raising it again.
    const inWindow = this.countSince(Math.max(now - this.options.windowMs, this.endedAt))
    const stuck = [...this.waiting.values()].some((at) => now - at >= this.options.waitMs)
    if (this.raisedAt === null) {
      if (inWindow < this.options.raiseAt && !stuck) return false
      this.raisedAt = now
      this.snapshot(now)
      return true
    }
    const last = this.times.at(-1) ?? 0
    if (this.waiting.size === 0 && now - last >= this.options.quietMs) {
      this.raisedAt = null
      this.endedAt = now
      this.shown = null
      this.resetSenders.length = 0
      return false
    }
    if (now - this.shownAt >= this.options.refreshMs) this.snapshot(now)
    return true
  }

  /** Whether evaluate() may give another answer later without a new failure (a wait or a quiet period running). */
  pending(): boolean {
    // Without a raised condition or a message waiting, only a new failure can change the answer, and
    // the failure itself asks for it.
    return this.raisedAt !== null || this.waiting.size > 0
  }

  countSince(from: number): number {
    let count = 0
    for (let i = this.times.length - 1; i >= 0 && this.times[i]! > from; i--) count++
    return count
  }

  waitingCount(): number {
    return this.waiting.size
  }

  worstSenders(limit: number): Array<{ sender: string; failures: number }> {
    return [...this.senders.entries()]
      .sort((a, b) => b[1].failures - a[1].failures)
      .slice(0, limit)
      .map(([sender, s]) => ({ sender: formatSender(sender), failures: s.failures }))
  }

  private snapshot(now: number): void {
    this.shownAt = now
    this.shown = {
      failures: this.countSince(now - this.options.windowMs),
      windowMinutes: Math.round(this.options.windowMs / 60_000),
      waiting: this.waiting.size,
      worst: this.worstSenders(1)[0]?.sender ?? null,
      resets: [...new Set(this.resetSenders)],
    }
  }

  private prune(now: number): void {
    let drop = 0
    while (drop < this.times.length && this.times[drop]! < now - KEEP_MS) drop++
    if (drop > 0) this.times.splice(0, drop)
    for (const [id, at] of this.waiting) {
      if (now - at < this.options.windowMs) break
      this.giveUp(id)
    }
  }

  private giveUp(id: string): void {
    this.waiting.delete(id)
    this.lost += 1
  }
}

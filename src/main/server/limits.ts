// Resource bounds for the headless server: how many bytes of large request bodies may be held at once,
// and how fast one client address may fail the token. Node only. Plain data structures with an
// injectable clock, so they test without timers.

import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/**
 * A budget of bytes that large request bodies (session bundles) may hold at once. A body reserves its
 * declared length before it is read (or its chunks as they arrive); past the budget it is refused with a
 * retry hint instead of growing memory until the process dies.
 */
export class ByteBudget {
  private used = 0

  constructor(readonly capacity: number) {}

  tryReserve(bytes: number): boolean {
    if (bytes < 0 || this.used + bytes > this.capacity) return false
    this.used += bytes
    return true
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }

  get inUse(): number {
    return this.used
  }
}

export interface FailedAuthPolicy {
  /** Failures allowed per address within `windowMs` before it is made to wait. */
  freeFailures: number
  windowMs: number
  /** The first wait; each further failure while over the limit doubles it, up to `maxDelayMs`. */
  baseDelayMs: number
  maxDelayMs: number
  /** Addresses tracked at most; the oldest are forgotten first (a flood of addresses cannot grow memory). */
  maxAddresses: number
}

export const DEFAULT_FAILED_AUTH_POLICY: FailedAuthPolicy = {
  freeFailures: 20,
  windowMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxAddresses: 10_000,
}

interface AddressRecord {
  windowStart: number
  failures: number
  blockedUntil: number
  delayMs: number
}

/**
 * Failed token attempts per client address, with exponential backoff once an address is over its free
 * failures. While an address waits, its requests are refused before the token is even compared, so a
 * guesser gains nothing by sending faster.
 */
export class FailedAuthLimiter {
  private readonly records = new Map<string, AddressRecord>()

  constructor(
    private readonly policy: FailedAuthPolicy = DEFAULT_FAILED_AUTH_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the address must still wait, or 0 when it may try. */
  retryAfterMs(address: string): number {
    const record = this.records.get(address)
    if (!record) return 0
    return Math.max(0, record.blockedUntil - this.now())
  }

  recordFailure(address: string): void {
    const now = this.now()
    let record = this.records.get(address)
    if (!record || now - record.windowStart > Math.max(this.policy.windowMs, record.delayMs * 2)) {
      record = { windowStart: now, failures: 0, blockedUntil: 0, delayMs: 0 }
    }
    this.records.delete(address)
    this.records.set(address, record)
    record.failures += 1
    if (record.failures > this.policy.freeFailures) {
      record.delayMs = record.delayMs === 0 ? this.policy.baseDelayMs : Math.min(this.policy.maxDelayMs, record.delayMs * 2)
      record.blockedUntil = now + record.delayMs
    }
    while (this.records.size > this.policy.maxAddresses) {
      const oldest = this.records.keys().next().value
      if (oldest === undefined) break
      this.records.delete(oldest)
    }
  }

  recordSuccess(address: string): void {
    const record = this.records.get(address)
    // A success does not lift a wait already imposed; it forgets the count once the wait is over.
    if (record && record.blockedUntil <= this.now()) this.records.delete(address)
  }
}

/**
 * The address a request comes from. `X-Forwarded-For` is believed only when the connection itself comes
 * from a configured proxy, and then the rightmost address that is not a trusted proxy is the client
 * (everything to its left was written by the client and may be forged).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown')
  if (!trustedProxies.has(peer)) return peer
  const header = req.headers['x-forwarded-for']
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => normalizeAddress(part.trim()))
    .filter((part) => isIP(part) !== 0)
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const hop = chain[i]!
    if (!trustedProxies.has(hop)) return hop
  }
  return peer
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

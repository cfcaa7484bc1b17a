// How fast wrong API tokens may be tried, counted three ways: per client address, per token tried,
// and across the whole server. Node only. Plain data structures with an injectable clock, so they test
// without timers. Every decision is taken before the token is compared: a refused request learns
// nothing about the token, however fast it is sent.
//
// - Per address (an IPv6 client counts by its /64, which one host can fill with addresses): free
//   failures, then waits that double.
// - Per token tried: a token that failed once and is sent again (a client holding an old or revoked
//   token, retrying) is counted against that token, not its address, so it never locks out the other
//   clients behind the same NAT or proxy. Guessing sends a new token every time: each guess counts
//   against the address and the server.
// - Per server: one budget for the first failures of all tokens from all addresses together. Once it is
//   spent, only addresses that have presented the right token before are compared at all, so a guesser
//   with thousands of addresses (all of 127.0.0.0/8 on loopback, a botnet) gets the budget and no more,
//   while clients already at work keep working.
//
// Tables are bounded, and a full one never forgets a record that still holds something back: only
// records that have fully recovered (worth the same as no record) are dropped. When every slot still
// holds something back, newcomers share one overflow record.

import ipaddr from 'ipaddr.js'
import { createHash } from 'node:crypto'

export interface FailedAuthPolicy {
  /** Failures an address may have within `windowMs` (refilled evenly) before it is made to wait. */
  freeFailures: number
  windowMs: number
  /** The first wait; each further failure while over a limit doubles it, up to `maxDelayMs`. */
  baseDelayMs: number
  maxDelayMs: number
  /** Repeats of one wrong token allowed within `windowMs` before that token is made to wait. */
  tokenFreeFailures: number
  /** First failures of tokens allowed server-wide within `windowMs` before unknown addresses wait. */
  serverFreeFailures: number
  /** Addresses (and tokens, and addresses that succeeded) tracked at most, each table on its own. */
  maxAddresses: number
}

export const DEFAULT_FAILED_AUTH_POLICY: FailedAuthPolicy = {
  freeFailures: 20,
  windowMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  tokenFreeFailures: 5,
  serverFreeFailures: 100,
  maxAddresses: 10_000,
}

/** Why a request is refused before its token is compared. */
export type AuthRefusal = 'address' | 'token' | 'server'

export type AuthDecision = { ok: true } | { ok: false; reason: AuthRefusal; retryAfterMs: number }

/** Failures refilled evenly over a window, with a doubling wait once they run out. */
interface Bucket {
  free: number
  at: number
  delayMs: number
  blockedUntil: number
}

class BucketTable {
  private readonly buckets = new Map<string, Bucket>()
  /** Where failures of keys that found no room go (null: they are not counted here at all). */
  private readonly overflow: Bucket | null

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly delays: { baseDelayMs: number; maxDelayMs: number } | null,
    private readonly maxEntries: number,
    options: { overflow: boolean; now: number },
  ) {
    this.overflow = options.overflow ? this.fresh(options.now) : null
  }

  /** Milliseconds `key` must still wait; 0 when it may try. */
  waitMs(key: string, now: number): number {
    const bucket = this.buckets.get(key) ?? (this.buckets.size >= this.maxEntries ? this.overflow : null)
    if (!bucket) return 0
    this.refill(bucket, now)
    if (this.delays) return Math.max(0, bucket.blockedUntil - now)
    // Without delays (the server's budget) a spent bucket waits for its next refill.
    return bucket.free >= 1 ? 0 : Math.ceil(((1 - bucket.free) * this.windowMs) / this.capacity)
  }

  has(key: string): boolean {
    return this.buckets.has(key)
  }

  /** Counts one failure. */
  fail(key: string, now: number): void {
    let bucket = this.buckets.get(key) ?? null
    if (!bucket && this.makeRoom(now)) {
      bucket = this.fresh(now)
      this.buckets.set(key, bucket)
    }
    bucket ??= this.overflow
    if (!bucket) return
    this.refill(bucket, now)
    if (bucket.free >= 1) {
      bucket.free -= 1
    } else if (this.delays) {
      bucket.delayMs = bucket.delayMs === 0 ? this.delays.baseDelayMs : Math.min(this.delays.maxDelayMs, bucket.delayMs * 2)
      bucket.blockedUntil = now + bucket.delayMs
    }
  }

  /** Forgets `key` if it holds nothing back any more (a success does not lift a wait already imposed). */
  forgetIfAtRest(key: string, now: number): void {
    const bucket = this.buckets.get(key)
    if (bucket && bucket.blockedUntil <= now) this.buckets.delete(key)
  }

  get size(): number {
    return this.buckets.size
  }

  private fresh(now: number): Bucket {
    return { free: this.capacity, at: now, delayMs: 0, blockedUntil: 0 }
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at)
    bucket.at = now
    bucket.free = Math.min(this.capacity, bucket.free + (elapsed * this.capacity) / this.windowMs)
    // Recovered in full: the waits start again from the first one.
    if (bucket.free >= this.capacity && bucket.blockedUntil <= now) bucket.delayMs = 0
  }

  private atRest(bucket: Bucket, now: number): boolean {
    this.refill(bucket, now)
    return bucket.free >= this.capacity && bucket.blockedUntil <= now
  }

  /**
   * Drops the oldest record at rest when the table is full. A record still holding something back goes
   * to the end instead; a few steps at most, so a flood costs constant time per failure.
   */
  private makeRoom(now: number): boolean {
    for (let step = 0; this.buckets.size >= this.maxEntries && step < 8; step += 1) {
      const [key, bucket] = this.buckets.entries().next().value as [string, Bucket]
      this.buckets.delete(key)
      if (!this.atRest(bucket, now)) this.buckets.set(key, bucket)
    }
    return this.buckets.size < this.maxEntries
  }
}

export class FailedAuthLimiter {
  private readonly addresses: BucketTable
  private readonly tokens: BucketTable
  private readonly server: BucketTable
  /** Addresses that presented the right token, most recent last: the server's budget does not stop them. */
  private readonly trusted = new Map<string, true>()

  constructor(
    private readonly policy: FailedAuthPolicy = DEFAULT_FAILED_AUTH_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    const at = now()
    const delays = { baseDelayMs: policy.baseDelayMs, maxDelayMs: policy.maxDelayMs }
    this.addresses = new BucketTable(policy.freeFailures, policy.windowMs, delays, policy.maxAddresses, { overflow: true, now: at })
    // No overflow for tokens: a token that found no room is simply counted as a new guess next time.
    this.tokens = new BucketTable(policy.tokenFreeFailures, policy.windowMs, delays, policy.maxAddresses, { overflow: false, now: at })
    this.server = new BucketTable(policy.serverFreeFailures, policy.windowMs, null, 1, { overflow: false, now: at })
  }

  /** Whether a request from `address` presenting `presented` may have its token compared now. */
  check(address: string, presented: string | null): AuthDecision {
    const now = this.now()
    const client = clientKey(address)
    const addressWait = this.addresses.waitMs(client, now)
    if (addressWait > 0) return { ok: false, reason: 'address', retryAfterMs: addressWait }
    if (presented !== null) {
      const tokenWait = this.tokens.waitMs(tokenKey(presented), now)
      if (tokenWait > 0) return { ok: false, reason: 'token', retryAfterMs: tokenWait }
    }
    if (!this.trusted.has(client)) {
      const serverWait = this.server.waitMs(SERVER, now)
      if (serverWait > 0) return { ok: false, reason: 'server', retryAfterMs: serverWait }
    }
    return { ok: true }
  }

  /** A compared token that was wrong (or no token at all). */
  recordFailure(address: string, presented: string | null): void {
    const now = this.now()
    const token = presented === null ? null : tokenKey(presented)
    // The same wrong token again: a stale client, not a new guess. Its own record slows it.
    if (token !== null && this.tokens.has(token)) {
      this.tokens.fail(token, now)
      return
    }
    if (token !== null) this.tokens.fail(token, now)
    this.addresses.fail(clientKey(address), now)
    this.server.fail(SERVER, now)
  }

  recordSuccess(address: string): void {
    const client = clientKey(address)
    this.addresses.forgetIfAtRest(client, this.now())
    this.trusted.delete(client)
    this.trusted.set(client, true)
    if (this.trusted.size > this.policy.maxAddresses) this.trusted.delete(this.trusted.keys().next().value!)
  }

  /** Records held (tests: a flood must not grow them past the policy's bound). */
  get tracked(): { addresses: number; tokens: number; trusted: number } {
    return { addresses: this.addresses.size, tokens: this.tokens.size, trusted: this.trusted.size }
  }
}

const SERVER = '*'

/** The unit a client is counted by: an IPv4 address, or the /64 an IPv6 address sits in. */
export function clientKey(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6
  try {
    parsed = ipaddr.process(address)
  } catch {
    return address
  }
  if (parsed.kind() === 'ipv4') return parsed.toString()
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4)
  return `${prefix.map((part) => part.toString(16)).join(':')}::/64`
}

/** A token is never kept, only a digest of it. */
function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22)
}

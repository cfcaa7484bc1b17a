// Sends what the outbox holds: the first pending row of every (endpoint, lane) that is due, at most
// `maxInFlight` per endpoint, each attempt on its own promise so a slow endpoint never holds up another
// (or the sessions: nothing here runs inside an event emit). Failed attempts are retried with
// exponential backoff and jitter; after `deadAfterMs` a row is dead and the next one in its lane goes.
// Main process, Electron-free. The clock and the backoff are injected so tests need not wait seconds.

import type { Logger } from '../logger'
import type { Outbox, OutboxRow } from './outbox'
import type { PostOutcome } from './post'

export interface RetryPolicy {
  /** The first retry's delay; each next one doubles (1 s, 2 s, 4 s …). */
  baseMs: number
  /** The longest delay between two attempts (1 h). */
  maxMs: number
  /** A row still failing this long after it was queued is dead (24 h). */
  deadAfterMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 60 * 60_000, deadAfterMs: 24 * 60 * 60_000 }
export const DEFAULT_MAX_IN_FLIGHT = 8
/** Rows taken per pass; a pass runs again as soon as one finishes or an attempt settles. */
const ROWS_PER_PASS = 500
/**
 * A claim outlasts the attempt's timeout by this much, so a live server never loses its claim mid-attempt.
 * An attempt must start within half the margin of its claim (else the row is given back unsent): it then
 * ends, by its hard timeout, with half the margin left to record the outcome under the same claim.
 */
export const CLAIM_MARGIN_MS = 30_000

/** The delay before attempt n+1 after n failed ones: base·2^(n-1), capped, ±20 % so retries spread out. */
export function retryDelay(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exact = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1))
  return Math.min(policy.maxMs, Math.round(exact * (0.8 + 0.4 * random())))
}

export interface DispatcherDeps {
  outbox: Outbox
  /**
   * Builds the request for a row and sends it; resolves with how it went (never rejects), or with null
   * when `mayStart()` said no just before the POST (the claim is too old to cover a whole attempt).
   */
  attempt(row: OutboxRow, mayStart: () => boolean): Promise<PostOutcome | null>
  now: () => number
  /** Monotonic milliseconds, for the age of a claim (tests move it). */
  monotonic?: () => number
  retry: RetryPolicy
  maxInFlight: number
  /** The attempt's timeout: claims (PostgreSQL) last longer than it. */
  timeoutMs: number
  /** Look again at least this often, for rows other servers queued or gave back (PostgreSQL). */
  pollMs?: number
  logger: Logger
}

export interface Dispatcher {
  /** Something was queued or changed: look again soon (coalesced). */
  poke(): void
  /** Resolves when nothing is in flight (tests, shutdown). */
  idle(): Promise<void>
  stop(): void
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { outbox, now, retry, logger } = deps
  const monotonic = deps.monotonic ?? (() => performance.now())
  const claimMs = deps.timeoutMs + CLAIM_MARGIN_MS
  /** Requests in flight, per endpoint: the bound (`maxInFlight`) counts these. */
  const inFlight = new Map<string, Set<number>>()
  /**
   * Rows whose request ended and whose outcome is being written: not sent again until it is (their
   * lane waits), but no longer counted against the endpoint's bound, so its other lanes go on meanwhile.
   */
  const recording = new Set<number>()
  let timer: NodeJS.Timeout | null = null
  let wakeAt = Infinity
  let scheduled = false
  let running = false
  let again = false
  let stopped = false
  let idleWaiters: Array<() => void> = []

  function countInFlight(): number {
    let n = recording.size
    for (const set of inFlight.values()) n += set.size
    return n
  }

  function poke(): void {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    if (scheduled) return
    scheduled = true
    // Coalesces a burst of events (one emit each) into one pass, after the emitting code has run.
    setImmediate(() => void pass())
  }

  function wakeLater(at: number): void {
    if (at >= wakeAt) return
    if (timer) clearTimeout(timer)
    wakeAt = at
    timer = setTimeout(() => {
      timer = null
      wakeAt = Infinity
      poke()
    }, Math.max(0, at - now()))
  }

  async function pass(): Promise<void> {
    scheduled = false
    if (stopped) return
    running = true
    again = false
    const at = now()
    try {
      const busy = new Set<number>(recording)
      const counts = new Map<string, number>()
      for (const [webhookId, set] of inFlight) {
        counts.set(webhookId, set.size)
        for (const seq of set) busy.add(seq)
      }
      // Taken before the claim is sent: the claim's expiry (database clock, at the statement) is later.
      const claimedAt = monotonic()
      const mayStart = (): boolean => !stopped && monotonic() - claimedAt < CLAIM_MARGIN_MS / 2
      const { rows, nextAt } = await outbox.claim({
        now: at,
        limit: ROWS_PER_PASS,
        busy,
        maxPerWebhook: deps.maxInFlight,
        inFlight: counts,
        claimMs,
      })
      const giveBack: number[] = []
      for (const row of rows) {
        const mine = inFlight.get(row.webhookId) ?? new Set<number>()
        // Claimed within the endpoint's room; only a stop (or a claim that raced a completion) gives back.
        if (stopped || mine.size >= deps.maxInFlight) {
          giveBack.push(row.seq)
          continue
        }
        mine.add(row.seq)
        inFlight.set(row.webhookId, mine)
        void deps.attempt(row, mayStart).then((outcome) => settle(row, outcome))
      }
      if (giveBack.length > 0) await outbox.release(giveBack)
      if (nextAt !== null) wakeLater(nextAt)
    } catch (err) {
      logger.error({ err }, 'could not read the webhook outbox; trying again in a second')
      wakeLater(now() + 1000)
    } finally {
      running = false
    }
    if (deps.pollMs !== undefined) wakeLater(now() + deps.pollMs)
    if (again) poke()
    else if (countInFlight() === 0) releaseIdle()
  }

  function settle(row: OutboxRow, outcome: PostOutcome | null): void {
    const sending = inFlight.get(row.webhookId)
    sending?.delete(row.seq)
    if (sending?.size === 0) inFlight.delete(row.webhookId)
    recording.add(row.seq)
    // Not sent: given back, so this server or another takes it again under a fresh claim.
    const done = outcome
      ? record(row, outcome)
      : stopped
        ? Promise.resolve()
        : outbox.release([row.seq]).catch((err: unknown) => logger.warn({ err }, 'could not give back a webhook claim'))
    // The endpoint has room again while the outcome is written. Asked after the write was queued, so
    // with SQLite one pass follows the commit and sees the lane's next head.
    poke()
    void done.finally(() => {
      recording.delete(row.seq)
      poke()
      if (countInFlight() === 0 && !scheduled && !running) releaseIdle()
    })
  }

  async function record(row: OutboxRow, outcome: PostOutcome): Promise<void> {
    if (stopped) return
    const at = now()
    const attempts = row.attempts + 1
    const dead = !outcome.ok && at - row.queuedAt >= retry.deadAfterMs
    const status = outcome.ok ? 'delivered' : dead ? 'dead' : 'pending'
    try {
      const kept = await outbox.recordAttempt({
        seq: row.seq,
        webhookId: row.webhookId,
        health: outcome.ok ? { ok: true, at } : { ok: false, error: outcome.error ?? 'failed' },
        claimId: row.claimId ?? null,
        status,
        at,
        nextAttemptAt: status === 'pending' ? at + retryDelay(attempts, retry) : at,
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
        response: outcome.response,
      })
      if (!kept) {
        // Another server holds the row's claim now and its attempt counts; this one was a repeat.
        logger.warn({ webhook: row.webhookId, event: row.event }, 'a webhook attempt outlived its claim; its outcome was not recorded')
        return
      }
    } catch (err) {
      // The row stays pending as it was: it goes out again (at least once, never lost).
      logger.error({ err, webhook: row.webhookId }, 'could not record a webhook attempt')
    }
    if (dead) logger.warn({ webhook: row.webhookId, event: row.event, attempts }, 'a webhook delivery gave up after its retry window; the next events of its lane go on')
  }

  function releaseIdle(): void {
    const waiters = idleWaiters
    idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  return {
    poke,
    idle() {
      if (countInFlight() === 0 && !scheduled && !running) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      releaseIdle()
    },
  }
}

// What a fleet operator scrapes: the core's figures in the Prometheus text format (prom-client), served
// by the headless server at GET /metrics. Main process, Electron-free. Each core gets its own Registry,
// never prom-client's global one: tests run several cores in one process, and a shared registry would
// refuse the second core's metric names and mix their figures.
//
// Store latencies and key-cache lookups come from the same diagnostics channels the telemetry view reads
// (telemetry/channels.ts), reconnects from the session manager's channel (sessions/session-channels.ts),
// decryption failures, stale sockets and refused sends from the doctor's (doctor/channels.ts).
// Those channels are process-wide, so events are kept only for accounts this core knows (from its event
// bus): another core in the same process (a test) does not leak into these figures.

import diagnosticsChannel from 'node:diagnostics_channel'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { ACCOUNT_STATUSES, CONDITION_CODES, type AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { EventBus } from '../events'
import type { LeaseStats } from '../fleet/leases'
import { SEND_OUTCOME, SEND_RESULTS, type SendOutcomeEvent } from '../sends/channels'
import {
  DOCTOR_DECRYPT_FAILURE,
  DOCTOR_SEND_REFUSAL,
  DOCTOR_STALE_SOCKET,
  SEND_REFUSAL_REASONS,
  type DoctorEvent,
  type SendRefusalEvent,
} from '../doctor/channels'
import { SESSION_RECONNECT, type SessionReconnectEvent } from '../sessions/session-channels'
import {
  AUTH_STORE_CACHE,
  AUTH_STORE_REQS,
  AUTH_STORE_STOP,
  EVENT_LOOP_DELAY,
  isAuthStoreReq,
  type AuthStoreCacheEvent,
  type AuthStoreStopEvent,
  type EventLoopDelayEvent,
} from '../telemetry/channels'
import { holdLoopDelaySampler } from '../telemetry/loop-delay'

export interface MetricsDeps {
  events: EventBus
  /** Every account as `accounts:list` gives them (in a fleet: the whole fleet's). */
  accounts: () => readonly AccountSummary[]
  /** The fleet's lease manager; null on a single server (the lease series then stay at zero). */
  leases: { held(): ReadonlyMap<AccountId, number>; stats(): LeaseStats } | null
  /** Sends waiting in the queue, from the database (in a fleet: the whole fleet's). */
  queueDepth?: () => Promise<number>
}

export interface Metrics {
  /** The value of the Content-Type header for `render()`'s text. */
  readonly contentType: string
  render(): Promise<string>
  /** Unsubscribes from the channels and the event bus. */
  dispose(): void
}

/**
 * Seconds. SQLite answers a one-key get in tens of microseconds, PostgreSQL on loopback in about a
 * millisecond, a slow disk or a busy database in tens of milliseconds: the buckets cover all three.
 */
export const STORE_LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/**
 * Seconds. A responsive loop runs its timers within a millisecond or two; a mass reconnect without
 * admission control held it for half a second and more.
 */
export const LOOP_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/**
 * Baileys' DisconnectReason names for the codes a reconnect follows; a closed set, so the label's
 * cardinality stays bounded whatever a server sends.
 */
const RECONNECT_REASONS: Readonly<Record<number, string>> = {
  408: 'connection-lost',
  428: 'connection-closed',
  500: 'bad-session',
  503: 'unavailable-service',
  515: 'restart-required',
}

export function reconnectReason(code: number | null, reason?: 'stale-socket'): string {
  if (reason) return reason
  if (code === null) return 'no-status'
  return RECONNECT_REASONS[code] ?? 'other'
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry()
  const known = new Set<string>(deps.accounts().map((a) => a.id))
  const unsubscribeEvents = deps.events.subscribe((message) => {
    if (message.event === 'accounts:changed') known.add(message.payload.id)
    else if (message.event === 'accounts:removed') known.delete(message.payload.id)
  })

  const storeLatency = new Histogram({
    name: 'irish_store_request_duration_seconds',
    help: 'Auth store call latency by request type (load_creds, save_creds, keys_get, keys_set) and result.',
    labelNames: ['request', 'result'] as const,
    buckets: STORE_LATENCY_BUCKETS,
    registers: [registry],
  })
  const cacheHits = new Counter({
    name: 'irish_key_cache_hits_total',
    help: 'Signal key lookups answered by the in-memory key cache, by key type.',
    labelNames: ['type'] as const,
    registers: [registry],
  })
  const cacheMisses = new Counter({
    name: 'irish_key_cache_misses_total',
    help: 'Signal key lookups the key cache could not answer (they went to the store), by key type.',
    labelNames: ['type'] as const,
    registers: [registry],
  })
  const reconnects = new Counter({
    name: 'irish_reconnects_total',
    help: 'Sockets reopened after WhatsApp closed them, by reason (Baileys disconnect reason).',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const sends = new Counter({
    name: 'irish_sends_total',
    help: 'Sends by what became of them at each step: sent (at once or from the queue), queued, refused (a full queue, a reach-out limit), failed, cancelled.',
    labelNames: ['result'] as const,
    registers: [registry],
  })
  const decryptFailures = new Counter({
    name: 'irish_decrypt_failures_total',
    help: 'Incoming messages that failed to decrypt (Bad MAC, no matching session); most are resent by the sender (docs/session-doctor.md).',
    registers: [registry],
  })
  const staleReconnects = new Counter({
    name: 'irish_stale_socket_reconnects_total',
    help: 'Sockets that stayed open but carried nothing (no frame for staleSocketSeconds, a ping unanswered for 5 s), replaced by a new one.',
    registers: [registry],
  })
  const sendRefusals = new Counter({
    name: 'irish_send_refusals_total',
    help: 'Texts refused: by WhatsApp with error 463 (reach-out-limit), or at once by the app while a known reach-out limit held (reach-out-limit-early).',
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const loopDelay = new Histogram({
    name: 'irish_event_loop_delay_seconds',
    help: "How late this server's event loop ran a timer due every 20 ms. Store latencies time the store's own work; this is the wait every caller adds on top.",
    buckets: LOOP_DELAY_BUCKETS,
    registers: [registry],
  })
  // Every request type and status exists from the start: a series that appears only after its first
  // event makes rate() and alerts miss the first increase.
  for (const req of AUTH_STORE_REQS) storeLatency.zero({ request: req, result: 'ok' })
  for (const result of SEND_RESULTS) sends.inc({ result }, 0)
  new Gauge({
    name: 'irish_send_queue_depth',
    help: 'Sends waiting in the send queue (in a fleet the queue is shared: every server reports the whole fleet, aggregate with max).',
    registers: [registry],
    async collect() {
      this.set(deps.queueDepth ? await deps.queueDepth() : 0)
    },
  })
  for (const reason of SEND_REFUSAL_REASONS) sendRefusals.inc({ reason }, 0)

  new Gauge({
    name: 'irish_accounts',
    help: 'Accounts by status, as accounts:list gives them (in a fleet every server reports the whole fleet: aggregate with max, not sum).',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(ACCOUNT_STATUSES.map((s) => [s, 0]))
      for (const account of deps.accounts()) counts.set(account.status, (counts.get(account.status) ?? 0) + 1)
      for (const [status, n] of counts) this.set({ status }, n)
    },
  })
  new Gauge({
    name: 'irish_account_conditions',
    help: 'Accounts by condition (docs/session-doctor.md), as accounts:list gives them (in a fleet: aggregate with max, not sum).',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(CONDITION_CODES.map((c) => [c, 0]))
      for (const account of deps.accounts()) if (account.condition) counts.set(account.condition.code, (counts.get(account.condition.code) ?? 0) + 1)
      for (const [code, n] of counts) this.set({ code }, n)
    },
  })
  new Gauge({
    name: 'irish_leases_held',
    help: 'Accounts this server holds a lease on and runs (fleet only; 0 on a single server).',
    registers: [registry],
    collect() {
      this.set(deps.leases?.held().size ?? 0)
    },
  })
  // Counted where they happen (leases.ts); read at scrape time.
  new Counter({
    name: 'irish_lease_losses_total',
    help: 'Leases this server lost: taken over, not renewed within the expiry, or a write refused by the fence.',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(deps.leases?.stats().losses ?? 0)
    },
  })
  new Counter({
    name: 'irish_failovers_total',
    help: 'Accounts this server took over from another server whose lease had expired (not released).',
    registers: [registry],
    collect() {
      this.reset()
      this.inc(deps.leases?.stats().takeovers ?? 0)
    },
  })

  function onStop(message: unknown): void {
    const event = message as AuthStoreStopEvent
    if (!isAuthStoreReq(event?.req) || typeof event.durationNs !== 'number' || !known.has(event.account)) return
    storeLatency.observe({ request: event.req, result: event.result === 'ok' ? 'ok' : 'error' }, event.durationNs / 1e9)
  }
  function onCache(message: unknown): void {
    const event = message as AuthStoreCacheEvent
    if (typeof event?.type !== 'string' || !known.has(event.account)) return
    if (event.hits > 0) cacheHits.inc({ type: event.type }, event.hits)
    if (event.misses > 0) cacheMisses.inc({ type: event.type }, event.misses)
  }
  function onReconnect(message: unknown): void {
    const event = message as SessionReconnectEvent
    if (!known.has(event?.account)) return
    reconnects.inc({ reason: reconnectReason(event.code, event.reason) })
  }
  function onDecryptFailure(message: unknown): void {
    if (known.has((message as DoctorEvent)?.account)) decryptFailures.inc()
  }
  function onStaleSocket(message: unknown): void {
    if (known.has((message as DoctorEvent)?.account)) staleReconnects.inc()
  }
  function onSendRefusal(message: unknown): void {
    const event = message as SendRefusalEvent
    if (known.has(event?.account) && SEND_REFUSAL_REASONS.includes(event.reason)) sendRefusals.inc({ reason: event.reason })
  }
  function onSend(message: unknown): void {
    const event = message as SendOutcomeEvent
    if (!known.has(event?.account)) return
    sends.inc({ result: event.result }, event.count)
  }
  diagnosticsChannel.subscribe(SEND_OUTCOME, onSend)
  function onLoopDelay(message: unknown): void {
    const ns = (message as Partial<EventLoopDelayEvent> | null)?.delayNs
    if (typeof ns === 'number' && ns >= 0) loopDelay.observe(ns / 1e9)
  }
  diagnosticsChannel.subscribe(AUTH_STORE_STOP, onStop)
  diagnosticsChannel.subscribe(AUTH_STORE_CACHE, onCache)
  diagnosticsChannel.subscribe(SESSION_RECONNECT, onReconnect)
  diagnosticsChannel.subscribe(DOCTOR_DECRYPT_FAILURE, onDecryptFailure)
  diagnosticsChannel.subscribe(DOCTOR_STALE_SOCKET, onStaleSocket)
  diagnosticsChannel.subscribe(DOCTOR_SEND_REFUSAL, onSendRefusal)
  diagnosticsChannel.subscribe(EVENT_LOOP_DELAY, onLoopDelay)
  const releaseLoopSampler = holdLoopDelaySampler()

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    dispose() {
      unsubscribeEvents()
      diagnosticsChannel.unsubscribe(AUTH_STORE_STOP, onStop)
      diagnosticsChannel.unsubscribe(AUTH_STORE_CACHE, onCache)
      diagnosticsChannel.unsubscribe(SESSION_RECONNECT, onReconnect)
      diagnosticsChannel.unsubscribe(SEND_OUTCOME, onSend)
      diagnosticsChannel.unsubscribe(DOCTOR_DECRYPT_FAILURE, onDecryptFailure)
      diagnosticsChannel.unsubscribe(DOCTOR_STALE_SOCKET, onStaleSocket)
      diagnosticsChannel.unsubscribe(DOCTOR_SEND_REFUSAL, onSendRefusal)
      diagnosticsChannel.unsubscribe(EVENT_LOOP_DELAY, onLoopDelay)
      releaseLoopSampler()
    },
  }
}

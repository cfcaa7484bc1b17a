// The auth store's telemetry channels (node:diagnostics_channel). Main process, Electron-free.
// Publishers check `hasSubscribers` first, so with nobody listening an operation costs one property read.
// Anyone (the aggregator, a tracing tool, a test) subscribes by name without touching store code.

import diagnosticsChannel from 'node:diagnostics_channel'
import { STORE_REQUESTS } from '../../../shared/contract'

export const AUTH_STORE_START = 'auth_store:start'
export const AUTH_STORE_STOP = 'auth_store:stop'
export const AUTH_STORE_CACHE = 'auth_store:cache'

/** The four calls of the seed's contract, named as the seed's telemetry names them (one home: the contract). */
export const AUTH_STORE_REQS = STORE_REQUESTS
export type AuthStoreReq = (typeof AUTH_STORE_REQS)[number]

export interface AuthStoreStartEvent {
  req: AuthStoreReq
  account: string
}

export interface AuthStoreStopEvent {
  req: AuthStoreReq
  account: string
  result: 'ok' | 'error'
  /** Nanoseconds from process.hrtime.bigint(), as a number: exact below 2^53 ns (104 days). */
  durationNs: number
}

/** One key-cache lookup, or a batch of them for one type. */
export interface AuthStoreCacheEvent {
  account: string
  /** The Signal key type (`session`, `pre-key`, …), taken from the `${type}.${id}` cache key. */
  type: string
  hits: number
  misses: number
}

export const authStoreStartChannel = diagnosticsChannel.channel(AUTH_STORE_START)
export const authStoreStopChannel = diagnosticsChannel.channel(AUTH_STORE_STOP)
export const authStoreCacheChannel = diagnosticsChannel.channel(AUTH_STORE_CACHE)

const REQ_SET: ReadonlySet<string> = new Set(AUTH_STORE_REQS)

export function isAuthStoreReq(value: unknown): value is AuthStoreReq {
  return typeof value === 'string' && REQ_SET.has(value)
}

/** How late the event loop ran a timer: one sample about every 20 ms (loop-delay.ts). Process-wide. */
export const EVENT_LOOP_DELAY = 'event_loop:delay'

export interface EventLoopDelayEvent {
  /** Nanoseconds past the moment the timer was due. */
  delayNs: number
}

export const eventLoopDelayChannel = diagnosticsChannel.channel(EVENT_LOOP_DELAY)

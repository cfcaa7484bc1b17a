// Baileys' timeouts, kept once per socket instead of once per frame (docs/runtime.md, "Baileys'
// timeouts"). Main process, Electron-free.
//
// Baileys 7 guards every frame it writes with a timer of `connectTimeoutMs`, and every query's answer
// with one of `defaultQueryTimeoutMs` (its `promiseTimeout`). Each such timer formats two stack traces
// when it starts and makes an error when it is cancelled, which it nearly always is. In the CPU profile
// of 5,000 texts between 500 accounts that was about a seventh of the process. Given 0 and undefined,
// Baileys sets none of them, and the app keeps what they were for:
// - the connect: a socket that WhatsApp has not answered at all (its first frame, the handshake's
//   answer) within Baileys' `connectTimeoutMs` is ended with 408, the code Baileys' own handshake
//   timeouts closed it with. From the handshake on, Baileys' keep-alive (not one of these timers)
//   closes a socket that goes quiet;
// - a query: one left unanswered for Baileys' `defaultQueryTimeoutMs` gets an empty answer, which is
//   what Baileys' timeout gave its caller (undefined). The queries are seen as Baileys waits for them
//   (a `TAG:<id>` listener on the socket's WebSocket) and looked at once a second;
// - a frame's write: Baileys failed a send whose write had not completed in time. The app waits for
//   WhatsApp's ack of each send (server-acks.ts), and a send never acknowledged has the liveness check
//   ping the socket (liveness.ts), which replaces a socket that does not answer.
// A query given its own timeout (the liveness ping's) keeps Baileys' timer.

import { DEFAULT_CONNECTION_CONFIG, DisconnectReason, type SocketConfig } from '@whiskeysockets/baileys'
import { closeError } from '../whatsapp/close-errors'
import type { EventEmitter } from 'node:events'

/** What the socket config gets so that Baileys starts no timer per frame or per query. */
export const NO_TIMER_PER_FRAME: Pick<SocketConfig, 'connectTimeoutMs' | 'defaultQueryTimeoutMs'> = {
  connectTimeoutMs: 0,
  defaultQueryTimeoutMs: undefined,
}

export interface SocketTimeouts {
  /** How long WhatsApp may take to answer a new connection. */
  connectMs: number
  /** How long a query may wait for its answer. */
  queryMs: number
}

/** Baileys' own defaults (20 s and 60 s); tests shorten them. */
export const SOCKET_TIMEOUTS: SocketTimeouts = {
  connectMs: DEFAULT_CONNECTION_CONFIG.connectTimeoutMs,
  queryMs: DEFAULT_CONNECTION_CONFIG.defaultQueryTimeoutMs ?? 60_000,
}

const TAG = 'TAG:'

/**
 * Ends the connect with `end` (given an error with status 408) unless the returned function is called
 * within `ms`. The timer does not keep the process alive.
 */
export function connectDeadline(end: (error: Error) => void, ms: number): () => void {
  const timer = setTimeout(() => {
    end(closeError(`WhatsApp gave no answer to the connection within ${Math.round(ms / 1000)} s`, DisconnectReason.timedOut))
  }, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

export interface QueryWatch {
  /** Follows the queries Baileys waits for on this socket's WebSocket. */
  attach(ws: EventEmitter): void
  /** Answers, empty, every query of `ws` waiting for `ms` or longer; returns how many. */
  sweep(ws: EventEmitter, now: number): number
}

export function createQueryWatch(options: { now: () => number; ms: number }): QueryWatch {
  const { ms } = options
  /** Per WebSocket: each awaited tag and when its wait began. Gone with the socket. */
  const waiting = new WeakMap<EventEmitter, Map<string, number>>()

  return {
    attach(ws) {
      const tags = new Map<string, number>()
      waiting.set(ws, tags)
      ws.on('newListener', (name: string | symbol) => {
        if (typeof name === 'string' && name.startsWith(TAG) && !tags.has(name)) tags.set(name, options.now())
      })
      ws.on('removeListener', (name: string | symbol) => {
        if (typeof name === 'string' && name.startsWith(TAG) && ws.listenerCount(name) === 0) tags.delete(name)
      })
    },
    sweep(ws, now) {
      const tags = waiting.get(ws)
      if (!tags) return 0
      let answered = 0
      for (const [tag, since] of tags) {
        if (now - since < ms) continue
        tags.delete(tag)
        // Baileys resolves the wait with what the event carries; nothing, as its own timeout gave.
        ws.emit(tag, undefined)
        answered += 1
      }
      return answered
    },
  }
}

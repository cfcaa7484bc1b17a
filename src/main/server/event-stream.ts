// The headless server's event stream: a WebSocket at /api/events. Node only. Browsers cannot set
// headers on a WebSocket, so the token may also come as a `bearer.<token>` subprotocol or as a first
// message {"type":"auth","token":"…"}. The same Host, Origin and failed-token rules as the API apply;
// sockets are capped, and those still waiting for a first-message token more tightly. A client may ask
// for some events only (docs/event-stream.md): topics in the `topics` query parameter, in the auth
// message, or later in a {"type":"subscribe","topics":[…]} message, which the server acknowledges. Each
// stream carries only what its token may see (core/access/scope.ts: its accounts, and no QR payload,
// linking code or message text for a viewer), and is closed when its token is revoked.
//
// Resuming: every event carries a `resume` token (this process's boot id and the event's number). A
// client that reconnects with `?after=<token>` gets, right after `ready`, the events it missed (those its
// topics and token take), from a window of this server's recent events (the last 10,000, at most 10
// minutes old and 16 MiB in all); `ready` says `resumed: true`. A token outside the window, or from
// another server or an earlier run of this one, gets `resumed: false`: the client reads its lists again.
// Telemetry ticks are samples, not changes: they carry no token and are not kept.

import { randomBytes } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { EVENTS_CLOSE_BAD_SUBSCRIPTION, EVENTS_CLOSE_UNAUTHORIZED, EVENTS_PROTOCOL, EVENTS_RESUME_PARAM, TOKEN_PROTOCOL_PREFIX } from '../../shared/channels'
import type { EventMessage } from '../../shared/contract'
import { parseTopics, parseTopicsParameter, wantsEvent } from '../../shared/event-topics'
import type { Identity } from '../core/access/caller'
import { eventFor } from '../core/access/scope'
import type { EventBus } from '../core/events'
import type { Logger } from '../core/logger'
import type { HostPolicy } from './host-policy'
import type { FailedAuthLimiter } from './failed-auth'
import { clientAddress } from './limits'
import type { TokenAuthenticator } from './authenticator'
import { bearerToken } from './token'

/** Event sockets that have not authenticated yet, at most; beyond, 503. */
export const DEFAULT_MAX_PENDING_EVENT_SOCKETS = 16
/** Authenticated event sockets at most. */
export const DEFAULT_MAX_EVENT_SOCKETS = 128
/** Seconds a client is told to wait when the server is busy. */
export const BUSY_RETRY_AFTER_S = 5
const FIRST_MESSAGE_AUTH_MS = 5_000
/** The resume window: how many recent events are kept, and for how long. */
export const DEFAULT_RESUME_WINDOW = { events: 10_000, ms: 10 * 60_000, bytes: 16 * 1024 * 1024 }

export interface EventStreamOptions {
  tokens: TokenAuthenticator
  events: EventBus
  hosts: HostPolicy
  limiter: FailedAuthLimiter
  trustedProxies: ReadonlySet<string>
  log: Logger
  maxPending: number
  maxSockets: number
  /** The resume window (tests shrink it). */
  resumeWindow?: { events: number; ms: number; bytes: number }
  now?: () => number
}

interface Kept {
  n: number
  at: number
  /** The event as published; each client is sent what its token may see of it (core/access/scope.ts). */
  message: EventMessage
  /** Null for a telemetry tick (not kept). */
  resume: string | null
  /** Its size as JSON, counted against the window's bytes. */
  bytes: number
}

/** This run's recent events, numbered, for clients that reconnect. */
function createResumeWindow(window: { events: number; ms: number; bytes: number }, now: () => number) {
  const boot = randomBytes(6).toString('base64url')
  const kept: Kept[] = []
  let bytes = 0
  let n = 0
  function trim(): void {
    const oldest = now() - window.ms
    let drop = 0
    while (drop < kept.length && (kept.length - drop > window.events || kept[drop]!.at < oldest || bytes > window.bytes)) {
      bytes -= kept[drop]!.bytes
      drop += 1
    }
    if (drop > 0) kept.splice(0, drop)
  }
  return {
    /** Numbers the event and keeps it (not a telemetry tick). */
    add(message: EventMessage): Kept {
      if (message.event === 'telemetry:tick') return { n: 0, at: now(), message, resume: null, bytes: 0 }
      n += 1
      const entry = { n, at: now(), message, resume: `${boot}.${n}`, bytes: JSON.stringify(message).length }
      kept.push(entry)
      bytes += entry.bytes
      trim()
      return entry
    },
    /** The events after `token`, or null when they are not all here any more (or never were). */
    after(token: string): Kept[] | null {
      trim()
      const [tokenBoot, counter] = token.split('.')
      const from = Number(counter)
      if (tokenBoot !== boot || !Number.isSafeInteger(from) || from < 0 || from > n) return null
      // Every event after `from` is still kept: the oldest kept one is at most from + 1.
      const first = kept[0]?.n ?? n + 1
      if (first > from + 1) return null
      return kept.filter((k) => k.n > from)
    },
  }
}

export function attachEventStream(server: Server, options: EventStreamOptions): { close(): void } {
  const sockets = new Set<WebSocket>()
  /** Each streaming socket's identity: a revoked one's sockets are closed. */
  const identities = new Map<WebSocket, Identity>()
  let pendingSockets = 0
  const stopWatchingRevokes = options.tokens.onRevoked((revoked) => {
    for (const [ws, identity] of identities) if (identity === revoked) ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'token revoked')
  })
  const recent = createResumeWindow(options.resumeWindow ?? DEFAULT_RESUME_WINDOW, options.now ?? Date.now)
  /** Live sockets, each with how it sends an event (its topics and token judged there). */
  const streaming = new Set<(entry: Kept) => void>()
  const unsubscribeAll = options.events.subscribe((message) => {
    const entry = recent.add(message)
    for (const send of streaming) send(entry)
  })

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  })

  server.on('upgrade', (req, socket, head) => {
    upgrade(req, socket, head).catch((err: unknown) => {
      options.log.warn({ err }, 'event socket upgrade failed')
      socket.destroy()
    })
  })

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    const reject = (status: string, extra = ''): void => void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`)
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!options.hosts.hostAllowed(req.headers.host)) return reject('421 Misdirected Request')
    if (!options.hosts.originAllowed(req.headers.origin, req.headers.host)) return reject('403 Forbidden')
    // A token never travels in a URL (proxies and logs keep URLs): a query naming one is refused.
    if (url.pathname !== '/api/events' || [...url.searchParams.keys()].some((key) => /token/i.test(key))) return reject('404 Not Found')
    const asked = url.searchParams.get('topics')
    const after = url.searchParams.get(EVENTS_RESUME_PARAM)
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
    const fromProtocol = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length)
    const given = bearerToken(req.headers.authorization) ?? fromProtocol ?? null
    const address = clientAddress(req, options.trustedProxies)
    const decision = options.limiter.check(address, given)
    if (!decision.ok) return reject('429 Too Many Requests', `Retry-After: ${Math.max(1, Math.ceil(decision.retryAfterMs / 1000))}\r\n`)
    let identity: Identity | null = null
    if (given !== null) {
      identity = await options.tokens.authenticate(given)
      if (!identity) {
        options.limiter.recordFailure(address, given)
        return reject('401 Unauthorized')
      }
      options.limiter.recordSuccess(address)
    }
    if (sockets.size >= options.maxSockets || (given === null && pendingSockets >= options.maxPending)) {
      return reject('503 Service Unavailable', `Retry-After: ${BUSY_RETRY_AFTER_S}\r\n`)
    }
    wss.handleUpgrade(req, socket, head, (ws) => onEventSocket(ws, identity, address, asked, after))
  }

  function onEventSocket(ws: WebSocket, authenticated: Identity | null, address: string, asked: string | null, after: string | null): void {
    sockets.add(ws)
    let unsubscribe: (() => void) | null = null
    /** What this client asked for; null: every event. */
    let topics: ReadonlySet<string> | null = null
    const startStreaming = (identity: Identity): void => {
      identities.set(ws, identity)
      const send = ({ message, resume }: Kept): void => {
        if (!wantsEvent(topics, message.event, message.payload)) return
        const shown = eventFor(identity, message)
        if (!shown) return
        // A slow client must not make the server buffer without bound: drop it instead.
        if (ws.bufferedAmount > 8 * 1024 * 1024) {
          ws.close(1013, 'too slow')
          return
        }
        ws.send(JSON.stringify(resume === null ? shown : { ...shown, resume }))
      }
      // In one step: the missed events, then live ones; nothing can come between them.
      const missed = after === null ? null : recent.after(after)
      ws.send(JSON.stringify({ type: 'ready', ...(topics ? { topics: [...topics] } : {}), ...(after === null ? {} : { resumed: missed !== null }) }))
      for (const entry of missed ?? []) send(entry)
      streaming.add(send)
      unsubscribe = () => streaming.delete(send)
    }
    /** A subscribe message: replaces the topics, acknowledged so the client knows from when they apply. */
    const resubscribe = (raw: unknown): void => {
      const parsed = parseTopics(raw)
      if (!parsed.ok) {
        ws.send(JSON.stringify({ type: 'error', message: `${parsed.message} The previous subscription stays.` }))
        return
      }
      topics = new Set(parsed.topics)
      ws.send(JSON.stringify({ type: 'subscribed', topics: parsed.topics }))
    }
    let pending = !authenticated
    const settle = (): void => {
      if (pending) pendingSockets -= 1
      pending = false
    }
    ws.on('close', () => {
      settle()
      sockets.delete(ws)
      identities.delete(ws)
      unsubscribe?.()
    })
    ws.on('error', (error) => options.log.warn({ err: error }, 'event socket error'))
    if (asked !== null) {
      const parsed = parseTopicsParameter(asked)
      if (!parsed.ok) {
        pending = false
        refuseSubscription(ws, parsed.message)
        return
      }
      topics = new Set(parsed.topics)
    }
    const onMessage = (data: unknown): void => {
      let message: { type?: unknown; topics?: unknown } | null
      try {
        message = JSON.parse(String(data)) as { type?: unknown; topics?: unknown } | null
      } catch {
        message = null
      }
      if (message?.type === 'subscribe') resubscribe(message.topics)
      else ws.send(JSON.stringify({ type: 'error', message: 'The stream takes {"type":"subscribe","topics":[…]} messages only.' }))
    }
    if (authenticated) {
      ws.on('message', onMessage)
      startStreaming(authenticated)
      return
    }
    pendingSockets += 1
    const timer = setTimeout(() => ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'authentication required'), FIRST_MESSAGE_AUTH_MS)
    ws.once('message', (data) => void onFirstMessage(data))
    async function onFirstMessage(data: RawData): Promise<void> {
      clearTimeout(timer)
      settle()
      let first: { type?: unknown; token?: unknown; topics?: unknown } | null
      try {
        first = JSON.parse(String(data)) as typeof first
      } catch {
        first = null
      }
      const token = first?.token
      const given = typeof token === 'string' ? token : null
      // Refused unread while a limit holds: the close says nothing about the token.
      if (!options.limiter.check(address, given).ok) {
        ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'too many wrong tokens; wait')
        return
      }
      const identity = await options.tokens.authenticate(given)
      if (identity) {
        options.limiter.recordSuccess(address)
        if (first?.topics !== undefined) {
          const parsed = parseTopics(first.topics)
          if (!parsed.ok) {
            refuseSubscription(ws, parsed.message)
            return
          }
          topics = new Set(parsed.topics)
        }
        if (ws.readyState !== ws.OPEN) return
        ws.on('message', onMessage)
        startStreaming(identity)
        return
      }
      options.limiter.recordFailure(address, given)
      ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'invalid token')
    }
  }

  /** Says why in a message (a close reason is too short for it), then closes: the client asked for nothing it can have. */
  function refuseSubscription(ws: WebSocket, message: string): void {
    ws.send(JSON.stringify({ type: 'error', message }))
    ws.close(EVENTS_CLOSE_BAD_SUBSCRIPTION, 'invalid topics')
  }

  return {
    close() {
      stopWatchingRevokes()
      unsubscribeAll()
      for (const ws of sockets) ws.terminate()
      wss.close()
    },
  }
}

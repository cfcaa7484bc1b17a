// The headless server's event stream: a WebSocket at /api/events. Node only. Browsers cannot set
// headers on a WebSocket, so the token may also come as a `bearer.<token>` subprotocol or as a first
// message {"type":"auth","token":"…"}. The same Host, Origin and failed-token rules as the API apply;
// sockets are capped, and those still waiting for a first-message token more tightly.

import type { Server } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { EVENTS_CLOSE_UNAUTHORIZED, EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../shared/channels'
import type { EventBus } from '../core/events'
import type { Logger } from '../core/logger'
import type { HostPolicy } from './host-policy'
import type { FailedAuthLimiter } from './failed-auth'
import { clientAddress } from './limits'
import { bearerToken, tokenMatches } from './token'

/** Event sockets that have not authenticated yet, at most; beyond, 503. */
export const DEFAULT_MAX_PENDING_EVENT_SOCKETS = 16
/** Authenticated event sockets at most. */
export const DEFAULT_MAX_EVENT_SOCKETS = 128
/** Seconds a client is told to wait when the server is busy. */
export const BUSY_RETRY_AFTER_S = 5
const FIRST_MESSAGE_AUTH_MS = 5_000

export interface EventStreamOptions {
  token: string
  events: EventBus
  hosts: HostPolicy
  limiter: FailedAuthLimiter
  trustedProxies: ReadonlySet<string>
  log: Logger
  maxPending: number
  maxSockets: number
}

export function attachEventStream(server: Server, options: EventStreamOptions): { close(): void } {
  const sockets = new Set<WebSocket>()
  let pendingSockets = 0

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  })

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const reject = (status: string, extra = ''): void => void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`)
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!options.hosts.hostAllowed(req.headers.host)) return reject('421 Misdirected Request')
    if (!options.hosts.originAllowed(req.headers.origin, req.headers.host)) return reject('403 Forbidden')
    if (url.pathname !== '/api/events' || url.search.includes('token')) return reject('404 Not Found')
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
    const fromProtocol = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length)
    const given = bearerToken(req.headers.authorization) ?? fromProtocol ?? null
    const address = clientAddress(req, options.trustedProxies)
    const decision = options.limiter.check(address, given)
    if (!decision.ok) return reject('429 Too Many Requests', `Retry-After: ${Math.max(1, Math.ceil(decision.retryAfterMs / 1000))}\r\n`)
    if (given !== null) {
      if (!tokenMatches(options.token, given)) {
        options.limiter.recordFailure(address, given)
        return reject('401 Unauthorized')
      }
      options.limiter.recordSuccess(address)
    }
    if (sockets.size >= options.maxSockets || (given === null && pendingSockets >= options.maxPending)) {
      return reject('503 Service Unavailable', `Retry-After: ${BUSY_RETRY_AFTER_S}\r\n`)
    }
    wss.handleUpgrade(req, socket, head, (ws) => onEventSocket(ws, given !== null, address))
  })

  function onEventSocket(ws: WebSocket, authenticated: boolean, address: string): void {
    sockets.add(ws)
    let unsubscribe: (() => void) | null = null
    const startStreaming = (): void => {
      ws.send(JSON.stringify({ type: 'ready' }))
      unsubscribe = options.events.subscribe((message) => {
        // A slow client must not make the server buffer without bound: drop it instead.
        if (ws.bufferedAmount > 8 * 1024 * 1024) {
          ws.close(1013, 'too slow')
          return
        }
        ws.send(JSON.stringify(message))
      })
    }
    let pending = !authenticated
    const settle = (): void => {
      if (pending) pendingSockets -= 1
      pending = false
    }
    ws.on('close', () => {
      settle()
      sockets.delete(ws)
      unsubscribe?.()
    })
    ws.on('error', (error) => options.log.warn({ err: error }, 'event socket error'))
    if (authenticated) {
      startStreaming()
      return
    }
    pendingSockets += 1
    const timer = setTimeout(() => ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'authentication required'), FIRST_MESSAGE_AUTH_MS)
    ws.once('message', (data) => {
      clearTimeout(timer)
      settle()
      let token: unknown
      try {
        token = (JSON.parse(String(data)) as { type?: unknown; token?: unknown }).token
      } catch {
        token = undefined
      }
      const given = typeof token === 'string' ? token : null
      // Refused unread while a limit holds: the close says nothing about the token.
      if (!options.limiter.check(address, given).ok) {
        ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'too many wrong tokens; wait')
        return
      }
      if (given !== null && tokenMatches(options.token, given)) {
        options.limiter.recordSuccess(address)
        startStreaming()
        return
      }
      options.limiter.recordFailure(address, given)
      ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'invalid token')
    })
  }

  return {
    close() {
      for (const ws of sockets) ws.terminate()
      wss.close()
    },
  }
}

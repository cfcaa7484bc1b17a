// The headless server's transport: the contract over HTTP (POST /api/<command>) and a WebSocket event
// stream (GET /api/events), plus the renderer build at /. Node only, never Electron. Every /api request
// needs the bearer token; the token is never accepted in a query string, and never logged.

import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { CLIENT_HEADER, EVENTS_CLOSE_UNAUTHORIZED, EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../shared/channels'
import type { ErrorCode, ErrorInfo } from '../../shared/errors'
import type { Result } from '../../shared/contract'
import type { Dispatch } from '../core/api/dispatch'
import type { EventBus } from '../core/events'
import type { Logger } from '../core/logger'
import { bearerToken, tokenMatches } from './token'

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
const FIRST_MESSAGE_AUTH_MS = 5_000

export interface ApiServerOptions {
  host: string
  port: number
  token: string
  dispatch: Dispatch
  events: EventBus
  logger: Logger
  /** The renderer build to serve at /; omitted, / answers 404. */
  staticDir?: string
  maxBodyBytes?: number
  /** Bodies bigger than the default limit, for commands that carry files (session bundles). */
  largeBodyCommands?: ReadonlyMap<string, number>
}

export interface ApiServer {
  url: string
  port: number
  close(): Promise<void>
}

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  'invalid-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'bad-bundle': 422,
  'key-unavailable': 503,
  'storage-corrupt': 500,
  'logged-out': 409,
  unavailable: 503,
  internal: 500,
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

// The same policy as the renderer's meta tag; connect-src 'self' covers fetch and same-origin WebSockets.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const log = options.logger.child({ component: 'http' })
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null
  const sockets = new Set<WebSocket>()

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error({ err: error, url: safeUrl(req) }, 'request failed')
      if (!res.headersSent) sendJson(res, 500, failure('internal', 'Something went wrong inside the server. The details are in its log.'))
      else res.destroy()
    })
  })
  // Long enough for a 64 MiB session bundle on a slow link; headers must still arrive quickly.
  server.requestTimeout = 120_000
  server.headersTimeout = 10_000

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (url.search.includes('token')) {
        sendJson(res, 400, failure('invalid-input', 'Send the API token in the Authorization header, never in the URL.'))
        return
      }
      if (!tokenMatches(options.token, bearerToken(req.headers.authorization))) {
        res.setHeader('WWW-Authenticate', 'Bearer')
        sendJson(res, 401, failure('unauthorized', 'A valid API token is required: send "Authorization: Bearer <token>".'))
        return
      }
      await handleApi(req, res, url.pathname.slice('/api/'.length))
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, failure('invalid-input', 'Only GET is served outside /api.'))
      return
    }
    serveStatic(url.pathname, res)
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
    if (command === 'simulator' && req.method === 'GET') {
      const result = await options.dispatch('simulator:info', {})
      sendEnvelope(res, result)
      return
    }
    if (command === 'events') {
      sendJson(res, 426, failure('invalid-input', 'GET /api/events is a WebSocket endpoint: connect with a WebSocket client.'))
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      sendJson(res, 405, failure('invalid-input', `Use POST /api/<command> with the input as a JSON body.`))
      return
    }
    const limit = options.largeBodyCommands?.get(command) ?? maxBody
    const body = await readBody(req, limit)
    if (body === 'too-large') {
      sendJson(res, 413, failure('payload-too-large', `The request body is larger than ${limit} bytes.`))
      req.resume()
      return
    }
    let input: unknown = {}
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'))
      } catch {
        sendJson(res, 400, failure('invalid-input', 'The request body is not valid JSON.'))
        return
      }
    }
    sendEnvelope(res, await options.dispatch(command, input, callerOf(req)))
  }

  function sendEnvelope(res: ServerResponse, result: Result<unknown>): void {
    sendJson(res, result.ok ? 200 : STATUS_BY_CODE[result.error.code], result)
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    if (!staticRoot) {
      sendJson(res, 404, failure('not-found', 'This server was started without the UI build. Run `npm run build` first.'))
      return
    }
    let relative: string
    try {
      relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '')
    } catch {
      sendJson(res, 400, failure('invalid-input', 'The path is not valid.'))
      return
    }
    let file = join(staticRoot, relative)
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) {
      sendJson(res, 404, failure('not-found', 'Not found.'))
      return
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      // A single-page app: unknown paths without an extension get the page itself.
      if (extname(relative) !== '') {
        sendJson(res, 404, failure('not-found', 'Not found.'))
        return
      }
      file = join(staticRoot, 'index.html')
      if (!existsSync(file)) {
        sendJson(res, 404, failure('not-found', 'The UI build is missing. Run `npm run build` first.'))
        return
      }
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    })
    createReadStream(file).pipe(res)
  }

  // Events: a WebSocket at /api/events. Browsers cannot set headers on a WebSocket, so the token may
  // also come as a `bearer.<token>` subprotocol or as a first message {"type":"auth","token":"…"}.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  })

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== '/api/events' || url.search.includes('token')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
    const fromProtocol = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length)
    const given = bearerToken(req.headers.authorization) ?? fromProtocol ?? null
    if (given !== null && !tokenMatches(options.token, given)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => onEventSocket(ws, given !== null))
  })

  function onEventSocket(ws: WebSocket, authenticated: boolean): void {
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
    ws.on('close', () => {
      sockets.delete(ws)
      unsubscribe?.()
    })
    ws.on('error', (error) => log.warn({ err: error }, 'event socket error'))
    if (authenticated) {
      startStreaming()
      return
    }
    const timer = setTimeout(() => ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'authentication required'), FIRST_MESSAGE_AUTH_MS)
    ws.once('message', (data) => {
      clearTimeout(timer)
      let token: unknown
      try {
        token = (JSON.parse(String(data)) as { type?: unknown; token?: unknown }).token
      } catch {
        token = undefined
      }
      if (typeof token === 'string' && tokenMatches(options.token, token)) startStreaming()
      else ws.close(EVENTS_CLOSE_UNAUTHORIZED, 'invalid token')
    })
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolvePromise()
    })
  })
  const port = (server.address() as AddressInfo).port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      for (const ws of sockets) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > limit) return Promise.resolve('too-large')
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > limit) {
        done = true
        resolvePromise('too-large')
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!done) resolvePromise(Buffer.concat(chunks))
    })
    req.on('error', reject)
  })
}

function failure(code: ErrorCode, message: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message } }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  res.end(text)
}

function safeUrl(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0] ?? ''
}

/** Who asked, for the activity log (see CLIENT_HEADER). */
function callerOf(req: IncomingMessage): 'ui' | 'cli' | 'api' {
  const said = req.headers[CLIENT_HEADER]
  return said === 'ui' || said === 'cli' ? said : 'api'
}

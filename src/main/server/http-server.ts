// The headless server's transport: the contract over HTTP (POST /api/<command>) and a WebSocket event
// stream (GET /api/events), plus the renderer build at /. Node only, never Electron. Every /api request
// but the API's own description (GET /api/openapi.json) needs a bearer token: the server's own, or a
// named one (core/tokens), whose identity goes with the command to the door that checks its role and
// accounts (core/api/guard.ts). A token is never accepted in a query string, and never logged. Answers
// over 1 KiB go out compressed when the client accepts it (compression.ts).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { CLIENT_HEADER } from '../../shared/channels'
import { HTTP_STATUS_BY_CODE, type ErrorCode, type ErrorInfo } from '../../shared/errors'
import { BASE64_FIELDS, LARGE_BODY_COMMANDS, type Result } from '../../shared/contract'
import { OPENAPI_PATH, openApiDocument } from '../../shared/openapi'
import { BODY_LIMIT_BYTES } from '../../shared/policy'
import { CEREMONY_ROUTE, ceremonyAccount } from '../../shared/passkey-ceremony'
import { Caller, type Identity } from '../core/access/caller'
import type { Dispatch } from '../core/api/dispatch'
import type { CeremonyDesk } from '../core/api/passkey-ceremony'
import type { EventBus } from '../core/events'
import type { Logger } from '../core/logger'
import { singleTokenAuthenticator, type TokenAuthenticator } from './authenticator'
import { compress, COMPRESS_MIN_BYTES, pickEncoding } from './compression'
import { attachEventStream, BUSY_RETRY_AFTER_S, DEFAULT_MAX_EVENT_SOCKETS, DEFAULT_MAX_PENDING_EVENT_SOCKETS } from './event-stream'
import { createHostPolicy, isExtensionOrigin } from './host-policy'
import { DEFAULT_FAILED_AUTH_POLICY, FailedAuthLimiter, type AuthRefusal, type FailedAuthPolicy } from './failed-auth'
import { ByteBudget, clientAddress, normalizeAddress } from './limits'
import { BodyJsonError, parseJsonBody } from './json-body'
import { readBody, type BodyTimeouts, DEFAULT_BODY_TIMEOUTS } from './read-body'
import { serveStatic } from './static-files'
import { bearerToken, tokenMatches } from './token'

export { DEFAULT_MAX_EVENT_SOCKETS, DEFAULT_MAX_PENDING_EVENT_SOCKETS }
export type { TokenAuthenticator }

export const DEFAULT_MAX_BODY_BYTES = BODY_LIMIT_BYTES.standard
/** A passkey answer is a few hundred bytes; the schema caps each field well below this. */
export const CEREMONY_BODY_LIMIT_BYTES = 16 * 1024
/** Open TCP connections at most; beyond, new ones are closed at once (file handles stay for the accounts). */
export const DEFAULT_MAX_CONNECTIONS = 256

export interface ApiServerOptions {
  host: string
  port: number
  /** The server's own token, when `tokens` is not given: the only one accepted. */
  token?: string
  /** Every token the server accepts (the core's registry); default: `token` alone. */
  tokens?: TokenAuthenticator
  dispatch: Dispatch
  events: EventBus
  logger: Logger
  /** The renderer build to serve at /; omitted, / answers 404. */
  staticDir?: string
  maxBodyBytes?: number
  /**
   * Bodies bigger than the default limit, for commands that carry files (session bundles). Default: each
   * command's `body` declaration in the contract.
   */
  largeBodyCommands?: ReadonlyMap<string, number>
  /**
   * Bytes that large bodies may hold at once, across all requests; beyond, 503 with Retry-After.
   * Default: the largest of `largeBodyCommands` (one full bundle at a time).
   */
  largeBodyBudgetBytes?: number
  /**
   * Per command, a top-level field that carries a file as base64 (a session bundle): it reaches the
   * command as bytes, decoded inside the body's buffer (json-body.ts). Default: the contract's BASE64_FIELDS.
   */
  base64Fields?: ReadonlyMap<string, string>
  /** Host names this server answers besides loopback and the bound address (--allowed-host, --public-url). */
  allowedHosts?: readonly string[]
  /** Addresses of reverse proxies whose X-Forwarded-For is believed. */
  trustedProxies?: readonly string[]
  maxConnections?: number
  maxPendingEventSockets?: number
  maxEventSockets?: number
  /** How many recent events a reconnecting client can resume from, for how long (event-stream.ts). */
  resumeWindow?: { events: number; ms: number; bytes: number }
  failedAuth?: FailedAuthPolicy
  bodyTimeouts?: BodyTimeouts
  /** GET /metrics (Prometheus text); omitted, /metrics answers 404 like any unknown path. */
  metrics?: MetricsEndpoint
  /** The version GET /api/openapi.json names (the app's). */
  version?: string
  /** The passkey ceremony's GET/POST /api/passkey-ceremony/<token>; omitted, they answer 404. */
  ceremony?: CeremonyDesk
}

export interface MetricsEndpoint {
  contentType: string
  render(): Promise<string>
  /** A read-only token that opens /metrics and nothing else; the API token opens it too. */
  token?: string | null
}

export interface ApiServer {
  url: string
  port: number
  close(): Promise<void>
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const log = options.logger.child({ component: 'http' })
  const tokens = options.tokens ?? singleTokenAuthenticator(options.token ?? '')
  if (!options.tokens && !options.token) throw new Error('startApiServer needs a token or a token registry')
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null
  const hosts = createHostPolicy({ bindHost: options.host, ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}) })
  const trustedProxies = new Set((options.trustedProxies ?? []).map(normalizeAddress))
  const limiter = new FailedAuthLimiter(options.failedAuth ?? DEFAULT_FAILED_AUTH_POLICY)
  const largeBodyCommands: ReadonlyMap<string, number> = options.largeBodyCommands ?? LARGE_BODY_COMMANDS
  const base64Fields: ReadonlyMap<string, string> = options.base64Fields ?? BASE64_FIELDS
  const largest = Math.max(0, ...largeBodyCommands.values())
  const budget = new ByteBudget(options.largeBodyBudgetBytes ?? largest)
  const bodyTimeouts = options.bodyTimeouts ?? DEFAULT_BODY_TIMEOUTS
  /** Made on the first request for it, then kept: it changes only with the code. */
  let apiDocument: string | null = null

  // connectionsCheckingInterval: how often Node enforces headersTimeout; its default (30 s) would let
  // a client that never finishes its headers hold a connection for 40 s.
  const server: Server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error({ err: error, url: safeUrl(req) }, 'request failed')
      if (!res.headersSent) sendJson(res, 500, failure('internal', 'Something went wrong inside the server. The details are in its log.'))
      else res.destroy()
    })
  })
  // A whole request may take this long (a 64 MiB bundle on a slow link); a body that stalls or trickles
  // is closed much sooner by readBody, and headers must arrive within seconds.
  server.requestTimeout = 120_000
  server.headersTimeout = 10_000
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  // No 'clientError' listener on purpose: Node's own answers malformed requests with 400 and a header
  // timeout with 408, which browsers retry on a connection they had opened ahead of time (a 400 there
  // would surface as a failed request), and it never throws.
  server.on('drop', () => log.warn({ max: server.maxConnections }, 'connection refused: too many open connections'))

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hosts.hostAllowed(req.headers.host)) {
      refuse(res, 421, failure('forbidden', 'This server does not answer for that host name. Use the address it printed at start, or add the name with --allowed-host.'))
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname.startsWith(CEREMONY_ROUTE)) {
      await handleCeremony(req, res, url.pathname.slice(CEREMONY_ROUTE.length))
      return
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (url.search.includes('token')) {
        refuse(res, 400, failure('invalid-input', 'Send the API token in the Authorization header, never in the URL.'))
        return
      }
      if (!hosts.originAllowed(req.headers.origin, req.headers.host)) {
        refuse(res, 403, failure('forbidden', 'Requests from another web origin are not accepted.'))
        return
      }
      // No token: the document describes the API (made from the contract alone) and says nothing about the data.
      if (url.pathname === OPENAPI_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        apiDocument ??= JSON.stringify(openApiDocument({ version: options.version ?? '0.0.0' }))
        await sendText(req, res, 200, apiDocument, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
        return
      }
      const given = bearerToken(req.headers.authorization)
      const identity = await authorize(req, res, given)
      if (!identity) return
      await handleApi(req, res, url.pathname.slice('/api/'.length), new Caller(callerOf(req), identity, given))
      return
    }
    if (url.pathname === '/metrics' && options.metrics) {
      await handleMetrics(req, res, options.metrics)
      return
    }
    // For load balancers and container healthchecks: no token, and nothing but "the process serves".
    if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      res.end(req.method === 'HEAD' ? undefined : 'ok\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, failure('invalid-input', 'Only GET is served outside /api.'))
      return
    }
    if (!staticRoot) {
      sendJson(res, 404, failure('not-found', 'This server was started without the UI build. Run `npm run build` first.'))
      return
    }
    await serveStatic(staticRoot, req, res, url.pathname, (r, f) => sendJson(r, f.status, failure(STATIC_CODES[f.status], f.message)), log)
  }

  /**
   * The passkey ceremony (core/api/passkey-ceremony.ts): GET its options, POST the credential. No API token:
   * the ceremony token in the path is the credential (single-use, bound to one account and attempt).
   * The only routes a browser extension's origin may call; wrong tokens count as failed sign-ins.
   */
  async function handleCeremony(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const origin = req.headers.origin
    if (!hosts.originAllowed(origin, req.headers.host) && !isExtensionOrigin(origin)) {
      refuse(res, 403, failure('forbidden', 'Requests from another web origin are not accepted.'))
      return
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST')
      refuse(res, 405, failure('invalid-input', 'GET the passkey options, or POST the credential.'))
      return
    }
    if (!options.ceremony) {
      refuse(res, 404, failure('not-found', 'This server runs no passkey ceremonies.'))
      return
    }
    const address = clientAddress(req, trustedProxies)
    // A ceremony token is counted like a presented API token: the same wrong one again is a stale link.
    const decision = limiter.check(address, token)
    if (!decision.ok) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))))
      refuse(res, 429, failure('rate-limited', 'Too many wrong passkey links from this address; wait before trying again.'))
      return
    }
    let result: Result<unknown>
    if (req.method === 'GET') {
      result = await options.ceremony.options(token)
    } else {
      const body = await readBody(req, { limit: CEREMONY_BODY_LIMIT_BYTES, timeouts: bodyTimeouts })
      body.release()
      if (body.kind !== 'ok') {
        refuseBody(res, body.kind, CEREMONY_BODY_LIMIT_BYTES)
        return
      }
      let credential: unknown
      try {
        credential = JSON.parse(body.bytes.toString('utf8'))
      } catch {
        refuse(res, 400, failure('invalid-input', 'The passkey answer is not JSON: send PublicKeyCredential.toJSON() as the body.'))
        return
      }
      result = await options.ceremony.answer(token, credential)
    }
    // A malformed or unknown token is a wrong guess; a refused answer (WhatsApp's checks) is not.
    if (ceremonyAccount(token) === null || (!result.ok && result.error.code === 'not-found')) limiter.recordFailure(address, token)
    await sendEnvelope(req, res, result)
  }

  async function handleMetrics(req: IncomingMessage, res: ServerResponse, metrics: MetricsEndpoint): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET')
      refuse(res, 405, failure('invalid-input', 'GET /metrics with "Authorization: Bearer <token>".'))
      return
    }
    if (!hosts.originAllowed(req.headers.origin, req.headers.host)) {
      refuse(res, 403, failure('forbidden', 'Requests from another web origin are not accepted.'))
      return
    }
    // The metrics token, or any token that sees every account (the figures are about all of them).
    const given = bearerToken(req.headers.authorization)
    const metricsIdentity: Identity = { name: 'metrics', role: 'viewer', accounts: null }
    const identity = await authorize(req, res, given, metrics.token ? (presented) => (tokenMatches(metrics.token!, presented) ? metricsIdentity : null) : null)
    if (!identity) return
    if (identity.accounts !== null) {
      refuse(res, 403, failure('forbidden', `The token "${identity.name}" is limited to some accounts; /metrics counts every account. Use the metrics token or one that sees every account.`))
      return
    }
    const text = await metrics.render()
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    res.end(req.method === 'HEAD' ? undefined : text)
  }

  /**
   * Checks the token under the failed-token limits (failed-auth.ts) and answers 429 or 401 itself when it
   * fails; otherwise the identity it stands for. `extra` accepts one more token (the metrics token).
   */
  async function authorize(
    req: IncomingMessage,
    res: ServerResponse,
    given: string | null,
    extra: ((presented: string | null) => Identity | null) | null = null,
  ): Promise<Identity | null> {
    const address = clientAddress(req, trustedProxies)
    const decision = limiter.check(address, given)
    if (!decision.ok) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))))
      refuse(res, 429, failure('unauthorized', REFUSALS[decision.reason]))
      return null
    }
    const identity = extra?.(given) ?? (await tokens.authenticate(given))
    if (!identity) {
      limiter.recordFailure(address, given)
      res.setHeader('WWW-Authenticate', 'Bearer')
      refuse(res, 401, failure('unauthorized', 'A valid API token is required: send "Authorization: Bearer <token>". A revoked token is refused like an unknown one.'))
      return null
    }
    limiter.recordSuccess(address)
    return identity
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, command: string, caller: Caller): Promise<void> {
    if (command === 'simulator' && req.method === 'GET') {
      const result = await options.dispatch('simulator:info', {}, caller)
      await sendEnvelope(req, res, result)
      return
    }
    if (command === 'events') {
      refuse(res, 426, failure('invalid-input', 'GET /api/events is a WebSocket endpoint: connect with a WebSocket client.'))
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      refuse(res, 405, failure('invalid-input', `Use POST /api/<command> with the input as a JSON body.`))
      return
    }
    const largeLimit = largeBodyCommands.get(command)
    const limit = largeLimit ?? maxBody
    const body = await readBody(req, { limit, timeouts: bodyTimeouts, ...(largeLimit !== undefined ? { budget } : {}) })
    try {
      if (body.kind !== 'ok') {
        refuseBody(res, body.kind, limit)
        return
      }
      let input: unknown = {}
      if (body.bytes.length > 0) {
        try {
          input = parseJsonBody(body.bytes, base64Fields.get(command))
        } catch (error) {
          if (!(error instanceof BodyJsonError)) throw error
          sendJson(res, 400, failure('invalid-input', error.message))
          return
        }
      }
      body.bytes = Buffer.alloc(0)
      await sendEnvelope(req, res, await options.dispatch(command, input, caller))
    } finally {
      // Held until the command is done: a decoded bundle is as big as its body.
      body.release()
    }
  }

  function refuseBody(res: ServerResponse, kind: 'too-large' | 'too-slow' | 'busy' | 'aborted', limit: number): void {
    if (kind === 'too-large') refuse(res, 413, failure('payload-too-large', `The request body is larger than ${limit} bytes.`))
    else if (kind === 'too-slow') refuse(res, 408, failure('invalid-input', 'The request body arrived too slowly; the connection is closed.'))
    else if (kind === 'busy') {
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_S))
      refuse(res, 503, failure('unavailable', 'The server is importing as much as it can hold at once; try again shortly.'))
    } else res.destroy()
  }

  async function sendEnvelope(req: IncomingMessage, res: ServerResponse, result: Result<unknown>): Promise<void> {
    const status = result.ok ? 200 : HTTP_STATUS_BY_CODE[result.error.code]
    if (status === 503) res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_S))
    // A limit with a known end (a reach-out limit, docs/session-doctor.md and docs/proxies-and-limits.md):
    // when asking again can succeed.
    if (!result.ok && result.error.retryAt !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil((result.error.retryAt - Date.now()) / 1000))))
    await sendText(req, res, status, JSON.stringify(result), JSON_HEADERS)
  }

  const eventStream = attachEventStream(server, {
    tokens,
    events: options.events,
    hosts,
    limiter,
    trustedProxies,
    log,
    maxPending: options.maxPendingEventSockets ?? DEFAULT_MAX_PENDING_EVENT_SOCKETS,
    maxSockets: options.maxEventSockets ?? DEFAULT_MAX_EVENT_SOCKETS,
    ...(options.resumeWindow ? { resumeWindow: options.resumeWindow } : {}),
  })

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolvePromise()
    })
  })
  // After listening, an error on the listening socket (accept failing when file handles run out) is
  // logged; without a listener it would be thrown and end the process.
  server.on('error', (error) => log.error({ err: error }, 'http server error'))
  const port = (server.address() as AddressInfo).port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      eventStream.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** What a client refused before its token was compared is told (it says nothing about the token). */
const REFUSALS: Record<AuthRefusal, string> = {
  address: 'Too many requests with a wrong API token from this address; wait before trying again.',
  token: 'This API token was refused too often; wait before trying it again, and check that it is the current one.',
  server: 'Too many wrong API tokens have reached this server; wait before trying again.',
}

const STATIC_CODES: Record<400 | 404 | 500 | 503, ErrorCode> = { 400: 'invalid-input', 404: 'not-found', 500: 'internal', 503: 'unavailable' }

function failure(code: ErrorCode, message: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message } }
}

/**
 * Answers and closes the connection: a refused request may still be sending its body, and keeping the
 * connection would mean reading (or waiting for) a body nobody wants.
 */
function refuse(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('Connection', 'close')
  sendJson(res, status, body)
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const
/**
 * Larger answers (an exported bundle, which is sealed and so hardly compresses) go out as they are:
 * compressing tens of megabytes would hold a thread-pool worker for little gain.
 */
const MAX_COMPRESSED_ANSWER_CHARS = 16 * 1024 * 1024

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** An answer's text, compressed when it is over 1 KiB and the client accepts brotli or gzip (compression.ts). */
async function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string>): Promise<void> {
  const encoding = text.length > COMPRESS_MIN_BYTES && text.length <= MAX_COMPRESSED_ANSWER_CHARS ? pickEncoding(req.headers['accept-encoding']) : null
  const body = encoding ? await compress(encoding, Buffer.from(text), 'answer') : Buffer.from(text)
  res.writeHead(status, {
    ...headers,
    'Content-Length': body.length,
    ...(encoding ? { 'Content-Encoding': encoding } : {}),
    ...(text.length > COMPRESS_MIN_BYTES ? { Vary: 'Accept-Encoding' } : {}),
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

function safeUrl(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0] ?? ''
}

/** Who asked, for the activity log (see CLIENT_HEADER). */
function callerOf(req: IncomingMessage): 'ui' | 'cli' | 'api' {
  const said = req.headers[CLIENT_HEADER]
  return said === 'ui' || said === 'cli' ? said : 'api'
}

// The one client of the project's own HTTP API (POST /api/<command>, answered with the { ok, value | error }
// envelope). The renderer's HTTP transport, the irish CLI, export to another server and fleet forwarding
// all call through it, and nothing else calls fetch on the API (a lint rule in eslint.config.js holds that).
// It lives in src/shared because the renderer bundle and Node both import it: no node:*, no DOM beyond
// fetch and AbortSignal, which browsers and Node both have.
//
// One convention: `call` resolves with the command's output, checked against the contract, or rejects with
// an AppError. ApiRefusedError: the server answered with an error (its code and message, as sent).
// ApiUnavailableError (code 'unavailable', naming the server): no answer came, or not one of the API's.
// A raw fetch error never leaves this file. The token travels only in the Authorization header.

import { z } from 'zod'
import { CLIENT_HEADER, type CommandName } from './channels'
import { commands, ErrorInfoSchema, type ActivityActor, type CommandInput, type CommandOutput } from './contract'
import { AppError, type ErrorCode } from './errors'
import { CeremonyAnswerSchema, CeremonyOptionsSchema, type CeremonyAnswer, type CeremonyOptions } from './passkey'
import { CEREMONY_ROUTE } from './passkey-ceremony'

/** Long enough for a 64 MiB bundle on a slow link and the key derivation behind it; never forever. */
export const DEFAULT_API_TIMEOUT_MS = 120_000

export interface ApiClientOptions {
  /** The server's base address (origin, and a path prefix if any), without /api. */
  baseUrl: string
  token: string
  /** Defaults to the global fetch. */
  fetch?: typeof fetch
  /** How long a call may take, answer included; a call can ask for another. */
  timeoutMs?: number
  /** Who is asking, sent in CLIENT_HEADER for the server's activity log; omitted, the server says 'api'. */
  client?: ActivityActor
  /** How error messages name the server ("Server srv-2 (https://…)"); defaults to the base address. */
  name?: string
}

export interface CallOptions {
  timeoutMs?: number
}

export interface ApiClient {
  /** The base address, without a trailing slash. */
  readonly baseUrl: string
  call<C extends CommandName>(command: C, input: CommandInput<C>, options?: CallOptions): Promise<CommandOutput<C>>
}

/** The server answered and refused: its code and message as it sent them, and the HTTP status. */
export class ApiRefusedError extends AppError {
  readonly status: number

  constructor(code: ErrorCode, message: string, status: number) {
    super(code, message)
    this.name = 'ApiRefusedError'
    this.status = status
  }
}

/**
 * Why no usable answer came:
 * - 'unreachable': the request certainly never reached the server (refused, no such host, bad certificate);
 * - 'timeout': no whole answer within the time allowed;
 * - 'interrupted': the connection broke after the request may have arrived;
 * - 'not-irish': an answer, but not the API's envelope (a proxy's error page, another program);
 * - 'off-contract': the envelope, but a value the contract's output schema refuses (another version).
 */
export type UnavailableReason = 'unreachable' | 'timeout' | 'interrupted' | 'not-irish' | 'off-contract'

export class ApiUnavailableError extends AppError {
  readonly reason: UnavailableReason
  /** The HTTP status when an answer came, else null. */
  readonly status: number | null
  /** Whether the request may have reached the server (only 'unreachable' says certainly not). */
  readonly mayHaveArrived: boolean
  /** Why, in a few words ("connection refused: is it running, on that port?", "HTTP 502"). */
  readonly why: string

  constructor(reason: UnavailableReason, message: string, details: { status: number | null; why: string; cause?: unknown }) {
    super('unavailable', message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'ApiUnavailableError'
    this.reason = reason
    this.status = details.status
    this.mayHaveArrived = reason !== 'unreachable'
    this.why = details.why
  }
}

const envelopeSchema = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ErrorInfoSchema })])

/** One request to the API and its envelope's value; every way of not answering is an AppError naming the server. */
async function request(doFetch: typeof fetch, url: string, init: RequestInit, name: string, timeoutMs: number): Promise<{ value: unknown; status: number }> {
  let response: Response
  try {
    // A redirect could carry the token (and a bundle) somewhere else.
    response = await doFetch(url, { ...init, redirect: 'error', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw noAnswer(name, error, timeoutMs)
  }
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throw noAnswer(name, error, timeoutMs)
  }
  const envelope = envelopeSchema.safeParse(parseJson(text))
  if (!envelope.success) {
    // A proxy in front may say 401 in its own words: still "the token was not accepted".
    if (response.status === 401) throw new ApiRefusedError('unauthorized', `${name} did not accept the API token.`, 401)
    throw new ApiUnavailableError('not-irish', `${name} did not answer like an Irish server (HTTP ${response.status}).`, {
      status: response.status,
      why: `HTTP ${response.status}`,
    })
  }
  if (!envelope.data.ok) throw new ApiRefusedError(envelope.data.error.code, envelope.data.error.message, response.status)
  return { value: envelope.data.value, status: response.status }
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const name = options.name ?? baseUrl
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' }
  if (options.client) headers[CLIENT_HEADER] = options.client

  return {
    baseUrl,
    async call(command, input, callOptions) {
      const timeoutMs = callOptions?.timeoutMs ?? options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS
      const answer = await request(doFetch, `${baseUrl}/api/${command}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) }, name, timeoutMs)
      const output = commands[command].output.safeParse(answer.value)
      if (!output.success) {
        throw new ApiUnavailableError(
          'off-contract',
          `${name} answered ${command} with something this version does not understand (HTTP ${answer.status}); update both to the same version.`,
          { status: answer.status, why: 'an answer outside the contract' },
        )
      }
      return output.data as CommandOutput<typeof command>
    },
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function noAnswer(name: string, error: unknown, timeoutMs: number): ApiUnavailableError {
  if (isTimeout(error)) {
    return new ApiUnavailableError('timeout', `${name} did not answer within ${formatSeconds(timeoutMs)}.`, { status: null, why: 'it timed out', cause: error })
  }
  if ((error as { cause?: { message?: unknown } } | null)?.cause?.message === 'unexpected redirect') {
    // Node's words for a redirect refused by `redirect: 'error'`: something answered, not the API.
    const why = 'it answered with a redirect, which is not followed: give the final address'
    return new ApiUnavailableError('not-irish', `${name} did not answer like an Irish server (${why}).`, { status: null, why, cause: error })
  }
  const code = errorCode(error)
  const why = describeNetworkError(code)
  if (code !== null && NEVER_CONNECTED.has(code)) {
    return new ApiUnavailableError('unreachable', `${name} cannot be reached (${why}).`, { status: null, why, cause: error })
  }
  // Unknown (a browser never says why): the request may have arrived, so nothing may be assumed undone.
  const message = code === null ? `${name} did not answer (${why}): check that it is running and reachable.` : `${name} broke off the connection (${why}).`
  return new ApiUnavailableError('interrupted', message, { status: null, why, cause: error })
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}

/**
 * The failures where the request certainly never reached the server, so it cannot have acted on it.
 * Node's fetch says why in `cause.code`; a browser says nothing (a bare TypeError).
 */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

function errorCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause
  return typeof cause?.code === 'string' ? cause.code : null
}

function describeNetworkError(code: string | null): string {
  if (code === 'ECONNREFUSED') return 'connection refused: is it running, on that port?'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (code !== null && (code.includes('CERT') || code.startsWith('ERR_TLS'))) return `its TLS certificate is not trusted (${code})`
  return code ?? 'a network error'
}

/**
 * The passkey ceremony's two routes (src/shared/passkey-ceremony.ts), which take a ceremony token in
 * the path instead of the API token: GET the options, POST the assertion. The desktop app's ceremony
 * page calls them (answered by the app itself); the browser helper keeps its own few lines, so its
 * bundle carries no contract.
 */
export interface CeremonyClient {
  options(token: string): Promise<CeremonyOptions>
  answer(token: string, credential: unknown): Promise<CeremonyAnswer>
}

export function createCeremonyClient(options: { baseUrl: string; fetch?: typeof fetch; timeoutMs?: number }): CeremonyClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  const timeoutMs = options.timeoutMs ?? 30_000
  const url = (token: string): string => `${baseUrl}${CEREMONY_ROUTE}${encodeURIComponent(token)}`
  const checked = <T>(schema: z.ZodType<T>, value: unknown, status: number): T => {
    const parsed = schema.safeParse(value)
    if (parsed.success) return parsed.data
    throw new ApiUnavailableError('off-contract', `${baseUrl} answered the passkey ceremony with something this version does not understand (HTTP ${status}).`, {
      status,
      why: 'an answer outside the contract',
    })
  }
  return {
    async options(token) {
      const { value, status } = await request(doFetch, url(token), { method: 'GET' }, baseUrl, timeoutMs)
      return checked(CeremonyOptionsSchema, value, status)
    },
    async answer(token, credential) {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credential) }
      const { value, status } = await request(doFetch, url(token), init, baseUrl, timeoutMs)
      return checked(CeremonyAnswerSchema, value, status)
    },
  }
}

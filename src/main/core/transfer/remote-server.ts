// Talks to another Irish server for "export to server": validates its address, checks the token and the
// accounts there before anything changes here, and posts the bundle to its POST /api/transfer:import.
// Main process, Electron-free. The token travels only in the Authorization header and is never logged,
// echoed in a message, or put in a URL.

import { z } from 'zod'
import { AccountSummarySchema, ErrorInfoSchema, type AccountSummary } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'

export interface RemoteServer {
  /** The address as the operator will recognise it: origin + path, no trailing slash, no query. */
  target: string
  /** POST endpoint of a command on that server. */
  endpoint(command: string): string
}

const PREFLIGHT_TIMEOUT_MS = 15_000
/** Upload, the remote's key derivation and its import; generous, but never forever. */
export const SEND_TIMEOUT_MS = 120_000

/** https anywhere; http only to this machine, where nothing on the network can read the bundle or token. */
export function parseRemoteServer(raw: string): RemoteServer {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    // Not echoed: a pasted address can hold a secret (a token by mistake).
    throw new AppError('invalid-input', 'The server address is not a URL. Give one like https://irish.example.com.')
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('invalid-input', 'Put the API token in the token field, not in the server address.')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new AppError('invalid-input', 'The server address must not have a query (?…) or fragment (#…): give only the server\'s base address.')
  }
  requireSecureTransport(url, {
    noun: 'The server address',
    risk: 'the bundle and the token would cross the network unencrypted. Use https:// (e.g. the server behind a TLS proxy)',
  })
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  return { target: base, endpoint: (command) => `${base}/api/${command}` }
}

/**
 * The one rule for every address the app sends secrets to (export to a server, webhooks): https anywhere;
 * http only to this machine, where nothing on the network can read what is sent. `risk` says what
 * would cross the network and what to do instead.
 */
export function requireSecureTransport(url: URL, words: { noun: string; risk: string }): void {
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new AppError('invalid-input', `Refusing http://${url.host}: ${words.risk}, or http only to this machine (127.0.0.1, ::1, localhost).`)
    }
  } else if (url.protocol !== 'https:') {
    throw new AppError('invalid-input', `${words.noun} must start with https:// (or http:// to this machine), not ${url.protocol}//.`)
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorInfoSchema }),
])

/** The remote did not clearly refuse: it may or may not have imported the account. */
export class UncertainDeliveryError extends AppError {
  constructor(target: string, why: string, options?: { cause?: unknown }) {
    super(
      'unavailable',
      `${target} did not answer after the bundle was sent (${why}), so it may have imported the account. ` +
        'This copy stays stopped and marked moved, so the session never runs twice. Check the other server: if the account is not there, take it back here (start it with take back).',
      options,
    )
    this.name = 'UncertainDeliveryError'
  }
}

export interface RemoteCallOptions {
  fetch: typeof fetch
  token: string
}

/** Lists the remote's accounts: proves the address and the token before anything changes here. */
export async function remoteAccounts(server: RemoteServer, options: RemoteCallOptions): Promise<AccountSummary[]> {
  let response: Response
  try {
    response = await options.fetch(server.endpoint('accounts:list'), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: '{}',
      redirect: 'error',
      signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS),
    })
  } catch (error) {
    throw unreachable(server.target, error)
  }
  const value = await readEnvelope(server.target, response, 'refuse')
  const parsed = z.array(AccountSummarySchema).safeParse(value)
  if (!parsed.success) throw notIrish(server.target)
  return parsed.data
}

/**
 * The remote's installation id, or null for a server from before `transfer:identity` (it answers
 * "no command"). Proves the address and the token too.
 */
export async function remoteIdentity(server: RemoteServer, options: RemoteCallOptions): Promise<string | null> {
  let response: Response
  try {
    response = await options.fetch(server.endpoint('transfer:identity'), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: '{}',
      redirect: 'error',
      signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS),
    })
  } catch (error) {
    throw unreachable(server.target, error)
  }
  if (response.status === 404) {
    await response.body?.cancel()
    return null
  }
  const value = await readEnvelope(server.target, response, 'refuse')
  const parsed = z.object({ instanceId: z.string() }).safeParse(value)
  if (!parsed.success) throw notIrish(server.target)
  return parsed.data.instanceId
}

export type RemoteHandOffState = 'unknown' | 'pending' | 'started' | 'aborted'
export type HandOffAction = 'status' | 'confirm' | 'abort' | 'forget'

/** The target's side of a hand-off (status, confirm, abort, forget). Throws on anything but a clear answer. */
export async function remoteHandOff(
  server: RemoteServer,
  options: RemoteCallOptions,
  id: string,
  action: HandOffAction,
): Promise<{ state: RemoteHandOffState; account: AccountSummary | null }> {
  let response: Response
  try {
    response = await options.fetch(server.endpoint('transfer:hand-off'), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, action }),
      redirect: 'error',
      signal: AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS),
    })
  } catch (error) {
    throw unreachable(server.target, error)
  }
  const value = await readEnvelope(server.target, response, 'refuse')
  const parsed = z
    .object({ state: z.enum(['unknown', 'pending', 'started', 'aborted']), account: AccountSummarySchema.nullable() })
    .safeParse(value)
  if (!parsed.success) throw notIrish(server.target)
  return parsed.data
}

/** Posts the bundle. A clear refusal throws an AppError; an answer that never came throws UncertainDeliveryError. */
export async function sendBundle(
  server: RemoteServer,
  body: { bundle: string; passphrase: string; replace?: boolean; start: boolean; label?: string; handOff?: { id: string; source: string } },
  options: RemoteCallOptions,
): Promise<AccountSummary> {
  let response: Response
  try {
    response = await options.fetch(server.endpoint('transfer:import'), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // A redirect could carry the token and the bundle somewhere else.
      redirect: 'error',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
  } catch (error) {
    if (neverConnected(error)) throw unreachable(server.target, error)
    throw new UncertainDeliveryError(server.target, describeNetworkError(error), { cause: error })
  }
  const value = await readEnvelope(server.target, response, 'uncertain')
  const parsed = AccountSummarySchema.safeParse(value)
  if (!parsed.success) throw new UncertainDeliveryError(server.target, 'its answer was not an account')
  return parsed.data
}

async function readEnvelope(target: string, response: Response, onGarbage: 'refuse' | 'uncertain'): Promise<unknown> {
  let json: unknown
  try {
    json = JSON.parse(await response.text())
  } catch (error) {
    // A proxy's error page: before the upload that only means "wrong address"; after it, we cannot know.
    if (onGarbage === 'uncertain' && response.status >= 500) throw new UncertainDeliveryError(target, `HTTP ${response.status}`, { cause: error })
    throw notIrish(target, response.status)
  }
  const envelope = envelopeSchema.safeParse(json)
  if (!envelope.success) {
    if (onGarbage === 'uncertain' && response.status >= 500) throw new UncertainDeliveryError(target, `HTTP ${response.status}`)
    throw notIrish(target, response.status)
  }
  if (envelope.data.ok) return envelope.data.value
  const { code, message } = envelope.data.error
  if (response.status === 401 || code === 'unauthorized') {
    // Not 'unauthorized' here: that code would tell our own client that *its* token is wrong.
    throw new AppError('invalid-input', `${target} refused the token. Copy the API token of that server (it prints it on first start) and try again.`)
  }
  if (code === 'conflict') throw new AppError('conflict', `${target} refused the account: ${message}`)
  if (code === 'payload-too-large') throw new AppError('payload-too-large', `${target} refused the bundle as too large: ${message}`)
  if (code === 'not-found' && response.status === 404 && /no command/i.test(message)) {
    throw new AppError('invalid-input', `${target} is an Irish server without session import; update it first.`)
  }
  throw new AppError(code === 'invalid-input' ? 'invalid-input' : 'unavailable', `${target} could not import the account: ${message}`)
}

function notIrish(target: string, status?: number): AppError {
  return new AppError(
    'invalid-input',
    `${target} did not answer like an Irish server${status ? ` (HTTP ${status})` : ''}. Check the address: it is the server's base URL, without /api.`,
  )
}

function unreachable(target: string, error: unknown): AppError {
  return new AppError('unavailable', `${target} cannot be reached (${describeNetworkError(error)}). Nothing was changed here.`, { cause: error })
}

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

/** True only when the request certainly never reached the server (so it cannot have imported anything). */
function neverConnected(error: unknown): boolean {
  const code = errorCode(error)
  return code !== null && NEVER_CONNECTED.has(code)
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'it timed out'
  const code = errorCode(error)
  if (code === 'ECONNREFUSED') return 'connection refused: is it running, on that port?'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (code !== null && (code.includes('CERT') || code.startsWith('ERR_TLS'))) return `its TLS certificate is not trusted (${code})`
  return code ?? 'a network error'
}

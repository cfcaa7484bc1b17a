// Talks to another Irish server for "export to server": validates its address, checks the token and the
// accounts there before anything changes here, and posts the bundle to its POST /api/transfer:import.
// Main process, Electron-free. The token travels only in the Authorization header and is never logged,
// echoed in a message, or put in a URL.

import { ApiRefusedError, ApiUnavailableError, createApiClient, type ApiClient } from '../../../shared/api-client'
import type { AccountSummary } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'

export interface RemoteServer {
  /** The address as the operator will recognise it: origin + path, no trailing slash, no query. */
  target: string
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
  return { target: base }
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

function clientFor(server: RemoteServer, options: RemoteCallOptions): ApiClient {
  return createApiClient({ baseUrl: server.target, token: options.token, fetch: options.fetch, timeoutMs: PREFLIGHT_TIMEOUT_MS })
}

/** Lists the remote's accounts: proves the address and the token before anything changes here. */
export async function remoteAccounts(server: RemoteServer, options: RemoteCallOptions): Promise<AccountSummary[]> {
  try {
    return await clientFor(server, options).call('accounts:list', {})
  } catch (error) {
    throw refusal(server.target, error)
  }
}

/**
 * The remote's installation id, or null for a server from before `transfer:identity` (it answers
 * "no command", 404). Proves the address and the token too.
 */
export async function remoteIdentity(server: RemoteServer, options: RemoteCallOptions): Promise<string | null> {
  try {
    return (await clientFor(server, options).call('transfer:identity', {})).instanceId
  } catch (error) {
    if ((error instanceof ApiRefusedError || error instanceof ApiUnavailableError) && error.status === 404) return null
    throw refusal(server.target, error)
  }
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
  try {
    return await clientFor(server, options).call('transfer:hand-off', { id, action })
  } catch (error) {
    throw refusal(server.target, error)
  }
}

/** Posts the bundle. A clear refusal throws an AppError; an answer that never came throws UncertainDeliveryError. */
export async function sendBundle(
  server: RemoteServer,
  body: { bundle: string; passphrase: string; replace?: boolean; start: boolean; label?: string; handOff?: { id: string; source: string } },
  options: RemoteCallOptions,
): Promise<AccountSummary> {
  try {
    return await clientFor(server, options).call('transfer:import', body, { timeoutMs: SEND_TIMEOUT_MS })
  } catch (error) {
    if (error instanceof ApiUnavailableError && uncertain(error)) {
      const why = error.reason === 'off-contract' ? 'its answer was not an account' : error.why
      throw new UncertainDeliveryError(server.target, why, { cause: error })
    }
    throw refusal(server.target, error)
  }
}

/**
 * After the bundle left, only a clear refusal or a certain failure to connect means "not imported": a
 * broken connection, a timeout, an answer outside the contract, or a proxy's 5xx page may hide an import.
 */
function uncertain(error: ApiUnavailableError): boolean {
  if (error.reason === 'not-irish') return error.status !== null && error.status >= 500
  return error.mayHaveArrived
}

/** The client's error, worded for export to a server (the token is the other server's, not the caller's). */
function refusal(target: string, error: unknown): AppError {
  if (error instanceof ApiUnavailableError) {
    if (error.reason === 'not-irish' || error.reason === 'off-contract') return notIrish(target, error.status ?? undefined)
    return new AppError('unavailable', `${target} cannot be reached (${error.why}). Nothing was changed here.`, { cause: error })
  }
  if (!(error instanceof ApiRefusedError)) return error instanceof AppError ? error : new AppError('internal', 'Export to a server failed unexpectedly.', { cause: error })
  const { code, message, status } = error
  if (status === 401 || code === 'unauthorized') {
    // Not 'unauthorized' here: that code would tell our own client that *its* token is wrong.
    return new AppError('invalid-input', `${target} refused the token. Copy the API token of that server (it prints it on first start) and try again.`)
  }
  if (code === 'conflict') return new AppError('conflict', `${target} refused the account: ${message}`)
  if (code === 'payload-too-large') return new AppError('payload-too-large', `${target} refused the bundle as too large: ${message}`)
  if (code === 'not-found' && status === 404 && /no command/i.test(message)) {
    return new AppError('invalid-input', `${target} is an Irish server without session import; update it first.`)
  }
  return new AppError(code === 'invalid-input' ? 'invalid-input' : 'unavailable', `${target} could not import the account: ${message}`)
}

function notIrish(target: string, status?: number): AppError {
  return new AppError(
    'invalid-input',
    `${target} did not answer like an Irish server${status ? ` (HTTP ${status})` : ''}. Check the address: it is the server's base URL, without /api.`,
  )
}

// Where a passkey ceremony runs and how its link says so, shared by the core, the renderer, the desktop
// ceremony window and the browser helper (extensions/passkey-helper): no zod, no electron, no node:*,
// no DOM, so the helper's bundle stays a few kilobytes. docs/passkey-linking.md, "The ceremony".
//
// A browser runs WhatsApp's WebAuthn request only on a page whose origin matches its rpId: a page on
// https://web.whatsapp.com. The link is that page with a fragment the page never sends anywhere:
//   https://web.whatsapp.com/#irish-passkey=<token>&server=<origin of the Irish server>
// The token is `<account id>.<43 characters of base64url>`: single-use, it expires with the challenge,
// and it is bound to one account and one passkey attempt (the server that runs the account checks it).
// The account id in it lets any server of a fleet forward the ceremony to the one that runs the account.

import { ACCOUNT_ID_PATTERN, type AccountId } from './ids'

/** The only origin a ceremony page runs on. */
export const CEREMONY_ORIGIN = 'https://web.whatsapp.com'
/** The two HTTP routes of a ceremony: GET the options, POST the credential (`<route><token>`). */
export const CEREMONY_ROUTE = '/api/passkey-ceremony/'
const TOKEN_KEY = 'irish-passkey'
const SERVER_KEY = 'server'
/** 32 random bytes, unpadded base64url. */
const SECRET = /^[A-Za-z0-9_-]{43}$/
/** The largest ceremony token: an account id of 64 characters, a dot and the secret. */
export const MAX_CEREMONY_TOKEN_LENGTH = 64 + 1 + 43

export interface CeremonyLink {
  token: string
  /** The Irish server that issued the ceremony (an http(s) origin), or null (the desktop app). */
  server: string | null
}

/** `<account id>.<secret>`: the secret as the server generated it (32 random bytes, base64url). */
export function ceremonyToken(account: AccountId, secret: string): string {
  return `${account}.${secret}`
}

/** The account a well-formed token names, or null when it is not a ceremony token. */
export function ceremonyAccount(token: string): AccountId | null {
  if (token.length > MAX_CEREMONY_TOKEN_LENGTH) return null
  const dot = token.indexOf('.')
  if (dot < 1) return null
  const account = token.slice(0, dot)
  return ACCOUNT_ID_PATTERN.test(account) && SECRET.test(token.slice(dot + 1)) ? (account as AccountId) : null
}

/** An http(s) origin (scheme, host, port; no path, query or credentials), normalised, or null. */
export function serverOrigin(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null
  return url.origin
}

/** The page a person (or the desktop app) opens to run the ceremony. */
export function ceremonyUrl(link: CeremonyLink): string {
  const fragment = new URLSearchParams({ [TOKEN_KEY]: link.token })
  if (link.server) fragment.set(SERVER_KEY, link.server)
  return `${CEREMONY_ORIGIN}/#${fragment.toString()}`
}

/** The ceremony a URL (or a location's hash, `#…`) names, or null when it names none. */
export function parseCeremonyUrl(value: string): CeremonyLink | null {
  let hash: string
  if (value.startsWith('#')) hash = value
  else {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return null
    }
    if (url.origin !== CEREMONY_ORIGIN) return null
    hash = url.hash
  }
  const params = new URLSearchParams(hash.slice(1))
  const token = params.get(TOKEN_KEY)
  if (token === null || ceremonyAccount(token) === null) return null
  const rawServer = params.get(SERVER_KEY)
  const server = rawServer === null ? null : serverOrigin(rawServer)
  if (rawServer !== null && server === null) return null
  return { token, server }
}

/** The same ceremony, issued by `server` instead (a browser page names the server it talks to). */
export function withCeremonyServer(url: string, server: string): string {
  const link = parseCeremonyUrl(url)
  const origin = serverOrigin(server)
  return link && origin ? ceremonyUrl({ token: link.token, server: origin }) : url
}

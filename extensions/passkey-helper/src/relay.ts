// The service worker's work, apart from Chromium's API so it is tested under Node: checks who asks
// (the helper's own content script on https://web.whatsapp.com) and what (a ceremony link naming an
// http(s) server), then GETs the options or POSTs the credential on that server's ceremony routes,
// with the host permission the person granted for it. No cookies, no redirects, no other address.

import { CEREMONY_ORIGIN, CEREMONY_ROUTE, ceremonyAccount, serverOrigin, type CeremonyLink } from '../../../src/shared/passkey-ceremony'
import type { HelperReply, HelperRequest } from './messages'

export interface RelayDeps {
  /** The extension's own id: only its content scripts are answered. */
  extensionId: string
  fetch: typeof fetch
  hasPermission(origin: string): Promise<boolean>
  openGrantPage(server: string): Promise<void>
  timeoutMs?: number
}

/** The match pattern that grants talking to one server. */
export function originPattern(origin: string): string {
  return `${origin}/*`
}

export function createRelay(deps: RelayDeps): (message: unknown, sender: chrome.runtime.MessageSender) => Promise<HelperReply> {
  const timeoutMs = deps.timeoutMs ?? 20_000

  async function call(link: CeremonyLink, credential?: unknown): Promise<HelperReply> {
    const server = link.server ? serverOrigin(link.server) : null
    if (!server) return { kind: 'error', message: 'This link names no Irish server: open it from the pairing dialog in your browser.' }
    if (ceremonyAccount(link.token) === null) return { kind: 'error', message: 'This is not a passkey link from Irish.' }
    if (!(await deps.hasPermission(server))) return { kind: 'needs-permission', server }
    let response: Response
    try {
      response = await deps.fetch(`${server}${CEREMONY_ROUTE}${encodeURIComponent(link.token)}`, {
        method: credential === undefined ? 'GET' : 'POST',
        ...(credential === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(credential) }),
        credentials: 'omit',
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch {
      return { kind: 'error', message: `Irish at ${server} cannot be reached from this browser.` }
    }
    const body = (await response.json().catch(() => null)) as { ok?: unknown; value?: unknown; error?: { message?: unknown } } | null
    if (!body || typeof body.ok !== 'boolean') return { kind: 'error', message: `${server} answered ${response.status}, not as an Irish server.` }
    if (!body.ok) return { kind: 'error', message: typeof body.error?.message === 'string' ? body.error.message : `Irish refused (${response.status}).` }
    const value = body.value as Record<string, unknown>
    if (credential === undefined) return { kind: 'options', options: value.options as PublicKeyCredentialRequestOptionsJSON, expiresAt: Number(value.expiresAt) }
    return { kind: 'answered', confirm: value.confirm === true }
  }

  return async function relay(message, sender) {
    // Only this extension's content script, in a page of WhatsApp Web's origin, is listened to.
    if (sender.id !== deps.extensionId || !sender.url || new URL(sender.url).origin !== CEREMONY_ORIGIN) {
      return { kind: 'error', message: 'The passkey helper answers its own page on web.whatsapp.com only.' }
    }
    const request = message as HelperRequest | null
    switch (request?.type) {
      case 'options':
        return call(request.link)
      case 'answer':
        return call(request.link, request.credential ?? null)
      case 'grant': {
        const server = serverOrigin(String(request.server))
        if (!server) return { kind: 'error', message: 'That is not an http(s) server address.' }
        await deps.openGrantPage(server)
        return { kind: 'opened' }
      }
      default:
        return { kind: 'error', message: 'The passkey helper did not understand the request.' }
    }
  }
}

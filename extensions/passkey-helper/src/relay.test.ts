// The helper's service worker logic under Node, with Chromium's APIs injected: who it answers, which
// server it talks to and how, and what it says when it cannot. The whole helper runs in Chromium in
// e2e/passkey-browser.e2e.ts.

import { describe, expect, it } from 'vitest'
import { ceremonyUrl, parseCeremonyUrl, type CeremonyLink } from '../../../src/shared/passkey-ceremony'
import { createRelay, originPattern, type RelayDeps } from './relay'

const EXTENSION = 'abcdefghijklmnopabcdefghijklmnop'
const PAGE = { id: EXTENSION, url: 'https://web.whatsapp.com/' }
const SERVER = 'http://127.0.0.1:7420'
const LINK: CeremonyLink = parseCeremonyUrl(ceremonyUrl({ token: `acc-1.${'Q'.repeat(43)}`, server: SERVER }))!

function relayWith(answer: (url: string, init: RequestInit) => Response | Promise<Response>, options: Partial<RelayDeps> = {}) {
  const requests: Array<{ url: string; init: RequestInit }> = []
  const granted = new Set<string>([SERVER])
  const grantPages: string[] = []
  const relay = createRelay({
    extensionId: EXTENSION,
    fetch: async (input, init = {}) => {
      requests.push({ url: String(input), init })
      return answer(String(input), init)
    },
    hasPermission: async (origin) => granted.has(origin),
    openGrantPage: async (server) => void grantPages.push(server),
    ...options,
  })
  return { relay, requests, granted, grantPages }
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('the helper relay', () => {
  it('GETs the options from the server the link names, without cookies or redirects', async () => {
    const options = { challenge: 'abc', rpId: 'whatsapp.com' }
    const { relay, requests } = relayWith(() => json(200, { ok: true, value: { options, expiresAt: 5 } }))
    expect(await relay({ type: 'options', link: LINK }, PAGE)).toEqual({ kind: 'options', options, expiresAt: 5 })
    expect(requests).toHaveLength(1)
    expect(requests[0]!.url).toBe(`${SERVER}/api/passkey-ceremony/${LINK.token}`)
    expect(requests[0]!.init).toMatchObject({ method: 'GET', credentials: 'omit', redirect: 'error' })
  })

  it('POSTs the credential as JSON and says whether the code is showing', async () => {
    const { relay, requests } = relayWith(() => json(200, { ok: true, value: { accepted: true, confirm: true } }))
    const credential = { id: 'x', rawId: 'x', type: 'public-key', response: {} }
    expect(await relay({ type: 'answer', link: LINK, credential }, PAGE)).toEqual({ kind: 'answered', confirm: true })
    expect(requests[0]!.init).toMatchObject({ method: 'POST', body: JSON.stringify(credential), headers: { 'content-type': 'application/json' } })
  })

  it('asks for the permission first when the person has not granted this server, and opens the grant page on request', async () => {
    const { relay, requests, granted, grantPages } = relayWith(() => json(200, { ok: true, value: {} }))
    granted.clear()
    expect(await relay({ type: 'options', link: LINK }, PAGE)).toEqual({ kind: 'needs-permission', server: SERVER })
    expect(requests).toEqual([])
    expect(await relay({ type: 'grant', server: SERVER }, PAGE)).toEqual({ kind: 'opened' })
    expect(grantPages).toEqual([SERVER])
    expect(originPattern(SERVER)).toBe('http://127.0.0.1:7420/*')
  })

  it("passes the server's refusal on in its words, and says so when the server is not Irish or not there", async () => {
    const refused = relayWith(() => json(409, { ok: false, error: { code: 'conflict', message: 'This passkey link was already used.' } }))
    expect(await refused.relay({ type: 'options', link: LINK }, PAGE)).toEqual({ kind: 'error', message: 'This passkey link was already used.' })
    const other = relayWith(() => new Response('<html>', { status: 200 }))
    expect(await other.relay({ type: 'options', link: LINK }, PAGE)).toEqual({ kind: 'error', message: `${SERVER} answered 200, not as an Irish server.` })
    const down = relayWith(() => Promise.reject(new TypeError('fetch failed')))
    expect(await down.relay({ type: 'options', link: LINK }, PAGE)).toEqual({ kind: 'error', message: `Irish at ${SERVER} cannot be reached from this browser.` })
  })

  it('answers only its own content script on web.whatsapp.com, and only for a link that names an http(s) server', async () => {
    const { relay, requests, grantPages } = relayWith(() => json(200, { ok: true, value: {} }))
    for (const sender of [{ id: 'another-extension', url: PAGE.url }, { id: EXTENSION, url: 'https://evil.example/' }, { id: EXTENSION }]) {
      expect(await relay({ type: 'options', link: LINK }, sender)).toMatchObject({ kind: 'error', message: expect.stringContaining('web.whatsapp.com only') })
    }
    expect(await relay({ type: 'options', link: { ...LINK, server: null } }, PAGE)).toMatchObject({ kind: 'error', message: expect.stringContaining('names no Irish server') })
    expect(await relay({ type: 'options', link: { ...LINK, server: 'file:///etc' } }, PAGE)).toMatchObject({ kind: 'error' })
    expect(await relay({ type: 'options', link: { ...LINK, token: 'x' } }, PAGE)).toMatchObject({ kind: 'error', message: 'This is not a passkey link from Irish.' })
    expect(await relay({ type: 'grant', server: 'javascript:alert(1)' }, PAGE)).toMatchObject({ kind: 'error' })
    expect(await relay({ type: 'steal' }, PAGE)).toMatchObject({ kind: 'error' })
    expect(await relay(null, PAGE)).toMatchObject({ kind: 'error' })
    expect(requests).toEqual([])
    expect(grantPages).toEqual([])
  })
})

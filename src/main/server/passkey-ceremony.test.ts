// The passkey ceremony's two routes on the real HTTP server, in process, over a real core (encrypted
// SQLite, real Baileys) and the simulator: what the browser helper's service worker does (GET the
// options, POST the credential, from a chrome-extension:// origin, with no API token), and every bad
// input it could send: malformed JSON, oversized bodies and fields, a token used twice, a token for
// another account, a foreign origin. Each is a clear 4xx and changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PairingState } from '../../shared/contract'
import type { AccountId } from '../../shared/ids'
import { CEREMONY_ROUTE, parseCeremonyUrl } from '../../shared/passkey-ceremony'
import { createSoftPasskey, type PairedAccount, type SoftPasskey } from '../../../test/support/baileys-clients'
import { useSessionsWorld, waitForStatus } from '../../../test/support/sessions'
import { silentLogger } from '../core/logger'
import { startApiServer, type ApiServer } from './http-server'

const TOKEN = 'ceremony-test-token-0123456789abcdef'
const EXTENSION = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`

const world = useSessionsWorld({ beforeAll, afterAll })
let server: ApiServer
beforeAll(async () => {
  server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    dispatch: world.core.dispatch,
    events: world.core.events,
    logger: silentLogger(),
    ceremony: world.core.ceremony,
  })
})
afterAll(async () => {
  await server?.close()
})

interface Answer {
  status: number
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } }
}

async function ceremony(token: string, init: { method?: string; body?: string; origin?: string | null } = {}): Promise<Answer> {
  const origin = init.origin === undefined ? EXTENSION : init.origin
  const response = await fetch(`${server.url}${CEREMONY_ROUTE}${token}`, {
    method: init.method ?? 'GET',
    headers: { ...(origin ? { origin } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  return { status: response.status, body: (await response.json()) as Answer['body'] }
}

let phoneSeq = 0
/** An account whose passkey check waits for an answer, the token of its link, and the phone's side. */
async function atChallenge(label: string): Promise<{ id: AccountId; token: string; passkey: SoftPasskey; state: PairingState; since: number; linked: Promise<PairedAccount> }> {
  const since = world.events.mark()
  const added = await world.core.sessions.add(label)
  const first = await world.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null, { since })
  const phone = `4915400000${String(++phoneSeq).padStart(3, '0')}`
  const passkey = createSoftPasskey()
  world.sim.registerPasskey(phone, passkey.registration)
  const linked = world.sim.scanQr((first.payload as PairingState).qr!, { phone })
  linked.catch(() => {})
  const required = await world.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.passkey?.phase === 'required', { since })
  const state = required.payload as PairingState
  if (state.passkey?.phase !== 'required') throw new Error('unreachable')
  return { id: added.id, token: parseCeremonyUrl(state.passkey.ceremonyUrl)!.token, passkey, state, since, linked }
}

function optionsOf(state: PairingState) {
  if (state.passkey?.phase !== 'required') throw new Error('no challenge')
  return state.passkey.options
}

describe('the ceremony routes', () => {
  it('GET gives the options, POST takes the credential once; the account then links after the person confirms', async () => {
    const c = await atChallenge('Through the helper')
    const got = await ceremony(c.token)
    expect(got).toEqual({ status: 200, body: { ok: true, value: { options: optionsOf(c.state), expiresAt: c.state.expiresAt } } })
    const posted = await ceremony(c.token, { method: 'POST', body: JSON.stringify(c.passkey.assert(optionsOf(c.state))) })
    expect(posted).toEqual({ status: 200, body: { ok: true, value: { accepted: true, confirm: true } } })
    // Single-use: the same link again is refused, and the state names a new one.
    expect(await ceremony(c.token, { method: 'POST', body: JSON.stringify(c.passkey.assert(optionsOf(c.state))) })).toMatchObject({ status: 409, body: { error: { code: 'conflict', message: expect.stringContaining('already used') } } })
    expect(await ceremony(c.token)).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } })
    expect(world.core.sessions.pairing(c.id).passkey?.phase).toBe('confirm')
    const activity = await world.core.activity.list(c.id, 20)
    // The answer came from a person's browser through the helper: logged as the UI, never with the token.
    expect(activity).toContainEqual(expect.objectContaining({ message: 'Answer the passkey check: done', actor: 'ui' }))
    expect(JSON.stringify(activity)).not.toContain(c.token.split('.')[1])
    const confirmed = await world.core.dispatch('accounts:passkey-confirm', { id: c.id })
    expect(confirmed.ok).toBe(true)
    await c.linked
    await waitForStatus(world.core, world.events, c.id, 'connected', { since: c.since })
  })

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const c = await atChallenge('Bad input')
    const other = await atChallenge('Another account')
    const good = c.passkey.assert(optionsOf(c.state))
    const unchanged = (): void => {
      expect(world.core.sessions.pairing(c.id)).toEqual(c.state)
      expect(world.core.sessions.pairing(other.id)).toEqual(other.state)
    }

    expect(await ceremony(c.token, { method: 'POST', body: '{"id": ' })).toMatchObject({ status: 400, body: { error: { code: 'invalid-input', message: expect.stringContaining('not JSON') } } })
    unchanged()
    expect(await ceremony(c.token, { method: 'POST', body: JSON.stringify({ ...good, padding: 'x'.repeat(20_000) }) })).toMatchObject({ status: 413, body: { error: { code: 'payload-too-large' } } })
    unchanged()
    const longSignature = { ...good, response: { ...good.response, signature: 'A'.repeat(400) } }
    expect(await ceremony(c.token, { method: 'POST', body: JSON.stringify(longSignature) })).toMatchObject({ status: 400, body: { error: { code: 'invalid-input', message: expect.stringContaining('signature is longer than 256 bytes') } } })
    unchanged()
    expect(await ceremony(c.token, { method: 'POST', body: JSON.stringify({ ...good, type: 'password' }) })).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('public-key') } } })
    unchanged()

    // A token whose account part names the other account: not that account's link.
    const [, secret] = c.token.split('.')
    const crossed = `${other.id}.${secret}`
    expect(await ceremony(crossed)).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } })
    expect(await ceremony(crossed, { method: 'POST', body: JSON.stringify(good) })).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } })
    // One account's link handed in for another through the command itself.
    const direct = await world.core.dispatch('accounts:passkey-response', { id: other.id, credential: good, ceremonyToken: c.token })
    expect(direct).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'This passkey link belongs to another account.' } })
    unchanged()

    expect(await ceremony('not-a-token')).toMatchObject({ status: 400, body: { error: { code: 'invalid-input' } } })
    expect(await ceremony(`${c.id}.${'A'.repeat(43)}`)).toMatchObject({ status: 404 })
    expect(await ceremony(c.token, { origin: 'https://evil.example' })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } })
    expect(await ceremony(c.token, { method: 'PUT', body: '{}' })).toMatchObject({ status: 405 })
    unchanged()

    // Every other route still refuses the extension's origin, token or not.
    const api = await fetch(`${server.url}/api/accounts:list`, { method: 'POST', headers: { origin: EXTENSION, authorization: `Bearer ${TOKEN}` }, body: '{}' })
    expect(api.status).toBe(403)

    // After all that, the untouched link still works.
    expect(await ceremony(c.token, { method: 'POST', body: JSON.stringify(good) })).toMatchObject({ status: 200 })
    await world.core.dispatch('accounts:passkey-cancel', { id: c.id })
    await world.core.dispatch('accounts:passkey-cancel', { id: other.id })
  })
})

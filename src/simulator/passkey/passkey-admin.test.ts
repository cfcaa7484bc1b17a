// The simulator's passkey routes on the admin API: registering and removing a phone's passkey (kept
// across a restart with --state), the phone's confirmation code, the refusals, and POST /scan and
// POST /link-code answering { passkey: 'required' } for such a phone as soon as the step is asked
// for. The companion here is plain Baileys, which acks the challenge and does nothing more.

import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulatorAdmin, type SimulatorAdmin } from '../admin.js'
import { silentLogger } from '../logger.js'
import { startSimulator, type SimulatorEvents } from '../simulator.js'
import { closeSocket, createSoftPasskey, createTestSocket, MemoryAuthStore, useSimulator, waitForQr } from '../../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })
let admin: SimulatorAdmin

beforeAll(async () => {
  admin = await startSimulatorAdmin(suite.sim)
})
afterAll(async () => {
  await admin.close()
})

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${admin.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

function next<E extends keyof SimulatorEvents>(event: E, phone: string): Promise<SimulatorEvents[E][0]> {
  return new Promise((resolve) => {
    const listener = (...args: SimulatorEvents[E]): void => {
      const payload = args[0] as { phone: string }
      if (payload.phone !== phone) return
      suite.sim.events.off(event, listener as never)
      resolve(args[0])
    }
    suite.sim.events.on(event, listener as never)
  })
}

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const publicKeyJwk = publicKey.export({ format: 'jwk' })

describe('passkey admin routes', () => {
  it('registers a passkey for a phone (as KeyObject.export writes the JWK), removes it, and then 404s', async () => {
    expect(await call('POST', '/passkey', { phone: '+49 151 2000-0001', credentialId: 'Y3JlZC0x', publicKeyJwk })).toEqual({ status: 200, json: { registered: true } })
    expect(suite.sim.accounts().some((a) => a.jid === '4915120000001@s.whatsapp.net')).toBe(true)
    expect(await call('DELETE', '/passkey', { phone: '4915120000001' })).toEqual({ status: 200, json: { removed: true } })
    expect(await call('DELETE', '/passkey', { phone: '4915120000001' })).toMatchObject({ status: 404, json: { error: { code: 'not-found', message: 'The phone 4915120000001 has no passkey.' } } })
  })

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['no phone', { credentialId: 'YQ', publicKeyJwk }, /phone: /],
    ['a phone with letters', { phone: 'call me', credentialId: 'YQ', publicKeyJwk }, /phone must be 5 to 15 digits/],
    ['a credential id that is not base64url', { phone: '4915120000002', credentialId: 'a b', publicKeyJwk }, /credentialId: must be base64url/],
    ['an RSA key', { phone: '4915120000002', credentialId: 'YQ', publicKeyJwk: { ...publicKeyJwk, kty: 'RSA' } }, /publicKeyJwk.kty: publicKeyJwk.kty must be "EC"/],
    ['a P-384 key', { phone: '4915120000002', credentialId: 'YQ', publicKeyJwk: { ...publicKeyJwk, crv: 'P-384' } }, /publicKeyJwk.crv must be "P-256"/],
    ['a private key', { phone: '4915120000002', credentialId: 'YQ', publicKeyJwk: { ...publicKeyJwk, d: 'c2VjcmV0' } }, /public key only/],
    ['a point off the curve', { phone: '4915120000002', credentialId: 'YQ', publicKeyJwk: { ...publicKeyJwk, y: publicKeyJwk.x } }, /not a point on P-256/],
  ])('refuses %s with a 400 naming it, and registers nothing', async (_what, body, message) => {
    const answer = await call('POST', '/passkey', body)
    expect(answer.status).toBe(400)
    expect((answer.json.error as { message: string }).message).toMatch(message)
    expect(suite.sim.accounts().some((a) => a.jid === '4915120000002@s.whatsapp.net')).toBe(false)
  })

  it('answers the confirmation code only once a phone shows one', async () => {
    expect(await call('GET', '/passkey/confirmation')).toMatchObject({ status: 400, json: { error: { message: expect.stringContaining('?phone=') } } })
    expect(await call('GET', '/passkey/confirmation?phone=4915120000003')).toMatchObject({ status: 404, json: { error: { code: 'not-found' } } })
  })

  it('answers POST /scan with { passkey: "required" } once the challenge is out; the step ends, unlinked, when the companion leaves', async () => {
    const phone = '4915120000004'
    suite.sim.registerPasskey(phone, createSoftPasskey().registration)
    const sock = suite.track(createTestSocket(suite.sim, new MemoryAuthStore()))
    const qr = await waitForQr(sock)
    const required = next('passkey-required', phone)
    expect(await call('POST', '/scan', { qr, phone })).toEqual({ status: 200, json: { passkey: 'required' } })
    await required
    const failed = next('passkey-failed', phone)
    await closeSocket(sock)
    expect(await failed).toEqual({ phone, check: null, message: `The companion disconnected during the passkey step for +${phone}. Nothing was linked.` })
    expect(suite.sim.accounts().find((a) => a.jid === `${phone}@s.whatsapp.net`)?.devices).toEqual([])
  })

  it('answers POST /link-code with { passkey: "required" } for a phone with a passkey', async () => {
    const phone = '4915120000005'
    suite.sim.registerPasskey(phone, createSoftPasskey().registration)
    const sock = suite.track(createTestSocket(suite.sim, new MemoryAuthStore()))
    await waitForQr(sock)
    const code = await sock.requestPairingCode(phone)
    expect(await call('POST', '/link-code', { phone, code })).toEqual({ status: 200, json: { passkey: 'required' } })
  })
})

describe('passkeys in the state file', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-passkey-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps a registered passkey across a restart', async () => {
    const statePath = join(dir, 'state.json')
    const passkey = createSoftPasskey()
    const first = await startSimulator({ statePath, logger: silentLogger })
    first.registerPasskey('4915120000006', passkey.registration)
    await first.close()
    const saved = JSON.parse(await readFile(statePath, 'utf8')) as { directory: { accounts: Array<{ pn: string; passkey?: unknown }> } }
    expect(saved.directory.accounts.find((a) => a.pn === '4915120000006')?.passkey).toEqual({ ...passkey.registration, signCount: 0 })
    const second = await startSimulator({ statePath, logger: silentLogger })
    try {
      expect(second.removePasskey('4915120000006')).toBe(true)
      expect(second.removePasskey('4915120000006')).toBe(false)
    } finally {
      await second.close()
    }
  })
})

// Passkey-gated linking with real, unmodified Baileys against the simulator, the companion module
// wrapped at the socket boundary: QR then passkey and code then passkey end connected and message;
// a wrong key, a replayed assertion, a counter that did not grow, a stale challenge, a wrong
// commitment and a cancel each end with the check named and nothing linked; a phone without a
// passkey pairs as before. Assertions are signed here with node:crypto, as a browser builds them.

import { generateKeyPairSync } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BinaryNode } from '@whiskeysockets/baileys'
import {
  closeSocket,
  createSoftPasskey,
  createTestSocket,
  nextMessage,
  pairClient,
  startSimulatorAdmin,
  textOf,
  useSimulator,
  waitForClose,
  waitForOpen,
  type PairedAccount,
  type SoftPasskey,
} from '../../../../test/support/baileys-clients'
import type { PasskeySocket } from './linker'
import { passkeyCompanion, type PasskeyCompanion } from '../../../../test/support/passkey'

let clock = Date.now()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { now: () => clock, passkeyTimeoutMs: 60_000 })

let phoneSeq = 0
/** A fresh phone number with a passkey registered for it. */
function passkeyPhone(): { phone: string; passkey: SoftPasskey } {
  const phone = `4915200000${String(++phoneSeq).padStart(3, '0')}`
  const passkey = createSoftPasskey()
  suite.sim.registerPasskey(phone, passkey.registration)
  return { phone, passkey }
}

function devicesOf(phone: string): number {
  return suite.sim.accounts().find((a) => a.jid === `${phone}@s.whatsapp.net`)?.devices.length ?? 0
}

async function companion(options: Parameters<typeof passkeyCompanion>[1] = {}): Promise<PasskeyCompanion> {
  const made = await passkeyCompanion(suite.sim, options)
  suite.track(made.sock)
  return made
}

/**
 * The phone's side of a linking under way. Handled from the start: a failure may come before the test
 * awaits it (it still sees the rejection).
 */
function linking(link: Promise<PairedAccount>): Promise<PairedAccount> {
  link.catch(() => {})
  return link
}

/** Runs the passkey step on `c` (the first shown after `after` steps), checks both screens show one code, and confirms. */
async function completePasskeyStep(c: PasskeyCompanion, phone: string, passkey: SoftPasskey, linked: Promise<PairedAccount>, after = 0): Promise<PairedAccount> {
  const required = await c.recorder.next('required', after)
  expect(required.options).toMatchObject({ rpId: 'whatsapp.com', userVerification: 'required', allowCredentials: [{ id: passkey.credentialId, type: 'public-key' }] })
  expect(required.options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
  await c.linker.respond(passkey.assert(required.options))
  const confirm = await c.recorder.next('confirm', after)
  expect(confirm.code).toMatch(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/)
  expect(confirm.code).toBe(suite.sim.passkeyConfirmation(phone))
  expect(confirm.handoffProven).toBe(true)
  const restarted = waitForClose(c.sock)
  await c.linker.confirm()
  const account = await linked
  expect(await restarted).toBe(515)
  expect(c.linker.step()).toBeNull()
  return account
}

/** Logs in again from the saved creds and exchanges a text each way with a plain account. */
async function provesConnected(c: PasskeyCompanion, account: PairedAccount): Promise<void> {
  const sock = suite.track(createTestSocket(suite.sim, c.store))
  await waitForOpen(sock)
  const peer = await pairClient(suite.sim)
  suite.track(peer.sock)
  const arrives = nextMessage(peer.sock, (m) => textOf(m) === 'linked with a passkey')
  await sock.sendMessage(peer.account.jid, { text: 'linked with a passkey' })
  expect((await arrives).key.remoteJid).toBe(account.jid)
  const back = nextMessage(sock, (m) => textOf(m) === 'and back')
  await suite.sim.sendFromPhone(peer.account.jid.split('@')[0]!, account.jid, 'and back')
  await back
}

/** Nothing linked, and the companion holds no pairing credentials: only the adv secret its QR showed. */
function expectNothingLinked(c: PasskeyCompanion, phone: string): void {
  expect(devicesOf(phone)).toBe(0)
  const creds = c.store.savedCreds()!
  expect(creds.me).toBeUndefined()
  expect(creds.account).toBeUndefined()
  expect(c.qr).toContain(`,${creds.advSecretKey},`)
}

function socketParts(sock: PasskeySocket): Omit<PasskeySocket, 'query'> {
  return { ws: sock.ws, ev: sock.ev, authState: sock.authState }
}

/** The IQ with the first byte of its `tag` (the IQ's child, or a child of that) flipped. */
function spoilChild(node: BinaryNode, tag: string): BinaryNode {
  const flip = (child: BinaryNode): BinaryNode => {
    if (child.tag === tag && child.content instanceof Uint8Array) {
      const bytes = Buffer.from(child.content)
      bytes[0]! ^= 0xff
      return { ...child, content: bytes }
    }
    return Array.isArray(child.content) ? { ...child, content: child.content.map(flip) } : child
  }
  return Array.isArray(node.content) ? { ...node, content: node.content.map(flip) } : node
}

describe('linking a phone with a passkey', () => {
  it('QR, then the passkey step: the adv secret rotates, the codes match, it connects and messages', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion()
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    await c.recorder.next('required')
    // The rotated adv secret is in the saved creds before pair-success, which is checked against it.
    expect(c.qr).not.toContain(c.store.savedCreds()!.advSecretKey)
    const account = await completePasskeyStep(c, phone, passkey, linked)
    expect(account.jid).toBe(`${phone}@s.whatsapp.net`)
    expect(c.store.savedCreds()!.me?.id).toBe(`${phone}:${account.device}@s.whatsapp.net`)
    await provesConnected(c, account)
  })

  it('code, then the passkey step: connects and messages', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion()
    const code = await c.sock.requestPairingCode(phone)
    const linked = linking(suite.sim.enterLinkCode(phone, code))
    const account = await completePasskeyStep(c, phone, passkey, linked)
    expect(devicesOf(phone)).toBe(1)
    await provesConnected(c, account)
  })

  it('through the admin API: POST /scan answers { passkey: "required" } at once, the linking goes on to device-linked', async () => {
    const { phone, passkey } = passkeyPhone()
    const admin = await startSimulatorAdmin(suite.sim)
    try {
      const c = await companion()
      const ask = (path: string, body?: unknown) =>
        fetch(`${admin.url}${path}`, { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined }).then(async (r) => ({ status: r.status, json: await r.json() }))
      const deviceLinked = new Promise<PairedAccount>((resolve) => suite.sim.events.once('device-linked', resolve))
      expect(await ask('/scan', { qr: c.qr, phone })).toEqual({ status: 200, json: { passkey: 'required' } })
      const { options } = await c.recorder.next('required')
      await c.linker.respond(passkey.assert(options))
      const { code } = await c.recorder.next('confirm')
      expect(await ask(`/passkey/confirmation?phone=${phone}`)).toEqual({ status: 200, json: { code } })
      const restarted = waitForClose(c.sock)
      await c.linker.confirm()
      expect(await deviceLinked).toMatchObject({ jid: `${phone}@s.whatsapp.net` })
      expect(await restarted).toBe(515)
    } finally {
      await admin.close()
    }
  })

  it('without the hand-off proof (its key expired): the step goes on, and the code is still shown', async () => {
    const { phone, passkey } = passkeyPhone()
    let companionClock = Date.now()
    const c = await companion({ linking: { now: () => companionClock } })
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    companionClock += 5 * 60_000
    await c.linker.respond(passkey.assert(options))
    const confirm = await c.recorder.next('confirm')
    expect(confirm.handoffProven).toBe(false)
    expect(confirm.code).toBe(suite.sim.passkeyConfirmation(phone))
    await c.linker.confirm()
    expect(await linked).toMatchObject({ jid: `${phone}@s.whatsapp.net` })
  })

  it('a phone without a passkey pairs exactly as before: no step is shown', async () => {
    const c = await companion()
    const restarted = waitForClose(c.sock)
    const account = await suite.sim.scanQr(c.qr, { phone: '4915299999999' })
    expect(await restarted).toBe(515)
    expect(c.recorder.steps).toEqual([])
    expect(c.store.savedCreds()!.me?.id).toBe(`4915299999999:${account.device}@s.whatsapp.net`)
    await provesConnected(c, account)
  })
})

describe('a passkey step that fails links nothing', () => {
  it('an assertion signed with another key: signature-invalid', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion()
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    await expect(c.linker.respond(passkey.assert(options, { signWith: stranger }))).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('signature-invalid') })
    await expect(linked).rejects.toMatchObject({ check: 'signature-invalid' })
    expect(c.linker.step()).toBeNull()
    expectNothingLinked(c, phone)
  })

  it('a replayed assertion (challenge-mismatch), then a counter that did not grow (counter-not-increased), then a new attempt on the same socket links', async () => {
    const { phone, passkey } = passkeyPhone()
    const first = await companion()
    const firstLinked = linking(suite.sim.scanQr(first.qr, { phone }))
    const { options } = await first.recorder.next('required')
    const used = passkey.assert(options)
    await first.linker.respond(used)
    await first.recorder.next('confirm')
    await first.linker.confirm()
    await firstLinked
    expect(devicesOf(phone)).toBe(1)

    const second = await companion()
    const replayed = linking(suite.sim.scanQr(second.qr, { phone }))
    await second.recorder.next('required')
    await expect(second.linker.respond(used)).rejects.toThrow(/challenge-mismatch/)
    await expect(replayed).rejects.toMatchObject({ check: 'challenge-mismatch' })

    const before = second.recorder.steps.length
    const again = linking(suite.sim.scanQr(second.qr, { phone }))
    const fresh = await second.recorder.next('required', before)
    await expect(second.linker.respond(passkey.assert(fresh.options, { counter: 1 }))).rejects.toThrow(/counter-not-increased/)
    await expect(again).rejects.toMatchObject({ check: 'counter-not-increased' })
    expect(devicesOf(phone)).toBe(1)
    expect(second.store.savedCreds()!.me).toBeUndefined()

    const after = second.recorder.steps.length
    const last = linking(suite.sim.scanQr(second.qr, { phone }))
    await completePasskeyStep(second, phone, passkey, last, after)
    expect(devicesOf(phone)).toBe(2)
  })

  it('a challenge answered after its timeout: challenge-expired', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion()
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    expect(options.timeout).toBe(60_000)
    clock += 60_001
    try {
      await expect(c.linker.respond(passkey.assert(options))).rejects.toThrow(/challenge-expired/)
    } finally {
      clock -= 60_001
    }
    await expect(linked).rejects.toMatchObject({ check: 'challenge-expired' })
    expectNothingLinked(c, phone)
  })

  it('a nonce that does not open the commitment: commitment-mismatch', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion({ wrap: (sock) => ({ ...socketParts(sock), query: (node, timeoutMs) => sock.query(spoilChild(node, 'companion_nonce'), timeoutMs) }) })
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    await c.linker.respond(passkey.assert(options))
    const error = await c.recorder.nextError()
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('commitment-mismatch') })
    await expect(linked).rejects.toMatchObject({ check: 'commitment-mismatch' })
    expect(c.linker.step()).toBeNull()
    expect(() => suite.sim.passkeyConfirmation(phone)).toThrow(/no passkey confirmation code/)
    expectNothingLinked(c, phone)
  })

  it('a hand-off proof that does not match the scanned adv secret: handoff-proof-invalid', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion({ wrap: (sock) => ({ ...socketParts(sock), query: (node, timeoutMs) => sock.query(spoilChild(node, 'pairing_handoff_proof'), timeoutMs) }) })
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    await expect(c.linker.respond(passkey.assert(options))).rejects.toThrow(/handoff-proof-invalid/)
    await expect(linked).rejects.toMatchObject({ check: 'handoff-proof-invalid' })
    expectNothingLinked(c, phone)
  })

  it('cancelled at the confirmation code: nothing is sent, the companion leaves, nothing is linked', async () => {
    const { phone, passkey } = passkeyPhone()
    const c = await companion()
    const linked = linking(suite.sim.scanQr(c.qr, { phone }))
    const { options } = await c.recorder.next('required')
    await c.linker.respond(passkey.assert(options))
    await c.recorder.next('confirm')
    c.linker.cancel()
    expect(c.recorder.steps.at(-1)).toBeNull()
    await expect(c.linker.confirm()).rejects.toMatchObject({ code: 'conflict' })
    await expect(c.linker.respond(passkey.assert(options))).rejects.toMatchObject({ code: 'conflict' })
    await closeSocket(c.sock)
    await expect(linked).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('disconnected during the passkey step') })
    expectNothingLinked(c, phone)
  })
})

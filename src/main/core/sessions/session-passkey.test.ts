// The passkey check through the app: a real core (encrypted SQLite, real Baileys, the session manager
// and its commands) against the simulator, whose phones with a passkey ask for the check after the scan
// or the code. QR then passkey and code then passkey each end connected and exchange texts; a wrong key,
// a replayed assertion, a stale challenge, a wrong commitment and a cancel each end with the check named
// and nothing linked; a phone without a passkey pairs as before. Assertions are signed here with
// node:crypto (the simulator's software passkey), as a browser builds them.

import { generateKeyPairSync } from 'node:crypto'
import makeWASocket, { type BinaryNode } from '@whiskeysockets/baileys'
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest'
import type { ActivityEntry, CommandName, CommandOutput, PairingState, ReceivedMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { parseCeremonyUrl } from '../../../shared/passkey-ceremony'
import { localCaller } from '../access/caller'
import { createSoftPasskey, type PairedAccount, type SoftPasskey } from '../../../../test/support/baileys-clients'
import { statusesSince, useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'

/** The simulator's clock runs this far ahead of the real one (a stale challenge). */
let skew = 0
/** Rewrites the IQs the companions send (a wrong commitment). */
let tamper: ((node: BinaryNode) => BinaryNode) | null = null

const world = useSessionsWorld(
  { beforeAll, afterAll },
  {
    // The default five minutes: longer than the pairing window, so the window decides the deadline.
    simulator: { now: () => Date.now() + skew },
    makeSocket: (config) => {
      const sock = makeWASocket(config)
      const query = sock.query
      sock.query = (node, timeoutMs) => query(tamper ? tamper(node) : node, timeoutMs)
      return sock
    },
  },
)

afterEach(() => {
  skew = 0
  tamper = null
})

let phoneSeq = 0
function passkeyPhone(): { phone: string; passkey: SoftPasskey } {
  const phone = `4915300000${String(++phoneSeq).padStart(3, '0')}`
  const passkey = createSoftPasskey()
  world.sim.registerPasskey(phone, passkey.registration)
  return { phone, passkey }
}

async function call<C extends CommandName>(command: C, input: unknown): Promise<CommandOutput<C>> {
  const result = await world.core.dispatch(command, input, localCaller('ui'))
  if (!result.ok) throw Object.assign(new Error(`${command}: ${result.error.code}: ${result.error.message}`), result.error)
  return result.value as CommandOutput<C>
}

/** The first pairing state of `id` since `since` that shows the passkey check in `phase`. */
async function passkeyState(id: AccountId, phase: 'required' | 'confirm', since: number): Promise<PairingState> {
  const message = await world.events.next((m) => m.event === 'accounts:qr' && m.payload.id === id && m.payload.passkey?.phase === phase, {
    since,
    what: `the passkey check of ${id} in phase ${phase}`,
  })
  return message.payload as PairingState
}

/** The first pairing state of `id` since `since` that names a failed passkey check. */
async function passkeyFailure(id: AccountId, since: number): Promise<PairingState> {
  const message = await world.events.next((m) => m.event === 'accounts:qr' && m.payload.id === id && m.payload.passkeyError !== null, { since, what: `a failed passkey check of ${id}` })
  return message.payload as PairingState
}

/** The phone's side of a linking: handled at once, since it may fail before the test awaits it. */
function linking(link: Promise<PairedAccount>): Promise<PairedAccount> {
  link.catch(() => {})
  return link
}

function devicesOf(phone: string): number {
  return world.sim.accounts().find((a) => a.jid === `${phone}@s.whatsapp.net`)?.devices.length ?? 0
}

/** An account showing its first QR code, and that QR's pairing state. */
async function showingQr(label: string): Promise<{ id: AccountId; since: number; first: PairingState }> {
  const since = world.events.mark()
  const added = await world.core.sessions.add(label)
  const first = await world.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null, { since, what: 'the first QR code' })
  return { id: added.id, since, first: first.payload as PairingState }
}

/** Nothing linked and no pairing credentials kept: the device is unknown to WhatsApp, the creds hold no account. */
async function expectNothingLinked(id: AccountId, phone: string, qr?: string): Promise<void> {
  expect(devicesOf(phone)).toBe(0)
  const summary = world.core.sessions.list().find((a) => a.id === id)!
  expect(summary).toMatchObject({ status: 'pairing', pairedAt: null, phone: null })
  const creds = await world.core.stores.open(id).loadCreds()
  expect(creds?.account).toBeUndefined()
  // The adv secret the check replaced is back: the QR on screen still matches the creds.
  if (qr) expect(qr).toContain(`,${creds!.advSecretKey},`)
}

/** Answers the check, compares the codes, confirms, and waits until connected. */
async function completeCheck(id: AccountId, phone: string, passkey: SoftPasskey, since: number, linked: Promise<PairedAccount>): Promise<void> {
  const required = await passkeyState(id, 'required', since)
  if (required.passkey?.phase !== 'required') throw new Error('unreachable')
  const answered = await call('accounts:passkey-response', { id, credential: passkey.assert(required.passkey.options) })
  const shown = answered.passkey?.phase === 'confirm' ? answered : await passkeyState(id, 'confirm', since)
  expect(shown).toMatchObject({ method: 'passkey', status: 'pairing', qr: null, code: null, passkey: { phase: 'confirm', code: world.sim.passkeyConfirmation(phone) } })
  // The app stops here until a person confirms: WhatsApp has linked nothing yet.
  expect(devicesOf(phone)).toBe(0)
  const confirmed = await call('accounts:passkey-confirm', { id })
  expect(confirmed).toMatchObject({ passkey: null, passkeyError: null })
  await linked
  await waitForStatus(world.core, world.events, id, 'connected', { since })
}

/** A text each way between `id` and a plain account of the same app. */
async function exchangesTexts(id: AccountId): Promise<void> {
  const peer = await world.pair(`Peer of ${id}`)
  const mine = world.core.sessions.list().find((a) => a.id === id)!
  for (const [from, to, text] of [
    [id, peer, 'sent after a passkey check'],
    [peer.id, { id, phone: mine.phone! }, 'and received'],
  ] as const) {
    const since = world.events.mark()
    await call('accounts:send-text', { id: from, to: `+${to.phone}`, text })
    const arrived = await world.events.next((m) => m.event === 'accounts:message' && m.payload.account === to.id && m.payload.text === text, { since, what: `"${text}"` })
    expect((arrived.payload as ReceivedMessage).text).toBe(text)
  }
}

async function activityOf(id: AccountId): Promise<string[]> {
  const entries: ActivityEntry[] = await world.core.activity.list(id, 50)
  return entries.map((e) => e.message).reverse()
}

describe('pairing a phone that needs a passkey', () => {
  it('QR, then the passkey check: the state shows it, the codes match, it connects and exchanges texts', async () => {
    const { id, since, first } = await showingQr('Passkey by QR')
    const { phone, passkey } = passkeyPhone()
    const linked = linking(world.sim.scanQr(first.qr!, { phone }))
    const required = await passkeyState(id, 'required', since)
    // The earlier of the challenge's expiry (5 min) and the pairing window (160 s after the first QR).
    const windowEnd = first.expiresAt! - 60_000 + 160_000
    expect(required).toMatchObject({ method: 'passkey', qr: null, code: null, expiresAt: windowEnd, passkeyError: null, status: 'pairing' })
    expect(required.passkey).toMatchObject({
      phase: 'required',
      expiresAt: windowEnd,
      options: { rpId: 'whatsapp.com', userVerification: 'required', allowCredentials: [{ id: passkey.credentialId, type: 'public-key' }] },
    })
    if (required.passkey?.phase !== 'required') throw new Error('unreachable')
    expect(required.passkey.options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // A desktop core: the link names no server.
    expect(parseCeremonyUrl(required.passkey.ceremonyUrl)).toEqual({ token: expect.stringMatching(new RegExp(`^${id}\\.[A-Za-z0-9_-]{43}$`)), server: null })
    expect(world.core.sessions.pairing(id)).toEqual(required)

    await completeCheck(id, phone, passkey, since, linked)
    expect(world.core.sessions.list().find((a) => a.id === id)?.phone).toBe(phone)
    expect(world.core.sessions.pairing(id)).toMatchObject({ passkey: null, method: 'qr' })
    await exchangesTexts(id)
    expect(await activityOf(id)).toEqual(
      expect.arrayContaining([
        'WhatsApp asks for a passkey check before it links this device',
        'Answer the passkey check: done',
        'Passkey accepted; showing the confirmation code to compare with the phone',
        'Confirm the passkey code matches the phone: done',
        `Paired as +${phone}`,
      ]),
    )
  })

  it('code, then the passkey check: connects and exchanges texts', async () => {
    const { id, since } = await showingQr('Passkey by code')
    const { phone, passkey } = passkeyPhone()
    const { code } = await call('accounts:pair-code', { id, phone: `+${phone}` })
    const linked = linking(world.sim.enterLinkCode(phone, code))
    const required = await passkeyState(id, 'required', since)
    // The typed code is used up; the phone stays named.
    expect(required).toMatchObject({ method: 'passkey', code: null, phone })
    await completeCheck(id, phone, passkey, since, linked)
    expect(world.core.sessions.pairing(id)).toMatchObject({ passkey: null, method: 'code' })
    await exchangesTexts(id)
  })

  it('the demo: simulator:scan with a passkey phone answers at once, simulator:authenticate plays the authenticator', async () => {
    const { id, since } = await showingQr('Passkey demo')
    expect(await call('simulator:scan', { id, passkey: true })).toEqual({ passkey: 'required' })
    await passkeyState(id, 'required', since)
    const answered = await call('simulator:authenticate', { id })
    const code = answered.passkey?.phase === 'confirm' ? answered.passkey.code : ((await passkeyState(id, 'confirm', since)).passkey as { code: string }).code
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/)
    await call('accounts:passkey-confirm', { id })
    const connected = await waitForStatus(world.core, world.events, id, 'connected', { since })
    expect(world.sim.passkeyConfirmation(connected.phone!)).toBe(code)
  })

  it('a phone without a passkey pairs exactly as before: no check, no passkey state, no passkey lines', async () => {
    const { id, since, first } = await showingQr('No passkey')
    await world.sim.scanQr(first.qr!, { phone: '4915399999999' })
    await waitForStatus(world.core, world.events, id, 'connected', { since })
    expect(statusesSince(world.events, id, since)).toEqual(['new', 'connecting', 'pairing', 'connecting', 'connected'])
    const states = world.events.payloads('accounts:qr', since).filter((p) => p.id === id)
    expect(states.length).toBeGreaterThan(0)
    for (const state of states) expect(state).toMatchObject({ method: 'qr', passkey: null, passkeyError: null })
    expect((await activityOf(id)).filter((line) => /passkey/i.test(line))).toEqual([])
  })
})

describe('a passkey check that fails links nothing, and a new one can start', () => {
  /** An account showing a QR, scanned by a passkey phone, in the required phase. */
  async function atChallenge(label: string): Promise<{ id: AccountId; since: number; qr: string; phone: string; passkey: SoftPasskey; linked: Promise<PairedAccount>; options: NonNullable<Extract<PairingState['passkey'], { phase: 'required' }>>['options'] }> {
    const { id, since, first } = await showingQr(label)
    const { phone, passkey } = passkeyPhone()
    const linked = linking(world.sim.scanQr(first.qr!, { phone }))
    const required = await passkeyState(id, 'required', since)
    if (required.passkey?.phase !== 'required') throw new Error('unreachable')
    return { id, since, qr: first.qr!, phone, passkey, linked, options: required.passkey.options }
  }

  it('an assertion signed with another key: signature-invalid, shown and logged', async () => {
    const c = await atChallenge('Wrong key')
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    await expect(call('accounts:passkey-response', { id: c.id, credential: c.passkey.assert(c.options, { signWith: stranger }) })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('signature-invalid'),
    })
    await expect(c.linked).rejects.toMatchObject({ check: 'signature-invalid' })
    const state = world.core.sessions.pairing(c.id)
    expect(state).toMatchObject({ passkey: null, method: 'qr', passkeyError: expect.stringContaining('signature-invalid') })
    await expectNothingLinked(c.id, c.phone, c.qr)
    expect(await activityOf(c.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Answer the passkey check: failed \(.*signature-invalid/), expect.stringMatching(/^Passkey check failed: .*signature-invalid/)]),
    )
    // A new scan of the QR on screen starts a new check, which links.
    const since = world.events.mark()
    const again = linking(world.sim.scanQr(world.core.sessions.pairing(c.id).qr!, { phone: c.phone }))
    await completeCheck(c.id, c.phone, c.passkey, since, again)
  })

  it('an assertion that was accepted once, handed in again: challenge-mismatch', async () => {
    const first = await atChallenge('Replay source')
    const used = first.passkey.assert(first.options)
    const answered = await call('accounts:passkey-response', { id: first.id, credential: used })
    if (answered.passkey?.phase !== 'confirm') await passkeyState(first.id, 'confirm', first.since)
    await call('accounts:passkey-confirm', { id: first.id })
    await first.linked

    const { id, since, first: shown } = await showingQr('Replayed')
    const linked = linking(world.sim.scanQr(shown.qr!, { phone: first.phone }))
    await passkeyState(id, 'required', since)
    await expect(call('accounts:passkey-response', { id, credential: used })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('challenge-mismatch') })
    await expect(linked).rejects.toMatchObject({ check: 'challenge-mismatch' })
    expect(world.core.sessions.pairing(id)).toMatchObject({ passkey: null, passkeyError: expect.stringContaining('challenge-mismatch') })
    expect(devicesOf(first.phone)).toBe(1)
    const creds = await world.core.stores.open(id).loadCreds()
    expect(creds?.account).toBeUndefined()
    expect(shown.qr).toContain(`,${creds!.advSecretKey},`)
  })

  it('a challenge answered after its timeout: challenge-expired', async () => {
    const c = await atChallenge('Stale')
    skew = 5 * 60_000 + 1
    await expect(call('accounts:passkey-response', { id: c.id, credential: c.passkey.assert(c.options) })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('challenge-expired'),
    })
    await expect(c.linked).rejects.toMatchObject({ check: 'challenge-expired' })
    await expectNothingLinked(c.id, c.phone, c.qr)
  })

  it('a nonce that does not open the commitment: commitment-mismatch, from the answer that waited for it', async () => {
    const c = await atChallenge('Wrong commitment')
    tamper = (node) => flipChild(node, 'companion_nonce')
    await expect(call('accounts:passkey-response', { id: c.id, credential: c.passkey.assert(c.options) })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('commitment-mismatch'),
    })
    await expect(c.linked).rejects.toMatchObject({ check: 'commitment-mismatch' })
    const failed = await passkeyFailure(c.id, c.since)
    expect(failed).toMatchObject({ passkey: null, passkeyError: expect.stringContaining('commitment-mismatch') })
    await expectNothingLinked(c.id, c.phone, c.qr)
  })

  it('cancelled at the confirmation code: nothing is sent, nothing linked; a new scan links', async () => {
    const c = await atChallenge('Cancelled')
    await call('accounts:passkey-response', { id: c.id, credential: c.passkey.assert(c.options) })
    const confirm = await passkeyState(c.id, 'confirm', c.since)
    expect(confirm.passkey).toEqual({ phase: 'confirm', code: world.sim.passkeyConfirmation(c.phone) })
    const cancelled = await call('accounts:passkey-cancel', { id: c.id })
    expect(cancelled).toMatchObject({ passkey: null, passkeyError: null, method: 'qr', status: 'pairing' })
    await expect(call('accounts:passkey-confirm', { id: c.id })).rejects.toMatchObject({ code: 'conflict' })
    await expect(call('accounts:passkey-cancel', { id: c.id })).rejects.toMatchObject({ code: 'conflict' })
    await expect(call('accounts:passkey-response', { id: c.id, credential: c.passkey.assert(c.options) })).rejects.toMatchObject({ code: 'conflict' })
    await expectNothingLinked(c.id, c.phone, c.qr)
    expect(await activityOf(c.id)).toContain('Cancel the passkey check: done')

    // The phone's side is still open (no cancel message is known); a new scan replaces it.
    const since = world.events.mark()
    const again = linking(world.sim.scanQr(world.core.sessions.pairing(c.id).qr!, { phone: c.phone }))
    await expect(c.linked).rejects.toMatchObject({ code: 'conflict' })
    await completeCheck(c.id, c.phone, c.passkey, since, again)
  })

  it('an answer that is not an assertion is refused and the check stays, with a fresh link', async () => {
    const c = await atChallenge('Not an assertion')
    const before = world.core.sessions.pairing(c.id)
    const good = c.passkey.assert(c.options)
    await expect(call('accounts:passkey-response', { id: c.id, credential: { ...good, response: { ...good.response, signature: 'not base64url!' } } })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('signature'),
    })
    // Refused by the contract before anything ran: the same check, the same link.
    expect(world.core.sessions.pairing(c.id)).toEqual(before)
    const short = { ...good, response: { ...good.response, authenticatorData: 'AAAA' } }
    await expect(call('accounts:passkey-response', { id: c.id, credential: short })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('authenticatorData') })
    expect(world.core.sessions.pairing(c.id)).toEqual(before)
    await expect(call('accounts:passkey-response', { id: c.id, credential: good })).resolves.toMatchObject({ method: 'passkey' })
    await call('accounts:passkey-cancel', { id: c.id })
  })
})

/** The IQ with the first byte of its `tag` child (at any depth) flipped. */
function flipChild(node: BinaryNode, tag: string): BinaryNode {
  const flip = (child: BinaryNode): BinaryNode => {
    if (child.tag === tag && child.content instanceof Uint8Array) {
      const bytes = Buffer.from(child.content)
      bytes[0]! ^= 0xff
      return { ...child, content: bytes }
    }
    return Array.isArray(child.content) ? { ...child, content: child.content.map(flip) } : child
  }
  return flip(node)
}


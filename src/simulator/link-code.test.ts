// Pairing by code with real, unmodified Baileys: the simulator plays the phone on which a person types
// the code (companion_hello, the primary's notification, companion_finish, pair-success keyed by the
// derived ADV secret). Wrong, expired, replaced and misdirected codes pair nothing.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulatorAdmin } from './admin.js'
import { normaliseLinkCode, unwrapKey, wrapKey } from './link-code.js'
import type { WASocket } from '@whiskeysockets/baileys'
import { closeSocket, createTestSocket, MemoryAuthStore, pairClientByCode, useSimulator, waitForClose, waitForOpen, waitForQr } from '../../test/support/baileys-clients.js'

let clock = Date.now()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { now: () => clock, linkCodeTtlMs: 60_000, linkCodeGraceMs: 200 })

function hasAccount(phone: string): boolean {
  return suite.sim.accounts().some((a) => a.jid === `${phone}@s.whatsapp.net`)
}

/** Asks for a code on `sock` and resolves once the simulator has the request (the hello arrived). */
async function requestCode(sock: WASocket, phone: string): Promise<string> {
  const arrived = new Promise<void>((resolve) => {
    const onRequest = (event: { phone: string }): void => {
      if (event.phone !== phone) return
      suite.sim.events.off('link-code-requested', onRequest)
      resolve()
    }
    suite.sim.events.on('link-code-requested', onRequest)
  })
  const code = await sock.requestPairingCode(phone)
  await arrived
  return code
}

/** A registered companion that asked for a code for `phone`. */
async function companionWithCode(phone: string, store = new MemoryAuthStore()) {
  const sock = suite.track(createTestSocket(suite.sim, store))
  await waitForQr(sock)
  return { sock, store, code: await requestCode(sock, phone) }
}

describe('link codes: the phone side', () => {
  it('wraps and unwraps a key under a code, and normalises what a person types', async () => {
    const key = Buffer.alloc(32, 7)
    const wrapped = await wrapKey('ABCD2345', key)
    expect(wrapped).toHaveLength(80)
    expect(await unwrapKey('ABCD2345', wrapped)).toEqual(key)
    expect(await unwrapKey('ABCD2346', wrapped)).not.toEqual(key)
    expect(normaliseLinkCode(' abcd-2345 ')).toBe('ABCD2345')
    expect(() => normaliseLinkCode('ABCD-234')).toThrow(/8 letters and digits/)
    expect(() => normaliseLinkCode('ABCD-234O')).toThrow(/8 letters and digits/)
  })
})

describe('pairing by code with Baileys', () => {
  it('pairs with the code typed in lower case with its dash, restarts on 515 and logs in again from saved creds', async () => {
    const typedAsShown = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase()
    const paired = await pairClientByCode(suite.sim, '4915110000001', new MemoryAuthStore(), typedAsShown)
    suite.track(paired.sock)
    expect(paired.code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/)
    expect(paired.account.jid).toBe('4915110000001@s.whatsapp.net')
    const creds = paired.store.savedCreds()!
    expect(creds.me?.id).toBe(`4915110000001:${paired.account.device}@s.whatsapp.net`)
    expect(creds.account?.accountSignatureKey).toBeTruthy()

    await closeSocket(paired.sock)
    const again = suite.track(createTestSocket(suite.sim, paired.store))
    let sawQr = false
    again.ev.on('connection.update', (u) => void (u.qr && (sawQr = true)))
    await waitForOpen(again)
    expect(sawQr).toBe(false)
    expect(suite.sim.accounts().find((a) => a.jid === paired.account.jid)?.devices[0]?.connected).toBe(true)
  })

  it('refuses a wrong code, pairs nothing, and still takes the right code afterwards', async () => {
    const phone = '4915110000002'
    const { sock, code } = await companionWithCode(phone)
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`
    await expect(suite.sim.enterLinkCode(phone, wrong)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/code is wrong/) })
    expect(hasAccount(phone)).toBe(false)

    const closed = waitForClose(sock)
    const account = await suite.sim.enterLinkCode(phone, code)
    expect(await closed).toBe(515)
    expect(account.jid).toBe(`${phone}@s.whatsapp.net`)
  })

  it('replaces the old code with a new one for the same companion', async () => {
    const phone = '4915110000003'
    const { sock, code: first } = await companionWithCode(phone)
    const second = await requestCode(sock, phone)
    expect(second).not.toBe(first)
    await expect(suite.sim.enterLinkCode(phone, first)).rejects.toMatchObject({ code: 'invalid-input' })
    const closed = waitForClose(sock)
    await suite.sim.enterLinkCode(phone, second)
    expect(await closed).toBe(515)
  })

  it('does not pair when the code is typed on another phone than the one it was asked for', async () => {
    const { code } = await companionWithCode('4915110000004')
    await expect(suite.sim.enterLinkCode('4915110000005', code)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/No companion asked for a code for \+4915110000005/),
    })
    expect(hasAccount('4915110000004')).toBe(false)
    expect(hasAccount('4915110000005')).toBe(false)
  })

  it('refuses an expired code, and pairs with a new one', async () => {
    const phone = '4915110000006'
    const { sock, code } = await companionWithCode(phone)
    clock += 60_001
    await expect(suite.sim.enterLinkCode(phone, code)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/expired/) })
    expect(hasAccount(phone)).toBe(false)

    const fresh = await requestCode(sock, phone)
    const closed = waitForClose(sock)
    await suite.sim.enterLinkCode(phone, fresh)
    expect(await closed).toBe(515)
  })

  it('answers POST /link-code with 200, and 400, 404 or 409 with a clear message', async () => {
    const admin = await startSimulatorAdmin(suite.sim)
    try {
      const post = async (body: unknown) => {
        const res = await fetch(`${admin.url}/link-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        return { status: res.status, body: (await res.json()) as { error?: { message: string }; jid?: string } }
      }
      expect(await post({ phone: '+49 151 1000 0007' })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/code/) } } })
      expect(await post({ phone: 'abc', code: 'ABCD-2345' })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/5 to 15 digits/) } } })
      expect(await post({ phone: '+49 151 1000 0007', code: 'ABCD-2345' })).toMatchObject({ status: 404 })

      const { sock, code } = await companionWithCode('4915110000007')
      expect(await post({ phone: '+49 151-1000-0007', code: 'ZZZZ-ZZZZ' === code ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ' })).toMatchObject({ status: 400 })
      const closed = waitForClose(sock)
      expect(await post({ phone: '+49 151-1000-0007', code })).toMatchObject({ status: 200, body: { jid: '4915110000007@s.whatsapp.net' } })
      expect(await closed).toBe(515)
      expect(await post({ phone: '4915110000007', code })).toMatchObject({ status: 404 })

      const other = await companionWithCode('4915110000008')
      clock += 60_001
      expect(await post({ phone: '4915110000008', code: other.code })).toMatchObject({ status: 409, body: { error: { message: expect.stringMatching(/expired/) } } })
    } finally {
      await admin.close()
    }
  })
})

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../shared/errors.js'
import { captureLogger, closeSocket, createTestSocket, MemoryAuthStore, pairClient, useSimulator, waitForClose, waitForOpen, waitForQr } from '../../test/support/baileys-clients.js'

const log = captureLogger()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger })

describe('QR pairing and login', () => {
  it('pairs two accounts by QR, restarts on 515 and opens', async () => {
    const a = await pairClient(suite.sim, { name: 'Alice' })
    suite.track(a.sock)
    const b = await pairClient(suite.sim)
    suite.track(b.sock)
    const credsA = a.store.savedCreds()!
    expect(a.qr).toContain(Buffer.from(credsA.noiseKey.public).toString('base64'))
    expect(a.qr).toContain(Buffer.from(credsA.signedIdentityKey.public).toString('base64'))
    expect(a.qr).toContain(credsA.advSecretKey)
    expect(a.account.jid).toBe('15550000001@s.whatsapp.net')
    expect(b.account.jid).toBe('15550000002@s.whatsapp.net')
    expect(credsA.me?.id).toBe(`15550000001:${a.account.device}@s.whatsapp.net`)
    expect(credsA.me?.lid?.split(':')[0]).toBe(a.account.lid.split('@')[0])
    const listed = suite.sim.accounts()
    expect(listed.map((x) => x.jid)).toEqual([a.account.jid, b.account.jid])
    expect(listed.every((x) => x.devices.length === 1 && x.devices[0]!.connected)).toBe(true)
  })

  it('logs in again from saved creds without pairing', async () => {
    const a = await pairClient(suite.sim, { phone: '4915112345678' })
    await closeSocket(a.sock)
    expect(suite.sim.accounts().find((x) => x.jid === a.account.jid)?.devices[0]?.connected).toBe(false)
    let sawQr = false
    const payloadsBefore = log.entries.filter((e) => e.msg === 'client payload').length
    const again = suite.track(createTestSocket(suite.sim, a.store))
    again.ev.on('connection.update', (u) => {
      if (u.qr) sawQr = true
    })
    await waitForOpen(again)
    expect(sawQr).toBe(false)
    // The first login handed out edge routing info, so Baileys opened this one with the ED preamble.
    expect(a.store.savedCreds()?.routingInfo).toBeTruthy()
    const payloads = log.entries.filter((e) => e.msg === 'client payload')
    expect(payloads.length).toBe(payloadsBefore + 1)
    expect(payloads.at(-1)?.data?.routingInfo).toMatch(/^sim-\d+$/)
    expect(suite.sim.accounts().find((x) => x.jid === '4915112345678@s.whatsapp.net')?.devices[0]?.connected).toBe(true)
  })

  it('rotates QR refs and refuses a QR whose keys do not match the waiting companion', async () => {
    const store = new MemoryAuthStore()
    const sock = suite.track(createTestSocket(suite.sim, store, { qrTimeout: 300 }))
    const first = await waitForQr(sock)
    const second = await waitForQr(sock)
    const ref = (qr: string) => qr.split('#')[1]!.split(',')[0]
    expect(ref(second)).not.toBe(ref(first))

    const fields = second.split(',')
    fields[1] = Buffer.alloc(32, 9).toString('base64')
    let caught: unknown
    try {
      await suite.sim.scanQr(fields.join(','))
    } catch (err) {
      caught = err
    }
    expect(isAppError(caught) && caught.code).toBe('invalid-input')

    const restarted = waitForClose(sock)
    const account = await suite.sim.scanQr(second)
    expect(await restarted).toBe(515)
    const again = suite.track(createTestSocket(suite.sim, store))
    await waitForOpen(again)
    expect(store.savedCreds()?.me?.id).toBe(`${account.jid.split('@')[0]}:${account.device}@s.whatsapp.net`)
  })
})

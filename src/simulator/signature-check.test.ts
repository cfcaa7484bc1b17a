// Real Baileys against the simulator: with signature checks enforced, a certificate chain rooted in a
// key this process does not trust is refused during the handshake, and a trusted one is accepted.

import { randomBytes } from 'node:crypto'
import { Browsers, Curve, makeWASocket, type WASocket } from '@whiskeysockets/baileys'
import pino from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from './index'
import { closeSocket, disconnectCode, MemoryAuthStore, waitForQr } from '../../test/support/baileys-clients'
import { enforceSignatureChecks, restoreDefaultRoot, trustWhatsAppRoot } from '../whatsapp-protocol/trust-root'

let sim: Simulator
const sockets: WASocket[] = []

beforeAll(async () => {
  enforceSignatureChecks()
  sim = await startSimulator({ port: 0 })
})
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => closeSocket(s)))
  restoreDefaultRoot()
})
afterAll(() => sim.close())

function connect(): WASocket {
  const sock = makeWASocket({
    waWebSocketUrl: sim.url,
    auth: new MemoryAuthStore().load().state,
    logger: pino({ level: 'silent' }),
    browser: Browsers.ubuntu('Chrome'),
    markOnlineOnConnect: false,
  })
  sockets.push(sock)
  return sock
}

describe('signature checks', () => {
  it('reject a forged signature and accept a real one', () => {
    const key = Curve.generateKeyPair()
    const message = Buffer.from('certificate details')
    expect(Curve.verify(key.public, message, Curve.sign(key.private, message))).toBe(true)
    expect(Curve.verify(key.public, message, randomBytes(64))).toBe(false)
    expect(Curve.verify(Curve.generateKeyPair().public, message, Curve.sign(key.private, message))).toBe(false)
  })

  it('refuse a server whose certificate chain is not rooted in a trusted key', async () => {
    const sock = connect()
    const outcome = await new Promise<{ qr?: string; code?: number }>((resolve) => {
      sock.ev.on('connection.update', (update) => {
        if (update.qr) resolve({ qr: update.qr })
        if (update.connection === 'close') resolve({ code: disconnectCode(update) })
      })
    })
    expect(outcome.qr).toBeUndefined()
    expect(outcome.code).toBeDefined()
  })

  it('accept the simulator once its root is trusted', async () => {
    trustWhatsAppRoot(sim.rootKeyHex)
    const qr = await waitForQr(connect())
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/)
  })
})

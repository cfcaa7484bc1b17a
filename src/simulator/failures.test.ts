import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Curve, DisconnectReason, initAuthCreds, type WASocket } from '@whiskeysockets/baileys'
import type { KickCode } from './simulator.js'
import {
  closeSocket,
  createTestSocket,
  captureLogger,
  MemoryAuthStore,
  nextMessage,
  pairClient,
  textOf,
  useSimulator,
  waitForClose,
  waitForOpen,
  type PairedClient,
} from '../../test/support/baileys-clients.js'

const log = captureLogger()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger })

async function paired(): Promise<PairedClient> {
  const client = await pairClient(suite.sim)
  suite.track(client.sock)
  return client
}

function open(store: MemoryAuthStore): WASocket {
  return suite.track(createTestSocket(suite.sim, store))
}

describe('login failures', () => {
  it('answers an unknown device with failure 401', async () => {
    const store = new MemoryAuthStore()
    const creds = initAuthCreds()
    creds.me = { id: '19990000001:3@s.whatsapp.net', name: 'nobody' }
    store.replaceCreds(creds)
    expect(await waitForClose(open(store))).toBe(DisconnectReason.loggedOut)
  })

  it('answers a known device with the wrong noise key with failure 401', async () => {
    const a = await paired()
    await closeSocket(a.sock)
    const forged = a.store.clone()
    forged.replaceCreds({ ...forged.savedCreds()!, noiseKey: Curve.generateKeyPair() })
    expect(await waitForClose(open(forged))).toBe(DisconnectReason.loggedOut)
    // The genuine creds are unaffected.
    await waitForOpen(open(a.store))
  })

  it('sends conflict (440) to the older connection when the same device logs in again', async () => {
    const a = await paired()
    const firstClosed = waitForClose(a.sock)
    const replaced = once(suite.sim.events, 'replaced')
    const second = open(a.store.clone())
    await waitForOpen(second)
    expect(await firstClosed).toBe(DisconnectReason.connectionReplaced)
    // Said as an event too, so a test can watch for a second copy of a session.
    expect(await replaced).toEqual([{ jid: a.account.jid, device: a.account.device }])
    expect(suite.sim.accounts().find((x) => x.jid === a.account.jid)?.devices[0]?.connected).toBe(true)
  })

  it('logs a device out when it asks to be removed, and refuses it afterwards', async () => {
    const a = await paired()
    const removed = once(suite.sim.events, 'device-removed')
    await a.sock.logout()
    expect(await removed).toEqual([{ jid: a.account.jid, device: a.account.device }])
    expect(suite.sim.accounts().find((x) => x.jid === a.account.jid)?.devices).toEqual([])
    expect(await waitForClose(open(a.store))).toBe(DisconnectReason.loggedOut)
  })

  it('logout(jid) from the phone side ends the session with 401', async () => {
    const a = await paired()
    const closed = waitForClose(a.sock)
    expect(await suite.sim.logout(a.account.jid)).toBe(1)
    expect(await closed).toBe(DisconnectReason.loggedOut)
  })
})

describe('kick', () => {
  const cases: Array<[KickCode, number]> = [
    [401, DisconnectReason.loggedOut],
    [440, DisconnectReason.connectionReplaced],
    [515, DisconnectReason.restartRequired],
    [500, DisconnectReason.badSession],
    [503, DisconnectReason.unavailableService],
  ]
  it.each(cases)('kick with %i gives Baileys disconnect reason %i', async (code, reason) => {
    const a = await paired()
    const closed = waitForClose(a.sock)
    expect(suite.sim.kick(a.account.jid, code)).toBe(1)
    expect(await closed).toBe(reason)
    // A kick is not a logout: the device may come straight back.
    await waitForOpen(open(a.store))
  })

  it('rejects a kick for an account the simulator does not know', () => {
    expect(() => suite.sim.kick('19998887777@s.whatsapp.net', 401)).toThrow(/No simulated account/)
  })
})

describe('messaging keeps working for the others', () => {
  it('delivers between two clients after a third was kicked', async () => {
    const [a, b, c] = [await paired(), await paired(), await paired()]
    const closed = waitForClose(c.sock)
    suite.sim.kick(c.account.jid, 500)
    await closed
    const arrives = nextMessage(b.sock, (m) => textOf(m) === 'still here')
    await a.sock.sendMessage(b.account.jid, { text: 'still here' })
    await arrives
  })
})

describe('unknown IQs', () => {
  it('answers an IQ it does not know with an empty result and logs it', async () => {
    const a = await paired()
    const reply = await a.sock.query({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'sim:made-up', id: a.sock.generateMessageTag() }, content: [{ tag: 'thing', attrs: {} }] })
    expect(reply.attrs.type).toBe('result')
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'unknown iq answered with an empty result', data: expect.objectContaining({ xmlns: 'sim:made-up' }) }))
  })
})

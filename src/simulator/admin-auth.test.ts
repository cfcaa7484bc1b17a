// The simulator's guards against local users: an admin API that requires a token when it is given one
// (the headless server's --simulator mode), and connections that never finish the Noise handshake
// closed within seconds.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startSimulatorAdmin, type SimulatorAdmin } from './admin.js'
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './connection.js'
import { useSimulator } from '../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })
const TOKEN = 'Zr7kQ2mW9xT4vN8bL3pS6yH1cJ5dF0gE'
let admin: SimulatorAdmin

beforeAll(async () => {
  admin = await startSimulatorAdmin(suite.sim, { token: TOKEN })
})
afterAll(async () => {
  await admin.close()
})

async function logout(headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${admin.url}/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jid: '15550009999@s.whatsapp.net' }),
  })
  return res.status
}

describe('admin API with a token', () => {
  it('refuses requests without the token or with a wrong one (401), and answers with it', async () => {
    expect(await logout({})).toBe(401)
    expect(await logout({ authorization: 'Bearer wrong' })).toBe(401)
    expect(await logout({ authorization: TOKEN })).toBe(401)
    const list = await fetch(`${admin.url}/accounts`)
    expect(list.status).toBe(401)
    // With the token the request reaches the route: this account does not exist.
    expect(await logout({ authorization: `Bearer ${TOKEN}` })).toBe(404)
    expect((await fetch(`${admin.url}/accounts`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
  })
})

describe('handshake timeout', () => {
  /** Resolves with the ms from open to close. */
  function timeToClose(ws: WebSocket): Promise<number> {
    return new Promise((resolve) => {
      let opened = Date.now()
      ws.once('open', () => (opened = Date.now()))
      ws.once('close', () => resolve(Date.now() - opened))
      ws.once('error', () => undefined)
    })
  }

  it(`closes a connection that sends nothing, and one that stops half-way, within ${DEFAULT_HANDSHAKE_TIMEOUT_MS} ms`, async () => {
    const silent = new WebSocket(suite.sim.url)
    const partial = new WebSocket(suite.sim.url)
    // A few bytes of a frame header promising more than ever comes.
    partial.once('open', () => partial.send(Buffer.from([0x57, 0x41, 6, 3, 0, 0, 64])))
    const [a, b] = await Promise.all([timeToClose(silent), timeToClose(partial)])
    for (const ms of [a, b]) {
      expect(ms).toBeGreaterThanOrEqual(DEFAULT_HANDSHAKE_TIMEOUT_MS - 100)
      expect(ms).toBeLessThan(DEFAULT_HANDSHAKE_TIMEOUT_MS + 2_000)
    }
  }, 15_000)
})

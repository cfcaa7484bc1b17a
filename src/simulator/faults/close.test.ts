// `close` faults seen from real Baileys: each code ends the phone's live sockets the way Baileys
// reports it (`connection.update` close, `lastDisconnect.error.output.statusCode`), and what a
// reconnect meets afterwards: 401 unlinked, 403 banned until the faults are cleared, the others back.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisconnectReason, type ConnectionState, type WASocket } from '@whiskeysockets/baileys'
import { createTestSocket, DEFAULT_WAIT_MS, pairClient, useSimulator, waitForClose, waitForOpen, type PairedClient } from '../../../test/support/baileys-clients.js'
import type { FaultCloseCode } from './fault.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })

let nextPhone = 15550008001
async function paired(config: Parameters<typeof pairClient>[3] = {}): Promise<PairedClient & { phone: string }> {
  const phone = String(nextPhone++)
  const client = await pairClient(suite.sim, { phone }, undefined, config)
  suite.track(client.sock)
  return { ...client, phone }
}

/** The close Baileys reports: status code, its Boom message and data. */
function closeOf(sock: WASocket, timeoutMs = DEFAULT_WAIT_MS): Promise<{ code: number | undefined; message: string; data: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close')), timeoutMs)
    sock.ev.on('connection.update', (u: Partial<ConnectionState>) => {
      if (u.connection !== 'close') return
      clearTimeout(timer)
      const err = u.lastDisconnect?.error as { message: string; output?: { statusCode?: number }; data?: unknown } | undefined
      resolve({ code: err?.output?.statusCode, message: err?.message ?? '', data: err?.data })
    })
  })
}

describe('close faults', () => {
  const stanzaCodes: Array<[FaultCloseCode, number, string]> = [
    [440, DisconnectReason.connectionReplaced, 'Stream Errored (conflict)'],
    [500, DisconnectReason.badSession, 'Stream Errored (unknown)'],
    [503, DisconnectReason.unavailableService, 'Stream Errored (unknown)'],
    [515, DisconnectReason.restartRequired, 'Stream Errored (restart required)'],
  ]
  it.each(stanzaCodes)('close %i: Baileys closes with %i (%s) and may come straight back', async (code, reason, message) => {
    const a = await paired()
    const closed = closeOf(a.sock)
    expect(await suite.sim.injectFault({ phone: a.phone, kind: 'close', code })).toEqual({ phone: a.phone, kind: 'close', sockets: 1, until: null })
    expect(await closed).toMatchObject({ code: reason, message })
    await waitForOpen(suite.track(createTestSocket(suite.sim, a.store)))
  })

  it('close 401: the device is unlinked (stream error device_removed), so its next login fails with 401 too', async () => {
    const a = await paired()
    const closed = closeOf(a.sock)
    await suite.sim.injectFault({ phone: a.phone, kind: 'close', code: 401 })
    expect(await closed).toMatchObject({
      code: DisconnectReason.loggedOut,
      message: 'Stream Errored (conflict)',
      data: { tag: 'conflict', attrs: { type: 'device_removed' } },
    })
    expect(suite.sim.accounts().find((x) => x.jid === a.account.jid)?.devices).toEqual([])
    expect(await waitForClose(suite.track(createTestSocket(suite.sim, a.store)))).toBe(DisconnectReason.loggedOut)
  })

  it('close 403: a failure 403 now and at every login until the faults are cleared', async () => {
    const a = await paired()
    const closed = closeOf(a.sock)
    await suite.sim.injectFault({ phone: a.phone, kind: 'close', code: 403 })
    expect(await closed).toMatchObject({ code: DisconnectReason.forbidden, message: 'Connection Failure', data: { reason: '403' } })
    expect(await waitForClose(suite.track(createTestSocket(suite.sim, a.store)))).toBe(DisconnectReason.forbidden)
    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: ['close'] })
    await waitForOpen(suite.track(createTestSocket(suite.sim, a.store)))
  })

  it('close 428: the socket is dropped without a stanza, and Baileys says connection closed', async () => {
    const a = await paired()
    const closed = closeOf(a.sock)
    await suite.sim.injectFault({ phone: a.phone, kind: 'close', code: 428 })
    expect(await closed).toMatchObject({ code: DisconnectReason.connectionClosed, message: 'Connection Terminated' })
    await waitForOpen(suite.track(createTestSocket(suite.sim, a.store)))
  })

  it('close 408: the socket stalls and Baileys’ own keep-alive gives up with connection lost', async () => {
    // Baileys closes once nothing arrived for keepAliveIntervalMs + 5 s (30 + 5 s by default); a 1 s
    // interval makes that about 6 to 7 s here.
    const a = await paired({ keepAliveIntervalMs: 1000 })
    const frames: unknown[] = []
    const injected = await suite.sim.injectFault({ phone: a.phone, kind: 'close', code: 408 })
    a.sock.ws.on('frame', (frame: unknown) => frames.push(frame))
    expect(injected.sockets).toBe(1)
    const closed = await closeOf(a.sock, 12_000)
    expect(closed).toMatchObject({ code: DisconnectReason.connectionLost, message: 'Connection was lost' })
    expect(frames).toEqual([])
    // A new connection is served as usual.
    await waitForOpen(suite.track(createTestSocket(suite.sim, a.store)))
  }, 20_000)

  it('close on a phone with no live socket ends nothing and leaves no fault behind', async () => {
    const a = await paired()
    const closed = closeOf(a.sock)
    await a.sock.end(undefined)
    await closed
    expect(await suite.sim.injectFault({ phone: a.phone, kind: 'close', code: 500 })).toMatchObject({ sockets: 0 })
    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: [] })
  })
})

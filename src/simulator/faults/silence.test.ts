// `silence` faults seen from real Baileys: the phone's open sockets stay open but carry nothing (no
// frame, no answer to a ping), messages for them wait as for an offline device, and arrive when the
// silence ends, when the faults are cleared, or on a new connection, which is served as usual.

import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisconnectReason, type BinaryNode, type WASocket } from '@whiskeysockets/baileys'
import { createTestSocket, nextMessage, pairClient, textOf, useSimulator, waitForClose, waitForOpen, type PairedClient } from '../../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })

let nextPhone = 15550009001
async function paired(): Promise<PairedClient & { phone: string }> {
  const phone = String(nextPhone++)
  const client = await pairClient(suite.sim, { phone })
  suite.track(client.sock)
  return { ...client, phone }
}

/** Baileys' own keep-alive ping, with a short wait: the reply node, or what the wait ended with. */
async function ping(sock: WASocket, timeoutMs: number): Promise<BinaryNode | undefined | Error> {
  const node: BinaryNode = { tag: 'iq', attrs: { id: sock.generateMessageTag(), to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] }
  return sock.query(node, timeoutMs).catch((err: Error) => err)
}

function framesOf(sock: WASocket): unknown[] {
  const frames: unknown[] = []
  sock.ws.on('frame', (frame: unknown) => frames.push(frame))
  return frames
}

async function queued(count: number): Promise<void> {
  await expect.poll(() => suite.sim.stats().queuedStanzas, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(count)
}

describe('silence faults', () => {
  it('keeps the socket open with no frame and no ping answer; a message waits and arrives once the faults are cleared', async () => {
    const [a, b] = [await paired(), await paired()]
    const injected = await suite.sim.injectFault({ phone: a.phone, kind: 'silence', seconds: 60 })
    expect(injected).toEqual({ phone: a.phone, kind: 'silence', sockets: 1, until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(Date.parse(injected.until!) - Date.now()).toBeGreaterThan(55_000)
    const frames = framesOf(a.sock)
    let arrived = false
    const message = nextMessage(a.sock, (m) => textOf(m) === 'while you were silent', 15_000).then((m) => {
      arrived = true
      return m
    })

    await b.sock.sendMessage(a.account.jid, { text: 'while you were silent' })
    await queued(1)
    const reply = await ping(a.sock, 2500)
    expect(reply).not.toEqual(expect.objectContaining({ tag: 'iq' }))
    expect(frames).toEqual([])
    expect(arrived).toBe(false)
    // The socket is still open at both ends: a "zombie" that only a missing ping answer gives away.
    expect((a.sock.ws as unknown as { isOpen: boolean }).isOpen).toBe(true)
    expect(suite.sim.accounts().find((x) => x.jid === a.account.jid)?.devices[0]?.connected).toBe(true)

    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: ['silence'] })
    expect(textOf(await message)).toBe('while you were silent')
    expect(await ping(a.sock, 5000)).toMatchObject({ tag: 'iq', attrs: { type: 'result' } })
  })

  it('ends by itself after its seconds, and what waited arrives on the same socket', async () => {
    const [a, b] = [await paired(), await paired()]
    await suite.sim.injectFault({ phone: a.phone, kind: 'silence', seconds: 1.5 })
    const ended = once(suite.sim.events, 'fault-ended')
    const message = nextMessage(a.sock, (m) => textOf(m) === 'after the silence', 10_000)
    await b.sock.sendMessage(a.account.jid, { text: 'after the silence' })
    expect(await ended).toEqual([{ phone: a.phone, kind: 'silence' }])
    expect(textOf(await message)).toBe('after the silence')
  })

  it('serves a new connection as usual: it gets what waited, and the silent socket is dropped (428)', async () => {
    const [a, b] = [await paired(), await paired()]
    await suite.sim.injectFault({ phone: a.phone, kind: 'silence', seconds: 60 })
    await b.sock.sendMessage(a.account.jid, { text: 'for whoever logs in' })
    await queued(1)
    const oldClosed = waitForClose(a.sock, 10_000)
    const fresh = suite.track(createTestSocket(suite.sim, a.store))
    const message = nextMessage(fresh, (m) => textOf(m) === 'for whoever logs in')
    await waitForOpen(fresh)
    expect(textOf(await message)).toBe('for whoever logs in')
    expect(await ping(fresh, 5000)).toMatchObject({ tag: 'iq', attrs: { type: 'result' } })
    // The server ends the silent socket (its 440 never gets through), so Baileys sees a bare close.
    expect(await oldClosed).toBe(DisconnectReason.connectionClosed)
  })
})

// `reach-out-limit` faults seen from real Baileys: a send from the limited phone's companion to a
// contact it never exchanged a message with is acked with error 463 and not delivered (Baileys:
// status ERROR, `messageStubParameters` ['463', 'Your account has been restricted'], on the sent
// message's upsert or a `messages.update`, and the raw ack on the socket);
// a known contact still gets its messages; once the limit ends, the new contact is reachable. The
// limited companion is told when the limit starts and ends (`connection.update.reachoutTimeLock`).

import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMessageIDV2, WAMessageStatus, type BinaryNode, type ConnectionState, type WASocket } from '@whiskeysockets/baileys'
import { captureLogger, nextMessage, pairClient, textOf, useSimulator, type PairedClient } from '../../../test/support/baileys-clients.js'

const log = captureLogger()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger })

let nextPhone = 15550010001
async function paired(): Promise<PairedClient & { phone: string }> {
  const phone = String(nextPhone++)
  const client = await pairClient(suite.sim, { phone })
  suite.track(client.sock)
  return { ...client, phone }
}

/**
 * How Baileys reports the error ack of a send. It folds a `messages.update` into the sent message's
 * own `messages.upsert` when both sit in its event buffer (the ack came within about 100 ms, as on
 * loopback), so the status shows on either; the raw ack on `sock.ws` is there in both cases.
 */
function sendError(sock: WASocket, id: string): Promise<{ ackError: string; status: number; stub: string[] }> {
  const ack = new Promise<string>((resolve) => {
    sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
      if (node.attrs.id === id && node.attrs.error) resolve(node.attrs.error)
    })
  })
  const event = new Promise<{ status: number; stub: string[] }>((resolve) => {
    const seen = (status: number | null | undefined, stub: string[] | null | undefined): void => {
      if (status === WAMessageStatus.ERROR) resolve({ status, stub: stub ?? [] })
    }
    sock.ev.on('messages.upsert', ({ messages }) => {
      for (const m of messages) if (m.key.id === id && m.key.fromMe) seen(m.status, m.messageStubParameters)
    })
    sock.ev.on('messages.update', (updates) => {
      for (const u of updates) if (u.key.id === id) seen(u.update.status, u.update.messageStubParameters)
    })
  })
  return Promise.all([ack, event]).then(([ackError, e]) => ({ ackError, ...e }))
}

async function send(from: WASocket, to: string, text: string): Promise<string> {
  const messageId = generateMessageIDV2(from.user?.id)
  await from.sendMessage(to, { text }, { messageId })
  return messageId
}

/** Sends a text that the fault refuses; resolves with its id and what Baileys reported. */
async function refusedSend(from: WASocket, to: string, text: string) {
  const messageId = generateMessageIDV2(from.user?.id)
  const error = sendError(from, messageId)
  await from.sendMessage(to, { text }, { messageId })
  return { id: messageId, error: await error }
}

describe('reach-out-limit faults', () => {
  it('refuses a new contact with 463, still delivers to a known one, and lets the new one through once it ends', async () => {
    const [a, known, stranger] = [await paired(), await paired(), await paired()]
    // `known` wrote to `a` first: an exchange in either direction makes a contact known.
    const hello = nextMessage(a.sock, (m) => textOf(m) === 'hello a')
    await send(known.sock, a.account.jid, 'hello a')
    await hello

    const timelocks: Array<Partial<ConnectionState>['reachoutTimeLock']> = []
    a.sock.ev.on('connection.update', (u) => u.reachoutTimeLock && timelocks.push(u.reachoutTimeLock))
    const injected = await suite.sim.injectFault({ phone: a.phone, kind: 'reach-out-limit', seconds: 2 })
    expect(injected).toEqual({ phone: a.phone, kind: 'reach-out-limit', sockets: 0, until: expect.any(String) })
    const ended = once(suite.sim.events, 'fault-ended')
    // The companion is told until when (to the second), as connection.update.reachoutTimeLock.
    await expect.poll(() => timelocks.length, { timeout: 3000, interval: 20 }).toBe(1)
    expect(timelocks[0]).toEqual({ isActive: true, timeEnforcementEnds: new Date(Math.floor(Date.parse(injected.until!) / 1000) * 1000), enforcementType: 'DEFAULT' })

    const rejected = once(suite.sim.events, 'message-rejected')
    const refused = await refusedSend(a.sock, stranger.account.jid, 'are you there?')
    expect(refused.error).toEqual({ ackError: '463', status: WAMessageStatus.ERROR, stub: ['463', 'Your account has been restricted'] })
    expect(await rejected).toEqual([{ id: refused.id, code: 463 }])

    const toKnown = nextMessage(known.sock, (m) => textOf(m) === 'still talking to you')
    await send(a.sock, known.account.jid, 'still talking to you')
    expect(textOf(await toKnown)).toBe('still talking to you')

    expect(await ended).toEqual([{ phone: a.phone, kind: 'reach-out-limit' }])
    await expect.poll(() => timelocks.at(-1), { timeout: 3000, interval: 20 }).toEqual({ isActive: false, enforcementType: 'DEFAULT' })
    const toStranger = nextMessage(stranger.sock, (m) => textOf(m) === 'now you can hear me')
    await send(a.sock, stranger.account.jid, 'now you can hear me')
    expect(textOf(await toStranger)).toBe('now you can hear me')
    // The refused message was never routed to the stranger.
    expect(log.entries.filter((e) => e.msg === 'message routed' && e.data?.id === refused.id)).toEqual([])
  })

  it('counts a message from the simulated phone as an exchange, and clearing the faults lifts the limit at once', async () => {
    const [a, b] = [await paired(), await paired()]
    await suite.sim.injectFault({ phone: a.phone, kind: 'reach-out-limit', seconds: 600 })
    expect((await refusedSend(a.sock, b.account.jid, 'first try')).error.ackError).toBe('463')

    // b's phone writes to a: from then on they have exchanged a message.
    const fromPhone = nextMessage(a.sock, (m) => textOf(m) === 'hi from b’s phone')
    await suite.sim.sendFromPhone(b.phone, a.phone, 'hi from b’s phone')
    await fromPhone
    const reply = nextMessage(b.sock, (m) => textOf(m) === 'second try')
    await send(a.sock, b.account.jid, 'second try')
    expect(textOf(await reply)).toBe('second try')

    const c = await paired()
    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: ['reach-out-limit'] })
    const toC = nextMessage(c.sock, (m) => textOf(m) === 'limit lifted')
    await send(a.sock, c.account.jid, 'limit lifted')
    expect(textOf(await toC)).toBe('limit lifted')
  })

  it('with announce: false, refuses the same way but never tells the companion: the 463 is all it learns', async () => {
    const [a, b] = [await paired(), await paired()]
    const timelocks: unknown[] = []
    a.sock.ev.on('connection.update', (u) => u.reachoutTimeLock && timelocks.push(u.reachoutTimeLock))
    const injected = await suite.sim.injectFault({ phone: a.phone, kind: 'reach-out-limit', seconds: 1, announce: false })
    expect(injected.until).not.toBeNull()
    expect((await refusedSend(a.sock, b.account.jid, 'unannounced')).error.ackError).toBe('463')
    const ended = once(suite.sim.events, 'fault-ended')
    expect(await ended).toEqual([{ phone: a.phone, kind: 'reach-out-limit' }])
    const toB = nextMessage(b.sock, (m) => textOf(m) === 'after the quiet limit')
    await send(a.sock, b.account.jid, 'after the quiet limit')
    expect(textOf(await toB)).toBe('after the quiet limit')
    // Nothing announced the start or the end (a notification would have been handled well before b's message).
    expect(timelocks).toEqual([])
  })
})

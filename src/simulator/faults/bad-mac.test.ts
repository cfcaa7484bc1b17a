// `bad-mac` faults seen from real Baileys: the next messages to the phone arrive spoiled, the
// receiver shows a decryption failure (a CIPHERTEXT stub), asks the sender's device again with a
// retry receipt, and the sender's device sends the message again: the simulated phone, or another
// Baileys client. Then every message arrives once, each in the place its failure took.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMessageIDV2, proto, WAMessageStatus, type WAMessage, type WASocket } from '@whiskeysockets/baileys'
import { captureLogger, nextMessage, pairClient, textOf, useSimulator, type PairedClient } from '../../../test/support/baileys-clients.js'

// The resend of Baileys 7.0.0-rc14 carries the message twice for the asking device, which the
// simulator refuses by default as WhatsApp is reported to (479, see smax-invalid.test.ts). `lenient`
// delivers it, to show the retry path; `strict` shows what that refusal costs.
const lenient = useSimulator({ beforeAll, afterEach, afterAll }, { rejectDuplicateMessages: false })
const strictLog = captureLogger()
const strict = useSimulator({ beforeAll, afterEach, afterAll }, { logger: strictLog.logger })

let nextPhone = 15550011001
type Suite = typeof lenient

interface Peer extends PairedClient {
  phone: string
  /** Sent messages by id: Baileys' own cache misses 1:1 retries in rc14 (see load.test.ts). */
  outbox: Map<string, Promise<proto.IMessage | undefined>>
}

async function peer(suite: Suite): Promise<Peer> {
  const phone = String(nextPhone++)
  const outbox = new Map<string, Promise<proto.IMessage | undefined>>()
  const client = await pairClient(suite.sim, { phone }, undefined, { getMessage: async (key) => (key.id ? await outbox.get(key.id) : undefined) })
  suite.track(client.sock)
  return { ...client, phone, outbox }
}

async function send(from: Peer, to: Peer, text: string): Promise<string> {
  const messageId = generateMessageIDV2(from.sock.user?.id)
  const sent = from.sock.sendMessage(to.account.jid, { text }, { messageId })
  from.outbox.set(messageId, sent.then((m) => m?.message ?? undefined))
  await sent
  return messageId
}

type Seen = { id: string; stub: string } | { id: string; text: string }

/** Every incoming upsert at `sock`: a decryption failure as its stub's first parameter, else its text. */
function watch(sock: WASocket): Seen[] {
  const seen: Seen[] = []
  sock.ev.on('messages.upsert', ({ messages }: { messages: WAMessage[] }) => {
    for (const m of messages) {
      if (m.key.fromMe || !m.key.id) continue
      if (m.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT) seen.push({ id: m.key.id, stub: m.messageStubParameters?.[0] ?? '' })
      else if (textOf(m)) seen.push({ id: m.key.id, text: textOf(m)! })
    }
  })
  return seen
}

/**
 * Recovered as WhatsApp recovers: every message shows up in the order sent (a spoiled one first as its
 * failure, which its text later replaces: same id), each text arrives exactly once, and each spoiled
 * message's failure comes before its text. A resent text itself arrives after later messages did.
 */
function expectRecovered(seen: Seen[], order: Array<{ id: string; text: string }>, spoiled: string[]): void {
  expect([...new Set(seen.map((s) => s.id))]).toEqual(order.map((o) => o.id))
  const texts = seen.filter((s): s is { id: string; text: string } => 'text' in s)
  expect([...texts].sort((x, y) => order.findIndex((o) => o.id === x.id) - order.findIndex((o) => o.id === y.id))).toEqual(order)
  for (const id of spoiled) {
    const failure = seen.findIndex((s) => s.id === id && 'stub' in s)
    expect(failure, `a decryption failure for ${id}`).toBeGreaterThanOrEqual(0)
    expect(failure).toBeLessThan(seen.findIndex((s) => s.id === id && 'text' in s))
  }
  expect(seen.filter((s) => 'stub' in s).map((s) => s.id)).toEqual(spoiled)
}

describe('bad-mac faults', () => {
  it('the simulated phone answers the retry receipts: each spoiled text arrives once, after its failure, in its place', async () => {
    const b = await peer(lenient)
    const seen = watch(b.sock)
    const spoiled: string[] = []
    lenient.sim.events.on('message-spoiled', ({ id }) => spoiled.push(id))
    expect(await lenient.sim.injectFault({ phone: b.phone, kind: 'bad-mac', count: 2 })).toEqual({ phone: b.phone, kind: 'bad-mac', sockets: 0, until: null })

    const sender = '15550011999'
    const one = await lenient.sim.sendFromPhone(sender, b.phone, 'one')
    const two = await lenient.sim.sendFromPhone(sender, b.phone, 'two')
    const third = nextMessage(b.sock, (m) => textOf(m) === 'three')
    const three = await lenient.sim.sendFromPhone(sender, b.phone, 'three')
    await third
    await expect.poll(() => seen.filter((s) => 'text' in s).length, { timeout: 8000, interval: 50 }).toBe(3)

    expect(spoiled).toEqual([one.id, two.id])
    expectRecovered(
      seen,
      [
        { id: one.id, text: 'one' },
        { id: two.id, text: 'two' },
        { id: three.id, text: 'three' },
      ],
      [one.id, two.id],
    )
    // The phone's messages are pkmsgs (it never hears back), whose inner MAC libsignal checks.
    expect(seen.filter((s) => 'stub' in s)).toEqual([
      { id: one.id, stub: 'Bad MAC' },
      { id: two.id, stub: 'Bad MAC' },
    ])
  })

  it('another Baileys client answers the retry receipts: each spoiled message arrives once, after its failure, in its place', async () => {
    const [a, b] = [await peer(lenient), await peer(lenient)]
    // One exchange each way first, so the spoiled messages ride an established session.
    const hi = nextMessage(a.sock, (m) => textOf(m) === 'hi a')
    await send(b, a, 'hi a')
    await hi
    const hello = nextMessage(b.sock, (m) => textOf(m) === 'hello b')
    await send(a, b, 'hello b')
    await hello

    const seen = watch(b.sock)
    await lenient.sim.injectFault({ phone: b.phone, kind: 'bad-mac', count: 2 })
    const ids = [await send(a, b, 'first'), await send(a, b, 'second'), await send(a, b, 'third')]
    await expect.poll(() => seen.filter((s) => 'text' in s).length, { timeout: 10_000, interval: 50 }).toBe(3)
    expectRecovered(
      seen,
      [
        { id: ids[0]!, text: 'first' },
        { id: ids[1]!, text: 'second' },
        { id: ids[2]!, text: 'third' },
      ],
      [ids[0]!, ids[1]!],
    )
    // On an established session the message is a `msg`: libsignal tries each session it has, logs
    // "Bad MAC" for each to the console, and throws this.
    expect(seen.filter((s) => 'stub' in s)).toEqual([
      { id: ids[0], stub: 'No matching sessions found for message' },
      { id: ids[1], stub: 'No matching sessions found for message' },
    ])
  }, 30_000)

  it('with WhatsApp’s 479 rule on, Baileys’ doubled resend is refused: the receiver keeps the failure, the sender sees 479', async () => {
    const [a, b] = [await peer(strict), await peer(strict)]
    const seen = watch(b.sock)
    await strict.sim.injectFault({ phone: b.phone, kind: 'bad-mac', count: 1 })
    const refused = new Promise<string>((resolve) => strict.sim.events.on('message-rejected', ({ id, code }) => code === 479 && resolve(id)))
    const failedAtSender = new Promise<string[]>((resolve) => {
      a.sock.ev.on('messages.update', (updates) => {
        for (const u of updates) if (u.update.status === WAMessageStatus.ERROR) resolve(u.update.messageStubParameters ?? [])
      })
    })
    const id = await send(a, b, 'lost to 479')
    expect(await refused).toBe(id)
    expect(await failedAtSender).toEqual(['479'])
    await expect.poll(() => seen, { timeout: 5000, interval: 50 }).toEqual([{ id, stub: 'Bad MAC' }])
  }, 20_000)
})

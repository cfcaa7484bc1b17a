// Two accounts whose first messages to each other cross in flight. Baileys 7.0.0-rc14 loses a Signal
// session when that happens: relayMessage holds one key-store transaction (keyed by its own JID)
// across the whole send and commits its snapshot of the peer's session record at the end, while the
// peer's incoming pkmsg is decrypted in another transaction (keyed by the peer's JID) that writes the
// same record; the later commit wins. The next message then fails to decrypt ("Invalid PreKey ID",
// "No matching sessions found") and only the retry receipt -> resend path delivers it. Under CPU
// load the 20-client load test hits the same thing. This checks that the simulator routes that path
// (retry receipt to the sending device, 1:1 resend addressed to one device) and nothing is lost.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMessageIDV2, type proto, type WAMessage } from '@whiskeysockets/baileys'
import { captureLogger, pairClient, textOf, useSimulator, type PairedClient } from '../../test/support/baileys-clients.js'

const log = captureLogger()
// Baileys' 1:1 resend carries the message twice for the asking device; WhatsApp rejects that (479,
// smax-invalid.test.ts). Here the simulator delivers it, to show the retry routing itself.
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger, rejectDuplicateMessages: false })

interface Peer {
  client: PairedClient
  index: number
  /** Sent messages by id: Baileys' own cache misses 1:1 retries in rc14 (see load.test.ts). */
  outbox: Map<string, Promise<proto.IMessage | undefined>>
}

async function peer(index: number): Promise<Peer> {
  const outbox = new Map<string, Promise<proto.IMessage | undefined>>()
  const client = await pairClient(suite.sim, { name: `Peer ${index}` }, undefined, {
    getMessage: async (key) => (key.id ? await outbox.get(key.id) : undefined),
  })
  suite.track(client.sock)
  return { client, index, outbox }
}

async function send(from: Peer, to: Peer, text: string): Promise<string> {
  const messageId = generateMessageIDV2(from.client.sock.user?.id)
  const sent = from.client.sock.sendMessage(to.client.account.jid, { text }, { messageId })
  from.outbox.set(messageId, sent.then((m) => m?.message ?? undefined))
  await sent
  return messageId
}

describe('retry receipts', () => {
  it('delivers every message exactly once when two first messages cross', async () => {
    const [a, b] = await Promise.all([peer(0), peer(1)])
    const received: Array<{ text: string; at: number }> = []
    for (const p of [a, b]) {
      p.client.sock.ev.on('messages.upsert', ({ messages }: { messages: WAMessage[] }) => {
        for (const m of messages) {
          const text = m.key.fromMe ? undefined : textOf(m)
          if (text) received.push({ text, at: p.index })
        }
      })
    }

    // Both first messages are pkmsgs encrypted before either side has seen the other's.
    const first = await Promise.all([send(a, b, 'a1'), send(b, a, 'b1')])
    const later = [await send(a, b, 'a2'), await send(b, a, 'b2'), await send(a, b, 'a3')]
    const expected = [
      { text: 'a1', at: 1 },
      { text: 'a2', at: 1 },
      { text: 'a3', at: 1 },
      { text: 'b1', at: 0 },
      { text: 'b2', at: 0 },
    ]
    const sorted = () => [...received].sort((x, y) => x.text.localeCompare(y.text))
    await expect.poll(sorted, { timeout: 10_000, interval: 100 }).toEqual(expected)

    const routed = (msg: string, id: string) => log.entries.filter((e) => e.msg === msg && e.data?.id === id)
    for (const id of first) expect(routed('message routed', id)[0]?.data?.encs).toEqual(['pkmsg', 'device-identity'])
    // The crossing really cost a decryption: some message was asked for again and sent again.
    const retried = [...first, ...later].filter((id) => routed('receipt routed', id).some((e) => e.data?.type === 'retry'))
    expect(retried.length).toBeGreaterThan(0)
    for (const id of retried) expect(routed('message routed', id).length).toBeGreaterThan(1)

    // Nothing arrives twice once things settle (a resend must not duplicate a delivered message).
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(sorted()).toEqual(expected)
  }, 30_000)
})

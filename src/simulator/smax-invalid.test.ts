// The simulator's 479 rule with plain Baileys: when two first messages cross, Baileys 7.0.0-rc14
// answers the retry request with a resend that carries the message twice for the asking device (once
// among the participants, once at top level). The simulator refuses that stanza as WhatsApp is
// reported to: an error ack 479, nothing delivered, and Baileys marks the message failed.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateMessageIDV2, WAMessageStatus, type proto, type WAMessageUpdate } from '@whiskeysockets/baileys'
import { captureLogger, pairClient, useSimulator, type PairedClient } from '../../test/support/baileys-clients.js'

const log = captureLogger()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger })

async function peer(name: string): Promise<{ client: PairedClient; outbox: Map<string, Promise<proto.IMessage | undefined>> }> {
  const outbox = new Map<string, Promise<proto.IMessage | undefined>>()
  const client = await pairClient(suite.sim, { name }, undefined, { getMessage: async (key) => (key.id ? await outbox.get(key.id) : undefined) })
  suite.track(client.sock)
  return { client, outbox }
}

describe('479: one message twice for one device', () => {
  it('refuses Baileys’ retry resend with an error ack 479 and delivers nothing of it', async () => {
    const [a, b] = await Promise.all([peer('A'), peer('B')])
    const rejected = new Promise<string>((resolve) => suite.sim.events.once('message-rejected', ({ id }) => resolve(id)))
    const failed = new Promise<string>((resolve) => {
      const onUpdate = (updates: WAMessageUpdate[]): void => {
        for (const { key, update } of [...updates]) {
          if (update.status === WAMessageStatus.ERROR && update.messageStubParameters?.[0] === '479' && key.id) resolve(key.id)
        }
      }
      a.client.sock.ev.on('messages.update', onUpdate)
      b.client.sock.ev.on('messages.update', onUpdate)
    })
    const send = async (from: typeof a, to: typeof b, text: string): Promise<string> => {
      const messageId = generateMessageIDV2(from.client.sock.user?.id)
      const sent = from.client.sock.sendMessage(to.client.account.jid, { text }, { messageId })
      from.outbox.set(messageId, sent.then((m) => m?.message ?? undefined))
      await sent
      return messageId
    }
    await Promise.all([send(a, b, 'a1'), send(b, a, 'b1')])
    await send(a, b, 'a2')
    await send(b, a, 'b2')

    const id = await rejected
    expect(await failed).toBe(id)
    const entry = log.entries.find((e) => e.msg.startsWith('message rejected') && e.data?.id === id)
    expect(entry?.msg).toMatch(/\(479\)/)
    // Nothing of the refused stanza was routed: the only routing of this id is the first send.
    expect(log.entries.filter((e) => e.msg === 'message routed' && e.data?.id === id)).toHaveLength(1)
  }, 30_000)
})

// The simulated phone (device 0) sends texts, encrypted with its own Signal identity, to real Baileys:
// a message "from the phone" arrives at another account's devices, and the sender account's own
// companion gets the copy it would get from its phone (own-device sync, shown as sent by me).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulatorAdmin } from './admin.js'
import { nextMessage, pairClient, textOf, useSimulator } from '../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })

describe('the phone sends', () => {
  it('delivers a text from the phone to another account, twice in a row, and syncs it to its own companion', async () => {
    const alice = await pairClient(suite.sim, { phone: '4915120000001', name: 'Alice' })
    suite.track(alice.sock)
    const bob = await pairClient(suite.sim, { phone: '4915120000002', name: 'Bob' })
    suite.track(bob.sock)

    const atBob = nextMessage(bob.sock, (m) => textOf(m) === 'from alice’s phone')
    const synced = new Promise<{ fromMe: boolean | null | undefined; remoteJid: string | null | undefined; text: string | undefined }>((resolve) => {
      alice.sock.ev.on('messages.upsert', ({ messages }) => {
        for (const m of messages) {
          const text = m.message?.deviceSentMessage?.message?.conversation ?? textOf(m)
          if (text === 'from alice’s phone') resolve({ fromMe: m.key.fromMe, remoteJid: m.key.remoteJid, text })
        }
      })
    })
    const sent = await suite.sim.sendFromPhone('+49 151 2000 0001', '4915120000002', 'from alice’s phone')
    expect(sent.devices).toEqual([`4915120000002:${bob.account.device}@s.whatsapp.net`, `4915120000001:${alice.account.device}@s.whatsapp.net`])
    const received = await atBob
    expect(received.key.remoteJid).toBe('4915120000001@s.whatsapp.net')
    expect(received.key.fromMe).toBe(false)
    expect(await synced).toEqual({ fromMe: true, remoteJid: '4915120000002@s.whatsapp.net', text: 'from alice’s phone' })

    // The second text rides the same session (no new pre-key taken) and arrives too.
    const again = nextMessage(bob.sock, (m) => textOf(m) === 'second')
    await suite.sim.sendFromPhone('4915120000001', '4915120000002@s.whatsapp.net', 'second')
    expect(textOf(await again)).toBe('second')
  })

  it('answers POST /send, with 400 for a bad body and 404 for an unknown recipient', async () => {
    const carol = await pairClient(suite.sim, { phone: '4915120000003', name: 'Carol' })
    suite.track(carol.sock)
    const admin = await startSimulatorAdmin(suite.sim)
    try {
      const post = async (body: unknown) => {
        const res = await fetch(`${admin.url}/send`, { method: 'POST', body: JSON.stringify(body) })
        return { status: res.status, body: (await res.json()) as { error?: { message: string }; id?: string } }
      }
      const arrived = nextMessage(carol.sock, (m) => textOf(m) === 'hi carol')
      // A phone the simulator has not seen yet is a phone with WhatsApp: it is created.
      expect(await post({ from: '4915120000009', to: '4915120000003', text: 'hi carol' })).toMatchObject({ status: 200, body: { id: expect.any(String) } })
      expect((await arrived).key.remoteJid).toBe('4915120000009@s.whatsapp.net')
      expect(await post({ from: '4915120000009', to: '4915120000003', text: '' })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/text is empty/) } } })
      expect(await post({ from: '4915120000009', to: '4915129999999', text: 'nobody' })).toMatchObject({
        status: 404,
        body: { error: { message: expect.stringMatching(/No simulated account/) } },
      })
    } finally {
      await admin.close()
    }
  })
})

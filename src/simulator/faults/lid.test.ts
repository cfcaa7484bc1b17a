// `lid` faults seen from real Baileys: the phone's messages to others come addressed by its LID. With
// the PN beside it (`sender_pn`, `addressing_mode="lid"`) Baileys reads `key.remoteJid` as the LID and
// `key.remoteJidAlt` as the PN; without it the PN is unknown until a mapping notification arrives,
// which Baileys emits as `lid-mapping.update` and stores.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { jidNormalizedUser, type LIDMapping } from '@whiskeysockets/baileys'
import { nextMessage, pairClient, textOf, useSimulator, type PairedClient } from '../../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })

let nextPhone = 15550012001
async function paired(): Promise<PairedClient & { phone: string }> {
  const phone = String(nextPhone++)
  const client = await pairClient(suite.sim, { phone })
  suite.track(client.sock)
  return { ...client, phone }
}

describe('lid faults', () => {
  it('addresses the phone’s messages by LID with the PN beside them, from its companion and from the phone, until turned off', async () => {
    const [a, b] = [await paired(), await paired()]
    expect(await suite.sim.injectFault({ phone: a.phone, kind: 'lid', on: true })).toEqual({ phone: a.phone, kind: 'lid', sockets: 0, until: null })

    const fromCompanion = nextMessage(b.sock, (m) => textOf(m) === 'by lid')
    await a.sock.sendMessage(b.account.jid, { text: 'by lid' })
    // The PN rides device-qualified, as this simulator's sender_lid does in PN mode (README.md).
    expect((await fromCompanion).key).toMatchObject({ remoteJid: a.account.lid, remoteJidAlt: `${a.phone}:${a.account.device}@s.whatsapp.net`, addressingMode: 'lid', fromMe: false })

    const fromPhone = nextMessage(b.sock, (m) => textOf(m) === 'by lid from the phone')
    await suite.sim.sendFromPhone(a.phone, b.phone, 'by lid from the phone')
    expect((await fromPhone).key).toMatchObject({ remoteJid: a.account.lid, remoteJidAlt: a.account.jid, addressingMode: 'lid' })

    // b answers the chat it sees, the LID one, and a gets it.
    const answer = nextMessage(a.sock, (m) => textOf(m) === 'answer by lid')
    await b.sock.sendMessage(a.account.lid, { text: 'answer by lid' })
    await answer

    await suite.sim.injectFault({ phone: a.phone, kind: 'lid', on: false })
    const byPn = nextMessage(b.sock, (m) => textOf(m) === 'by pn again')
    await a.sock.sendMessage(b.account.jid, { text: 'by pn again' })
    expect((await byPn).key).toMatchObject({ remoteJid: a.account.jid, remoteJidAlt: a.account.lid.replace('@', `:${a.account.device}@`), addressingMode: 'pn' })
    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: [] })
  })

  it('leaves the PN out when asked, and the mapping follows as lid-mapping.update', async () => {
    const [a, b] = [await paired(), await paired()]
    await suite.sim.injectFault({ phone: a.phone, kind: 'lid', on: true, mappingAfterSeconds: 1 })
    const mapped = new Promise<LIDMapping>((resolve) => b.sock.ev.on('lid-mapping.update', resolve))

    const arrived = nextMessage(b.sock, (m) => textOf(m) === 'who am i?')
    await a.sock.sendMessage(b.account.jid, { text: 'who am i?' })
    const message = await arrived
    expect(message.key).toMatchObject({ remoteJid: a.account.lid, addressingMode: 'lid' })
    expect(message.key.remoteJidAlt).toBeUndefined()
    expect(await b.sock.signalRepository.lidMapping.getPNForLID(a.account.lid)).toBeNull()

    expect(await mapped).toEqual({ lid: a.account.lid, pn: a.account.jid })
    // Baileys stores the pair right after emitting the event, and answers in device form (`<pn>:0@…`).
    const pnOf = async (): Promise<string | null> => {
      const pn = await b.sock.signalRepository.lidMapping.getPNForLID(a.account.lid)
      return pn ? jidNormalizedUser(pn) : null
    }
    await expect.poll(pnOf, { timeout: 2000, interval: 20 }).toBe(a.account.jid)
    expect(suite.sim.clearFaults(a.phone)).toEqual({ phone: a.phone, cleared: ['lid'] })
  })
})

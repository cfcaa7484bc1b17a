import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CONNECTION_CONFIG, proto, type WAMessage } from '@whiskeysockets/baileys'
import {
  closeSocket,
  createTestSocket,
  captureLogger,
  nextMessage,
  pairClient,
  textOf,
  useSimulator,
  waitForOpen,
  type PairedClient,
} from '../../test/support/baileys-clients.js'

const log = captureLogger()
const suite = useSimulator({ beforeAll, afterEach, afterAll }, { logger: log.logger })

function routedEncs(id: string): string[][] {
  return log.entries.filter((e) => e.msg === 'message routed' && e.data?.id === id).map((e) => e.data?.encs as string[])
}


async function paired(name: string): Promise<PairedClient> {
  const client = await pairClient(suite.sim, { name }, undefined, { pushName: name })
  suite.track(client.sock)
  return client
}

function withText(text: string) {
  return (m: WAMessage) => textOf(m) === text
}

describe('1:1 messaging', () => {
  it('delivers a first pkmsg, a reply, and further messages on the established session', async () => {
    const alice = await paired('Alice')
    const bob = await paired('Bob')

    const deliveredIds: string[] = []
    const delivered = new Promise<void>((resolve) => {
      alice.sock.ev.on('messages.update', (updates) => {
        for (const u of updates) {
          if (u.update.status === proto.WebMessageInfo.Status.DELIVERY_ACK && u.key.id) {
            deliveredIds.push(u.key.id)
            resolve()
          }
        }
      })
    })
    const firstArrives = nextMessage(bob.sock, withText('hello bob'))
    const sent = await alice.sock.sendMessage(bob.account.jid, { text: 'hello bob' })
    const first = await firstArrives
    expect(first.key.id).toBe(sent!.key.id)
    expect(first.key.remoteJid).toBe(alice.account.jid)
    expect(first.pushName).toBe('Alice')
    await delivered
    expect(deliveredIds).toContain(sent!.key.id)
    expect(routedEncs(sent!.key.id!)).toEqual([['pkmsg', 'device-identity']])

    const replyArrives = nextMessage(alice.sock, withText('hi alice'))
    await bob.sock.sendMessage(alice.account.jid, { text: 'hi alice' })
    expect((await replyArrives).key.remoteJid).toBe(bob.account.jid)

    for (let i = 0; i < 3; i++) {
      const arrives = nextMessage(bob.sock, withText(`more ${i}`))
      const more = await alice.sock.sendMessage(bob.account.jid, { text: `more ${i}` })
      await arrives
      expect(routedEncs(more!.key.id!)).toEqual([['msg']])
    }
  })

  it('queues messages for an offline account and delivers them at its next login', async () => {
    const alice = await paired('Alice')
    const carol = await paired('Carol')
    await closeSocket(carol.sock)

    await alice.sock.sendMessage(carol.account.jid, { text: 'while you were away' })
    await alice.sock.sendMessage(carol.account.jid, { text: 'second one' })

    const back = suite.track(createTestSocket(suite.sim, carol.store))
    const first = nextMessage(back, withText('while you were away'))
    const second = nextMessage(back, withText('second one'))
    await waitForOpen(back)
    const [m1, m2] = await Promise.all([first, second])
    expect(m1.key.remoteJid).toBe(alice.account.jid)
    expect(m2.key.remoteJid).toBe(alice.account.jid)
  })

  it('keeps a queued message handed to a connection that closes before acknowledging it, and delivers it at the next login', async () => {
    const dave = await paired('Dave')
    await closeSocket(dave.sock)
    await suite.sim.sendFromPhone('4915130000031', dave.account.jid, 'held over')
    expect(suite.sim.stats().queuedStanzas).toBe(1)
    // A device that receives the queued message and never gets to acknowledge it: its decryption hangs.
    let handed!: () => void
    const received = new Promise<void>((resolve) => (handed = resolve))
    const stuck = createTestSocket(suite.sim, dave.store, {
      makeSignalRepository: (auth, logger, pnToLid) => {
        const inner = DEFAULT_CONNECTION_CONFIG.makeSignalRepository(auth, logger, pnToLid)
        return { ...inner, decryptMessage: () => (handed(), new Promise<Uint8Array>(() => undefined)) }
      },
    })
    await received
    expect(suite.sim.stats().queuedStanzas).toBe(0)
    await closeSocket(stuck)
    // Back in the queue, and delivered to the next connection of the device.
    const back = suite.track(createTestSocket(suite.sim, dave.store))
    const message = nextMessage(back, withText('held over'))
    await waitForOpen(back)
    expect((await message).key.id).toBeTruthy()
  })
})

describe('linked devices', () => {
  it('links a second device to an account and gives it a fromMe copy of what the first sends', async () => {
    const dana = await paired('Dana')
    const second = await pairClient(suite.sim, { phone: dana.account.jid.split('@')[0] }, undefined, { pushName: 'Dana 2' })
    suite.track(second.sock)
    expect(second.account).toEqual({ ...dana.account, device: dana.account.device + 1 })
    const eve = await paired('Eve')

    const copy = new Promise<WAMessage>((resolve) => {
      second.sock.ev.on('messages.upsert', ({ messages }) => {
        const hit = messages.find((m) => m.key.fromMe && textOf(m) === 'from my first device')
        if (hit) resolve(hit)
      })
    })
    const atEve = nextMessage(eve.sock, withText('from my first device'))
    await dana.sock.sendMessage(eve.account.jid, { text: 'from my first device' })
    await atEve
    expect((await copy).key.remoteJid).toBe(eve.account.jid)

    const both = Promise.all([nextMessage(dana.sock, withText('to both')), nextMessage(second.sock, withText('to both'))])
    await eve.sock.sendMessage(dana.account.jid, { text: 'to both' })
    await both
  })
})

describe('group messaging', () => {
  it('routes a group of three both ways with sender keys', async () => {
    const [a, b, c] = [await paired('Ann'), await paired('Ben'), await paired('Cid')]
    const group = await a.sock.groupCreate('Trio', [b.account.jid, c.account.jid])
    expect(group.participants).toHaveLength(3)

    const atB = nextMessage(b.sock, withText('hi all'))
    const atC = nextMessage(c.sock, withText('hi all'))
    await a.sock.sendMessage(group.id, { text: 'hi all' })
    for (const m of await Promise.all([atB, atC])) {
      expect(m.key.remoteJid).toBe(group.id)
      expect(m.key.participant?.split('@')[0]).toBe(a.account.lid.split('@')[0])
    }

    const atA = nextMessage(a.sock, withText('hi from ben'))
    const atC2 = nextMessage(c.sock, withText('hi from ben'))
    await b.sock.sendMessage(group.id, { text: 'hi from ben' })
    await Promise.all([atA, atC2])

    const atA2 = nextMessage(a.sock, withText('again'))
    const atB2 = nextMessage(b.sock, withText('again'))
    await c.sock.sendMessage(group.id, { text: 'again' })
    await Promise.all([atA2, atB2])
  })
})

it('answers every IQ Baileys sent during these tests without an unknown-IQ warning', () => {
  // Declared last so it runs after the traffic above (vitest keeps declaration order).
  expect(log.entries.some((e) => e.msg === 'message routed')).toBe(true)
  expect(log.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([])
})

it('never echoed a message to its sending device and saw no retry receipts', () => {
  const routed = log.entries.filter((e) => e.msg === 'message routed')
  expect(routed.length).toBeGreaterThan(10)
  expect(routed.filter((e) => e.data?.sender === e.data?.target)).toEqual([])
  expect(log.entries.filter((e) => e.msg === 'receipt routed' && e.data?.type === 'retry')).toEqual([])
})

// Sending tells the truth: a number that is not on WhatsApp is refused before anything is sent (the
// simulator answers Baileys' onWhatsApp query like WhatsApp does), and a number written with spaces,
// dashes and parentheses reaches the right account through the real dispatch path. Also: the
// activity log records who asked for a command made through dispatch.

import makeWASocket from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localCaller } from '../access/caller'
import type { ReceivedMessage } from '../../../shared/contract'
import { useSessionsWorld } from '../../../../test/support/sessions'

/** Numbers each socket asked WhatsApp about (Baileys' onWhatsApp), across every socket of the core. */
const asked: string[] = []
const world = useSessionsWorld(
  { beforeAll, afterAll },
  {
    makeSocket: (config) => {
      const socket = makeWASocket(config)
      const onWhatsApp = socket.onWhatsApp
      socket.onWhatsApp = (...jids) => {
        asked.push(...jids)
        return onWhatsApp(...jids)
      }
      return socket
    },
  },
)

describe('sending', () => {
  it('refuses a number that is not on WhatsApp, and delivers to a number written loosely', async () => {
    const [alice, bob] = await Promise.all([world.pair('Alice'), world.pair('Bob')])
    const refused = await world.core.dispatch('accounts:send-text', { id: alice.id, to: '+1 555 999 0000', text: 'anyone?' }, localCaller('ui'))
    expect(refused).toEqual({ ok: false, error: { code: 'not-found', message: expect.stringMatching(/^\+15559990000 is not on WhatsApp, so nothing was sent/) } })

    const arrived = new Promise<ReceivedMessage>((resolve) => {
      const unsubscribe = world.core.events.subscribe((message) => {
        if (message.event === 'accounts:message' && (message.payload as ReceivedMessage).account === bob.id) {
          unsubscribe()
          resolve(message.payload as ReceivedMessage)
        }
      })
    })
    const loose = `+${bob.phone.slice(0, 1)} (${bob.phone.slice(1, 4)}) ${bob.phone.slice(4, 7)}-${bob.phone.slice(7)}`
    const sent = await world.core.dispatch('accounts:send-text', { id: alice.id, to: loose, text: 'hello loosely' }, localCaller('api'))
    expect(sent.ok).toBe(true)
    expect((await arrived).text).toBe('hello loosely')

    // Found there a moment ago: the next text to that number goes without asking again; the number
    // that is not on WhatsApp is asked about (and refused) every time.
    const bobJid = `${bob.phone}@s.whatsapp.net`
    expect(asked.filter((jid) => jid === bobJid)).toHaveLength(1)
    expect((await world.core.dispatch('accounts:send-text', { id: alice.id, to: bob.phone, text: 'again' }, localCaller('api'))).ok).toBe(true)
    expect(asked.filter((jid) => jid === bobJid)).toHaveLength(1)
    expect((await world.core.dispatch('accounts:send-text', { id: alice.id, to: '15559990000', text: 'anyone now?' }, localCaller('ui'))).ok).toBe(false)
    expect(asked.filter((jid) => jid === '15559990000@s.whatsapp.net')).toHaveLength(2)

    const stopped = await world.core.dispatch('accounts:stop', { id: alice.id }, localCaller('cli'))
    expect(stopped.ok).toBe(true)
    const log = await world.core.activity.list(alice.id)
    expect(log[0]).toMatchObject({ actor: 'cli', kind: 'command', message: 'Stop: done' })
    expect(log.some((e) => e.actor === 'system' && e.message === 'Stopped')).toBe(true)
    expect(log.some((e) => e.kind === 'pairing' && e.message.startsWith('Paired as +'))).toBe(true)
  }, 30_000)
})

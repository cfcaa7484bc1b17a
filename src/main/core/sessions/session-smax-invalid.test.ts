// Crossing first messages with WhatsApp's 479 rule modelled (the simulator's default): Baileys
// 7.0.0-rc14's retry resend carries the message twice for the asking device and is refused with an
// error ack 479. The session manager sends such a message again as a plain send, and the receiver
// shows a message that arrives twice once. Every text arrives exactly once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedMessage } from '../../../shared/contract'
import { useSessionsWorld } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('session manager: resend after 479', () => {
  it('delivers every text exactly once when two first messages cross and resends are refused with 479', async () => {
    const [alice, bob] = await Promise.all([world.pair('Alice'), world.pair('Bob')])
    const rejected: string[] = []
    world.sim.events.on('message-rejected', ({ id }) => rejected.push(id))
    const expected = ['a1', 'a2', 'a3', 'b1', 'b2']
    const received: Array<{ to: string; text: string }> = []
    let allArrived!: () => void
    const arrived = new Promise<void>((resolve) => (allArrived = resolve))
    let bothFirstArrived!: () => void
    const crossed = new Promise<void>((resolve) => (bothFirstArrived = resolve))
    const unsubscribe = world.core.events.subscribe((message) => {
      if (message.event !== 'accounts:message') return
      const payload = message.payload as ReceivedMessage
      received.push({ to: payload.account, text: payload.text })
      if (received.length === expected.length) allArrived()
      if (received.some((r) => r.text === 'a1') && received.some((r) => r.text === 'b1')) bothFirstArrived()
    })
    try {
      const send = (from: typeof alice, to: typeof bob, text: string) => world.core.sessions.sendText(from.id, to.phone, text)
      // Both first messages leave before either arrives (deliveries held), so they cross every time.
      const resume = world.sim.pauseDelivery()
      await Promise.all([send(alice, bob, 'a1'), send(bob, alice, 'b1')])
      // Both crossing messages are taken in before the next text leaves, as when a person reads and
      // replies: a2 is then sealed on the session b1 set up, which Bob does not hold, and his retry
      // request's resend is refused. Sent at once, a2 can leave on the first session and no resend happens.
      resume()
      await crossed
      await send(alice, bob, 'a2')
      await send(bob, alice, 'b2')
      await send(alice, bob, 'a3')
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`only ${received.map((r) => r.text).join(', ')} arrived`)), 15_000).unref(),
      )
      await Promise.race([arrived, timeout])
      expect(received.map((r) => r.text).sort()).toEqual(expected)
      expect(received.filter((r) => r.text.startsWith('a')).every((r) => r.to === bob.id)).toBe(true)
      // The rule really applied: at least one resend was refused, and its message still arrived.
      expect(rejected.length).toBeGreaterThan(0)
      // A late duplicate (a refused resend's retry that got through after all) shows once.
      const settled = world.core.sessions.messages(bob.id).map((m) => m.text)
      expect(settled.filter((t) => t.startsWith('a')).sort()).toEqual(['a1', 'a2', 'a3'])
    } finally {
      unsubscribe()
    }
  }, 30_000)
})

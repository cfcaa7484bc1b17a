// Two accounts whose first messages to each other cross. Baileys 7.0.0-rc14 then damages a Signal
// session (src/simulator/retry.test.ts explains how) and the next message fails to decrypt; only a
// retry receipt and a resend deliver it, and Baileys resends a 1:1 message only when getMessage finds
// it (its own recent-message cache misses for 1:1 chats). The session manager keeps an outbox for
// that. Without it, this test loses messages every time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedMessage } from '../../../shared/contract'
import { useSessionsWorld } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('session manager: retries', () => {
  it('delivers every text exactly once when two first messages cross', async () => {
    const [alice, bob] = await Promise.all([world.pair('Alice'), world.pair('Bob')])
    const received: Array<{ to: string; text: string }> = []
    const expected = [
      { to: bob.id, text: 'a1' },
      { to: bob.id, text: 'a2' },
      { to: bob.id, text: 'a3' },
      { to: alice.id, text: 'b1' },
      { to: alice.id, text: 'b2' },
    ].sort((x, y) => x.text.localeCompare(y.text))
    let allArrived!: () => void
    const arrived = new Promise<void>((resolve) => (allArrived = resolve))
    const unsubscribe = world.core.events.subscribe((message) => {
      if (message.event !== 'accounts:message') return
      const payload = message.payload as ReceivedMessage
      received.push({ to: payload.account, text: payload.text })
      if (received.length === expected.length) allArrived()
    })
    try {
      const send = (from: typeof alice, to: typeof bob, text: string) => world.core.sessions.sendText(from.id, to.phone, text)
      await Promise.all([send(alice, bob, 'a1'), send(bob, alice, 'b1')])
      await send(alice, bob, 'a2')
      await send(bob, alice, 'b2')
      await send(alice, bob, 'a3')
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`only ${received.map((r) => r.text).join(', ')} arrived`)), 15_000).unref(),
      )
      await Promise.race([arrived, timeout])
      expect([...received].sort((x, y) => x.text.localeCompare(y.text))).toEqual(expected)
    } finally {
      unsubscribe()
    }
  }, 30_000)
})

// A send whose socket closes under it (a real core against the simulator, real Baileys): the sender is
// told the connection closed and the text may not have arrived, as an `unavailable` refusal, not
// Baileys' bare "Connection Closed" passed on as an unexpected error. Found by soak:doctor, where
// closes injected mid-send came back to the caller as internal errors.

import makeWASocket, { type WASocket } from '@whiskeysockets/baileys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'
import { CLOSED_DURING_LOOKUP, CLOSED_DURING_SEND } from '../doctor/words'

/** Which call of the next socket to close the socket under, once. */
let armed: 'onWhatsApp' | 'sendMessage' | null = null

function closingUnder(socket: WASocket): WASocket {
  for (const name of ['onWhatsApp', 'sendMessage'] as const) {
    const original = socket[name] as (...args: unknown[]) => Promise<unknown>
    ;(socket as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (armed !== name) return original(...args)
      armed = null
      // The socket closes as the call starts: WhatsApp went away mid-send.
      void socket.end(undefined)
      return original(...args)
    }
  }
  return socket
}

const world = useSessionsWorld({ beforeAll, afterAll }, { makeSocket: (config) => closingUnder(makeWASocket(config)) })

describe('a send whose connection closes under it', () => {
  it.each([
    ['the number lookup', 'onWhatsApp', CLOSED_DURING_LOOKUP],
    ['the text itself', 'sendMessage', CLOSED_DURING_SEND],
  ] as const)('is refused as unavailable, saying the connection closed, when it closes during %s', async (_what, call, words) => {
    const { core, events } = world
    const alice = await world.pair(`Closing sender ${call}`)
    const bob = await world.pair(`Closing recipient ${call}`)
    const since = events.mark()
    armed = call
    const refused = await core.sessions.sendText(alice.id, bob.phone, 'cut off').then(
      () => null,
      (err: unknown) => err,
    )
    expect(armed).toBeNull()
    expect(isAppError(refused) ? { code: refused.code, message: refused.message } : refused).toEqual({ code: 'unavailable', message: words })
    // It reconnects by itself, and a send then goes through.
    await waitForStatus(core, events, alice.id, 'connected', { since })
    await expect(core.sessions.sendText(alice.id, bob.phone, 'after the close')).resolves.toMatchObject({ state: 'sent' })
  })
})

// A closed Baileys socket lets go of the queries still waiting for an answer at once (closed-socket.ts),
// instead of holding itself reachable until each one's 60 s timeout. Real Baileys against the simulator;
// the silence fault keeps a query unanswered.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BinaryNode } from '@whiskeysockets/baileys'
import { closeSocket, pairClient, useSimulator } from '../../../../test/support/baileys-clients'
import { releaseClosedSocket } from './closed-socket'

const suite = useSimulator({ beforeAll, afterEach, afterAll })

describe('releaseClosedSocket', () => {
  it('ends a query that was waiting when the socket closed as its own timeout would (undefined), not 60 s later', async () => {
    const phone = '15550019001'
    const { sock } = await pairClient(suite.sim, { phone })
    suite.track(sock)
    await suite.sim.injectFault({ phone, kind: 'silence', seconds: 120 })
    const ping: BinaryNode = { tag: 'iq', attrs: { id: sock.generateMessageTag(), to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] }
    let settled = false
    // Baileys' default query timeout: 60 s.
    const answer = sock.query(ping).finally(() => (settled = true))
    await closeSocket(sock)
    // Closed, and the query still waits: this is what held every closed socket for a minute.
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)

    releaseClosedSocket(sock)
    await expect(answer).resolves.toBeUndefined()
    suite.sim.clearFaults(phone)
  })
})

// Imported creds that cannot log in (here: a noise key whose private half does not match its public
// half, so the simulator cannot read the login) used to reconnect on backoff forever. Now the account
// ends as failed, with the reason, after a bounded number of attempts. Real Baileys, the simulator,
// encrypted SQLite.

import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSnapshot } from '../auth-store/types'
import { MAX_RETRIES_BEFORE_FIRST_OPEN } from './reconnect-policy'
import { statusesSince, useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('broken imported creds', () => {
  it(`end as failed with the reason after ${MAX_RETRIES_BEFORE_FIRST_OPEN + 1} attempts, not retried forever`, async () => {
    const alice = await world.pair('Alice')
    const snapshot = await world.core.sessions.exportSession(alice.id, null, async (s: AuthSnapshot) => structuredClone(s))
    await world.core.sessions.stop(alice.id)
    const broken: AuthSnapshot = { ...snapshot, creds: { ...snapshot.creds, noiseKey: { public: snapshot.creds.noiseKey.public, private: randomBytes(32) } } }
    const imported = await world.core.sessions.importSession({ replace: alice.id }, { phone: alice.phone, name: null }, (store) => store.importSnapshot(broken))
    const since = world.events.mark()
    await world.core.sessions.start(imported.id)
    const failed = await waitForStatus(world.core, world.events, imported.id, 'failed', { since, timeoutMs: 30_000 })
    expect(failed.lastError).toMatch(/has not connected once in \d+ attempts .* credentials may be broken/)
    const reconnects = statusesSince(world.events, imported.id, since).filter((s) => s === 'reconnecting').length
    expect(reconnects).toBe(MAX_RETRIES_BEFORE_FIRST_OPEN)
  }, 45_000)
})

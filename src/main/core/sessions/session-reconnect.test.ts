// The reconnect policy end to end: a real core (encrypted SQLite store, real Baileys sockets) against
// the in-process simulator, which closes connections with the codes WhatsApp uses. Each test pairs its
// own account, because 401 and 440 leave an account unusable on purpose.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nextQr, statusesSince, useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('session manager: reconnect by close reason', () => {
  it.each([500, 503] as const)('retries after a transient %i with backoff and connects again by itself', async (code) => {
    const { core, events, sim } = world
    const account = await world.pair(`Transient ${code}`)
    const since = events.mark()
    expect(sim.kick(account.jid, code)).toBe(1)

    const reconnecting = await waitForStatus(core, events, account.id, 'reconnecting', { since })
    expect(reconnecting.reconnectCount).toBe(account.summary.reconnectCount + 1)
    expect(reconnecting.lastDisconnectCode).toBe(code)
    expect(reconnecting.lastError).toContain(`status ${code}`)

    const back = await waitForStatus(core, events, account.id, 'connected', { since })
    expect(back.reconnectCount).toBe(account.summary.reconnectCount + 1)
    // A successful open clears the error the retry showed.
    expect(back.lastError).toBeNull()
    expect(statusesSince(events, account.id, since)).toEqual(['reconnecting', 'connecting', 'connected'])
    expect(events.payloads('accounts:qr', since).filter((p) => p.id === account.id && p.qr)).toEqual([])
  })

  it('restarts at once after a 515, without counting a reconnect', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Restart 515')
    const since = events.mark()
    expect(sim.kick(account.jid, 515)).toBe(1)

    const back = await waitForStatus(core, events, account.id, 'connected', { since })
    expect(back.reconnectCount).toBe(account.summary.reconnectCount)
    expect(back.lastDisconnectCode).toBe(515)
    // No backoff wait: straight from connected to connecting, never "reconnecting".
    expect(statusesSince(events, account.id, since)).toEqual(['connecting', 'connected'])
  })

  it('stops, deletes the keys and never retries after a 401; a plain start is refused, a re-pair pairs afresh', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Logged out 401')
    const before = await core.stores.open(account.id).counts()
    expect(before['pre-key']).toBeGreaterThan(0)

    const since = events.mark()
    expect(sim.kick(account.jid, 401)).toBe(1)
    const loggedOut = await waitForStatus(core, events, account.id, 'logged-out', { since })
    expect(loggedOut.lastDisconnectCode).toBe(401)
    expect(loggedOut.lastError).toMatch(/logged this device out \(401\)/)

    const store = core.stores.open(account.id)
    expect(Object.values(await store.counts()).reduce((a, b) => a + b, 0)).toBe(0)
    expect(await store.loadCreds()).toBeNull()
    // A retry is decided synchronously when the socket closes, so by now it would have shown up.
    expect(statusesSince(events, account.id, since)).toEqual(['logged-out'])

    // Never silently a QR code that expires: a plain start says why not, and what to ask for instead.
    await expect(core.sessions.start(account.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/logged out by WhatsApp.*repair: true/) })
    expect(core.sessions.list().find((a) => a.id === account.id)).toMatchObject({ status: 'logged-out', condition: { code: 'logged-out' } })
    // start() refuses an account with a socket or a pending retry: that it works proves neither exists.
    const restartMark = events.mark()
    await core.sessions.start(account.id, { repair: true })
    const qr = await nextQr(events, account.id, restartMark)
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/)
    expect(statusesSince(events, account.id, restartMark)).toContain('pairing')
    await core.sessions.stop(account.id)
  })

  it('shows replaced after a 440 and does not retry', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Replaced 440')
    const since = events.mark()
    expect(sim.kick(account.jid, 440)).toBe(1)

    const replaced = await waitForStatus(core, events, account.id, 'replaced', { since })
    expect(replaced.lastDisconnectCode).toBe(440)
    expect(replaced.lastError).toMatch(/took over/)
    expect(statusesSince(events, account.id, since)).toEqual(['replaced'])
    const health = await core.sessions.health(account.id)
    expect(health.nextRetryAt).toBeNull()
    // The keys stay: the other copy may be gone, and the operator can take the session back.
    expect(health.keyCounts['pre-key']).toBeGreaterThan(0)
    // It is the operator's explicit choice to take the session back: a plain start says so and does nothing.
    await expect(core.sessions.start(account.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/takeBack: true/) })
    // start() refuses an account with a socket or a pending retry: that it works proves neither exists.
    const startMark = events.mark()
    await core.sessions.start(account.id, { takeBack: true })
    const back = await waitForStatus(core, events, account.id, 'connected', { since: startMark })
    expect(back.condition).toBeNull()
  })
})

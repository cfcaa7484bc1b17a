// Graceful shutdown and the restart policy on boot: close a core with connected accounts, open a new
// core on the same data dir, and check that what the operator left running comes back from the
// encrypted store without pairing, and what they stopped stays stopped.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore, statusesSince, useSessionsWorld, waitForStatus, type PairedTestAccount } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('session manager: shutdown and restart', () => {
  let alice: PairedTestAccount
  let bob: PairedTestAccount
  let stopped: PairedTestAccount

  it('holds the data-dir lock while open, so a second core on the same dir is refused', async () => {
    alice = await world.pair('Alice')
    bob = await world.pair('Bob')
    stopped = await world.pair('Stopped by operator')
    await world.core.sessions.stop(stopped.id)

    await expect(openTestCore({ dataDir: world.dataDir, dataKey: world.dataKey, endpoint: world.sim })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/Another Irish Desktop process/),
    })
  })

  it('closes gracefully with accounts connected, and a new core reconnects them without pairing', async () => {
    const before = world.core.sessions.list()
    expect(before.find((a) => a.id === alice.id)?.status).toBe('connected')
    const alicePreKeys = (await world.core.stores.open(alice.id).counts())['pre-key']

    const offline = new Set<string>()
    const bothOffline = new Promise<void>((resolve) => {
      const onDisconnect = ({ jid }: { jid: string }): void => {
        offline.add(jid)
        if (offline.has(alice.jid) && offline.has(bob.jid)) {
          world.sim.events.off('disconnect', onDisconnect)
          resolve()
        }
      }
      world.sim.events.on('disconnect', onDisconnect)
    })
    // reopen() awaits close() first: it resolving, and the new core getting the lock, is the check.
    await world.reopen()
    await bothOffline

    const { core, events } = world
    expect((await core.stores.open(alice.id).counts())['pre-key']).toBe(alicePreKeys)
    await core.startAccounts()
    const a = await waitForStatus(core, events, alice.id, 'connected', { since: 0 })
    const b = await waitForStatus(core, events, bob.id, 'connected', { since: 0 })
    expect([a.phone, b.phone]).toEqual([alice.phone, bob.phone])
    expect(events.payloads('accounts:qr').filter((p) => p.qr !== null)).toEqual([])
    expect(statusesSince(events, alice.id, 0)).toEqual(['connecting', 'connected'])

    // The Signal sessions survived as well: a message still decrypts on the other side.
    const text = `after restart ${Date.now()}`
    const since = events.mark()
    await core.sessions.sendText(bob.id, alice.phone, text)
    const received = await events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text, { since })
    expect(received.payload).toMatchObject({ account: alice.id })
  })

  it('keeps an account the operator stopped stopped after the restart', () => {
    const { core, events } = world
    expect(core.sessions.list().find((a) => a.id === stopped.id)?.status).toBe('stopped')
    // startAccounts() has resolved, and it awaits every start it makes: none was made for this one.
    expect(statusesSince(events, stopped.id, 0)).toEqual([])
    expect(world.sim.accounts().find((a) => a.jid === stopped.jid)?.devices.every((d) => !d.connected)).toBe(true)
  })

  it('starts nothing on boot when auto-start is off, shows the accounts stopped, and starts them by hand', async () => {
    world.core.settings.set({ autoStart: false })
    await world.reopen()
    const { core, events } = world
    await core.startAccounts()
    expect(statusesSince(events, alice.id, 0)).toEqual([])
    // Nothing runs, so the list must not repeat the "connected" the last run ended with.
    expect(core.sessions.list().map((a) => a.status)).toEqual(['stopped', 'stopped', 'stopped'])

    await core.sessions.start(alice.id)
    await waitForStatus(core, events, alice.id, 'connected', { since: 0 })
    expect(events.payloads('accounts:qr').filter((p) => p.qr !== null)).toEqual([])
    core.settings.set({ autoStart: true })
  })
})

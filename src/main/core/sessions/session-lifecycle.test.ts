// What the operator does to an account, end to end: log out, stop and start, remove, let a QR expire,
// send a text. A real core (encrypted SQLite store, real Baileys) against the in-process simulator.

import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import {
  newDataKey,
  nextQr,
  openTestCore,
  statusesSince,
  useSessionsWorld,
  waitForStatus,
  type PairedTestAccount,
} from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

/** Resolves when the simulator sees this account's device go offline. */
function simulatorDisconnect(jid: string): Promise<void> {
  return new Promise((resolve) => {
    const onDisconnect = (event: { jid: string }): void => {
      if (event.jid !== jid) return
      world.sim.events.off('disconnect', onDisconnect)
      resolve()
    }
    world.sim.events.on('disconnect', onDisconnect)
  })
}

async function keyTotal(id: PairedTestAccount['id']): Promise<number> {
  const counts = await world.core.stores.open(id).counts()
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

describe('session manager: operator actions', () => {
  it('logs out: the simulator removes the device and the keys are cleared', async () => {
    const { core, sim } = world
    const account = await world.pair('Logout')
    expect(await keyTotal(account.id)).toBeGreaterThan(0)

    const removed = once(sim.events, 'device-removed')
    const after = await core.sessions.logout(account.id)
    expect(await removed).toEqual([{ jid: account.jid, device: expect.any(Number) }])
    expect(after.status).toBe('logged-out')
    expect(after.lastError).toBeNull()
    expect(await keyTotal(account.id)).toBe(0)
    expect(await core.stores.open(account.id).loadCreds()).toBeNull()
    expect(sim.accounts().find((a) => a.jid === account.jid)?.devices).toEqual([])
  })

  it('stops (socket closed), starts again without a QR, and refuses a second start while running', async () => {
    const { core, events } = world
    const account = await world.pair('Stop and start')

    const offline = simulatorDisconnect(account.jid)
    const stopped = await core.sessions.stop(account.id)
    expect(stopped.status).toBe('stopped')
    await offline
    expect(world.sim.accounts().find((a) => a.jid === account.jid)?.devices.every((d) => !d.connected)).toBe(true)

    const since = events.mark()
    await core.sessions.start(account.id)
    const connected = await waitForStatus(core, events, account.id, 'connected', { since })
    expect(connected.phone).toBe(account.phone)
    expect(events.payloads('accounts:qr', since).filter((p) => p.id === account.id)).toEqual([])

    const second = core.sessions.start(account.id)
    await expect(second).rejects.toBeInstanceOf(AppError)
    await expect(second).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already running/) })
    // The refused start left the running socket alone.
    expect(core.sessions.list().find((a) => a.id === account.id)?.status).toBe('connected')
  })

  it('removes an account: row, keys and device gone, with an accounts:removed event', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Remove')
    const since = events.mark()
    const removedFromSim = once(sim.events, 'device-removed')

    await core.sessions.remove(account.id)
    await removedFromSim
    expect(events.payloads('accounts:removed', since)).toEqual([{ id: account.id }])
    expect(core.sessions.list().map((a) => a.id)).not.toContain(account.id)
    expect(await keyTotal(account.id)).toBe(0)
    expect(await core.stores.open(account.id).loadCreds()).toBeNull()
    expect(() => core.sessions.pairing(account.id)).toThrow(expect.objectContaining({ code: 'not-found' }))
  })

  it('delivers a text between two accounts as an accounts:message event on the receiver', async () => {
    const { core, events } = world
    const alice = await world.pair('Alice')
    const bob = await world.pair('Bob')
    const text = `hello bob ${Date.now()}`
    const since = events.mark()

    const sent = await core.sessions.sendText(alice.id, `+${bob.phone}`, text)
    expect(sent.messageId).not.toBe('')
    const message = await events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text, {
      since,
      what: 'the text on Bob',
    })
    expect(message.payload).toMatchObject({ account: bob.id, text, from: expect.stringContaining(alice.phone) })
    expect(core.sessions.messages(bob.id).map((m) => m.text)).toContain(text)

    await core.sessions.stop(alice.id)
    const refused = core.sessions.sendText(alice.id, bob.phone, 'not sent')
    await expect(refused).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/"Alice" is not connected\. Start it/) })
  })
})

describe('session manager: QR expiry', () => {
  // Its own core: the short qrTimeout applies to every pairing of a core.
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-qr-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('fails with a QR-expired message when nobody scans, and shows a new QR on start', async () => {
    // The simulator offers 6 refs; at 150 ms each the pairing window ends after about 0.9 s.
    const { core, events } = await openTestCore({ dataDir, dataKey: newDataKey(), endpoint: world.sim, socketOverrides: { qrTimeout: 150 } })
    try {
      const since = events.mark()
      const added = await core.sessions.add('Nobody scans')
      const failed = await waitForStatus(core, events, added.id, 'failed', { since })
      expect(failed.lastError).toMatch(/Nobody scanned the QR code in time/)
      expect(failed.lastDisconnectCode).toBe(408)
      const shown = events.payloads('accounts:qr', since).flatMap((p) => (p.id === added.id && p.qr ? [p.qr] : []))
      expect(shown.length).toBeGreaterThan(1)
      // Not retried: a failed pairing waits for the operator.
      expect(statusesSince(events, added.id, since)).toEqual(['new', 'connecting', 'pairing', 'failed'])
      expect(core.sessions.pairing(added.id)).toMatchObject({ qr: null, status: 'failed' })

      const again = events.mark()
      await core.sessions.start(added.id)
      const qr = await nextQr(events, added.id, again)
      expect(shown).not.toContain(qr)
      await core.sessions.stop(added.id)
    } finally {
      events.stop()
      await core.close()
    }
  })
})

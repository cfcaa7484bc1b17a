// Pairing by phone-number code through the app: the contract's accounts:pair-code (phone normalised,
// code shown as XXXX-XXXX), the simulator playing the phone, wrong and replaced codes, a restart that
// reconnects without pairing, and the refusals. A real core (encrypted SQLite, real Baileys).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandOutput, PairingState } from '../../../shared/contract'
import { newDataKey, nextQr, openTestCore, statusesSince, useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

async function pairCode(id: string, phone: string): Promise<CommandOutput<'accounts:pair-code'>> {
  const result = await world.core.dispatch('accounts:pair-code', { id, phone })
  if (!result.ok) throw new Error(`pair-code failed: ${result.error.message}`)
  return result.value as CommandOutput<'accounts:pair-code'>
}

/** Resolves once the simulator holds the account's code request for `phone`. */
function codeRequested(phone: string): Promise<void> {
  return new Promise((resolve) => {
    const onRequest = (event: { phone: string }): void => {
      if (event.phone !== phone) return
      world.sim.events.off('link-code-requested', onRequest)
      resolve()
    }
    world.sim.events.on('link-code-requested', onRequest)
  })
}

describe('pairing by code through the app', () => {
  it('pairs a new account with the code typed on the phone, and shows the method and code while it waits', async () => {
    const { core, events, sim } = world
    const since = events.mark()
    const added = await core.sessions.add('By code')
    const requested = codeRequested('4917610000001')
    const { code, expiresAt } = await pairCode(added.id, '+49 176 1000-0001')
    await requested
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/)
    expect(expiresAt).toBeGreaterThan(Date.now())
    const state = core.sessions.pairing(added.id)
    expect(state).toMatchObject({ method: 'code', code, codeExpiresAt: expiresAt, phone: '4917610000001', status: 'pairing' })
    const announced = events.payloads('accounts:qr', since).filter((p: PairingState) => p.id === added.id && p.code === code)
    expect(announced).toHaveLength(1)

    await sim.enterLinkCode('4917610000001', code)
    const connected = await waitForStatus(core, events, added.id, 'connected', { since })
    expect(connected.phone).toBe('4917610000001')
    expect(statusesSince(events, added.id, since)).toEqual(['new', 'connecting', 'pairing', 'connecting', 'connected'])
    expect(core.sessions.pairing(added.id)).toMatchObject({ code: null, qr: null, status: 'connected' })
  })

  it('refuses a wrong code, keeps waiting, and a new code replaces the old one', async () => {
    const { core, events, sim } = world
    const since = events.mark()
    const added = await core.sessions.add('Second code')
    let requested = codeRequested('4917610000002')
    const first = await pairCode(added.id, '4917610000002')
    await requested
    requested = codeRequested('4917610000002')
    const second = await pairCode(added.id, '4917610000002')
    await requested
    expect(second.code).not.toBe(first.code)
    expect(core.sessions.pairing(added.id).code).toBe(second.code)

    await expect(sim.enterLinkCode('4917610000002', first.code)).rejects.toMatchObject({ code: 'invalid-input' })
    expect(core.sessions.list().find((a) => a.id === added.id)?.status).toBe('pairing')
    const entered = await core.dispatch('simulator:enter-code', { id: added.id })
    expect(entered).toMatchObject({ ok: true, value: { jid: '4917610000002@s.whatsapp.net' } })
    await waitForStatus(core, events, added.id, 'connected', { since })
  })

  it('reconnects a code-paired account after a restart without pairing again', async () => {
    const { core: before, events: beforeEvents, sim } = world
    const added = await before.sessions.add('Restarted')
    const requested = codeRequested('4917610000003')
    const { code } = await pairCode(added.id, '4917610000003')
    await requested
    await sim.enterLinkCode('4917610000003', code)
    await waitForStatus(before, beforeEvents, added.id, 'connected')

    await world.reopen()
    const { core, events } = world
    await core.startAccounts()
    const back = await waitForStatus(core, events, added.id, 'connected', { since: 0 })
    expect(back.phone).toBe('4917610000003')
    expect(events.payloads('accounts:qr').filter((p) => p.id === added.id && (p.qr !== null || p.code !== null))).toEqual([])
  })

  it('refuses a code for a paired account, a bad number and an unknown account, with clear errors', async () => {
    const { core } = world
    const paired = await world.pair('Already paired')
    expect(await core.dispatch('accounts:pair-code', { id: paired.id, phone: '4917610000004' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/already paired/) },
    })
    expect(await core.dispatch('accounts:pair-code', { id: paired.id, phone: '0176 1234' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/international format/) },
    })
    expect(await core.dispatch('accounts:pair-code', { id: 'acc-nobody', phone: '4917610000004' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
    expect(await core.dispatch('simulator:enter-code', { id: paired.id })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/not showing a linking code/) },
    })
  })
})

describe('pairing by code: the wait is not a failure of the session', () => {
  // Its own core: the short qrTimeout applies to every pairing of a core.
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-code-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('ends as "nobody entered the code" when the window closes (408), keeping no half-paired creds, and pairs afresh on start', async () => {
    // Baileys sets creds.me when it asks for a code: judged as paired, the 408 would be retried as a
    // login, which WhatsApp answers with 401 and the keys would be wiped.
    const dataKey = newDataKey()
    const { core, events } = await openTestCore({ dataDir, dataKey, endpoint: world.sim, socketOverrides: { qrTimeout: 250 } })
    try {
      const since = events.mark()
      const added = await core.sessions.add('Nobody types')
      const requested = codeRequested('4917610000009')
      const { code } = await core.sessions.pairByCode(added.id, '4917610000009')
      await requested
      expect(code).toMatch(/^.{4}-.{4}$/)
      const failed = await waitForStatus(core, events, added.id, 'failed', { since })
      expect(failed.lastError).toMatch(/Nobody entered the code on the phone in time/)
      expect(failed.lastDisconnectCode).toBe(408)
      expect(statusesSince(events, added.id, since)).toEqual(['new', 'connecting', 'pairing', 'failed'])
      expect(core.sessions.pairing(added.id)).toMatchObject({ code: null, status: 'failed' })

      // Starting again registers a new device (a QR shows) instead of logging in with the half-set creds.
      const again = events.mark()
      await core.sessions.start(added.id)
      expect(await nextQr(events, added.id, again)).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/)
      expect(core.sessions.pairing(added.id).method).toBe('qr')
      await core.sessions.stop(added.id)
    } finally {
      events.stop()
      await core.close()
    }
  })
})

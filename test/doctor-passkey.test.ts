// The doctor during a passkey check (docs/pairing.md): while WhatsApp waits for one before it links a
// device, the account shows passkey-required, in both of the check's phases, and it ends when the
// check does. Real Baileys in a real core; the assertion is signed with node:crypto as a browser would.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PairingState } from '../src/shared/contract'
import { createSoftPasskey } from './support/baileys-clients'
import { conditionLog, conditionOf, metric, metricsFor, nextCondition } from './support/doctor'
import { useSessionsWorld, waitForStatus } from './support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('doctor: a passkey check', () => {
  it('shows passkey-required while the check waits, through both phases, and nothing once linked', async () => {
    const { core, events, sim } = world
    const metrics = metricsFor(core)
    try {
      const phone = '491530009001'
      const passkey = createSoftPasskey()
      sim.registerPasskey(phone, passkey.registration)
      const since = events.mark()
      const added = await core.sessions.add('Passkey phone')
      const first = await events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null, { since })
      const linked = sim.scanQr((first.payload as PairingState).qr!, { phone })
      linked.catch(() => undefined)

      const condition = await nextCondition(events, added.id, 'passkey-required', { since })
      expect(condition).toMatchObject({ title: 'Passkey check needed', automatic: null })
      expect(condition!.detail).toMatch(/needs a passkey check/)
      expect(await metric(metrics, 'irish_account_conditions', { code: 'passkey-required' })).toBe(1)
      const required = core.sessions.pairing(added.id)
      if (required.passkey?.phase !== 'required') throw new Error('the pairing state shows no passkey check')
      const answered = await core.dispatch('accounts:passkey-response', { id: added.id, credential: passkey.assert(required.passkey.options) })
      expect(answered).toMatchObject({ ok: true })
      // The second phase (the code to compare) is the same condition, in its own words.
      await expect.poll(() => conditionOf(core, added.id)?.detail, { timeout: 5000, interval: 50 }).toMatch(/confirmation code/)
      expect(await core.dispatch('accounts:passkey-confirm', { id: added.id })).toMatchObject({ ok: true })
      await linked
      await waitForStatus(core, events, added.id, 'connected', { since })
      expect(conditionOf(core, added.id)).toBeNull()
      const lines = await conditionLog(core, added.id)
      expect(lines[0]).toBe(`Passkey check needed: ${condition!.detail}`)
      expect(lines.at(-1)).toBe('Resolved: Passkey check needed')
    } finally {
      metrics.dispose()
    }
  })
})

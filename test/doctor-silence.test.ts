// The doctor against sockets that stay open and carry nothing: a `silence` fault, and a `close 408`
// stall. The liveness check (src/main/core/sessions/liveness.ts) must replace such a socket within
// staleSocketSeconds + 10 s, count it with its reason, and never drop an idle healthy one; then the
// account works again: what was sent to it meanwhile, and after, arrives.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Metrics } from '../src/main/core/metrics/metrics'
import { PROBE_TIMEOUT_MS } from '../src/main/core/sessions/liveness'
import { conditionLog, conditionOf, metric, metricsFor, nextCondition } from './support/doctor'
import { useSessionsWorld, waitForStatus } from './support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })
let metrics: Metrics
const STALE_SECONDS = 5
beforeAll(async () => {
  metrics = metricsFor(world.core)
  // Set while accounts run (none yet here, but the check reads it every second): applies at once.
  expect(await world.core.dispatch('settings:set', { staleSocketSeconds: STALE_SECONDS })).toMatchObject({ ok: true, value: { staleSocketSeconds: STALE_SECONDS } })
})
afterAll(() => metrics?.dispose())

describe('doctor: stale sockets', () => {
  it('replaces a silenced socket within staleSocketSeconds + 10 s, and a text sent after it arrives', async () => {
    const { core, events, sim } = world
    const [a, b] = await Promise.all([world.pair('Silenced'), world.pair('Writer')])
    const staleBefore = await metric(metrics, 'irish_stale_socket_reconnects_total')
    const since = events.mark()
    const injectedAt = Date.now()
    await sim.injectFault({ phone: a.phone, kind: 'silence', seconds: 120 })
    // Sent into the silence by the phone: queued for the device, as for one offline.
    await sim.sendFromPhone(b.phone, a.phone, 'during the silence')

    const condition = await nextCondition(events, a.id, 'stale-socket', { since, timeoutMs: (STALE_SECONDS + 10) * 1000 })
    const detectedAt = Date.now()
    expect(detectedAt - injectedAt).toBeLessThanOrEqual((STALE_SECONDS + 10) * 1000)
    expect(condition).toMatchObject({ title: 'Connection went silent', automatic: 'Reconnecting now' })
    expect(condition!.detail).toMatch(/nothing came from WhatsApp for \d+ s, and a ping got no answer within 5 s/)
    const back = await waitForStatus(core, events, a.id, 'connected', { since })
    expect(back.reconnectCount).toBe(a.summary.reconnectCount + 1)
    expect(back.condition).toBeNull()
    expect(await metric(metrics, 'irish_stale_socket_reconnects_total')).toBe(staleBefore + 1)
    expect(await metric(metrics, 'irish_reconnects_total', { reason: 'stale-socket' })).toBeGreaterThanOrEqual(1)
    expect(await conditionLog(core, a.id)).toEqual([`Connection went silent: ${condition!.detail}`, 'Resolved: Connection went silent'])
    expect((await core.sessions.health(a.id)).doctor.staleReconnects).toBe(1)

    const arrived = (text: string) =>
      events.next((m) => m.event === 'accounts:message' && m.payload.account === a.id && m.payload.text === text, { since, what: `"${text}" at ${a.id}` })
    // What waited for the device comes with the new login; a text sent now arrives as usual.
    expect((await arrived('during the silence')).payload).toMatchObject({ fromPhone: `+${b.phone}` })
    expect(await core.dispatch('accounts:send-text', { id: b.id, to: a.phone, text: 'after the silence' })).toMatchObject({ ok: true })
    await arrived('after the silence')
    sim.clearFaults(a.phone)
  }, 40_000)

  it('finds a close-408 stall the same way, long before Baileys’ own keep-alive would', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Stalled')
    const since = events.mark()
    const injectedAt = Date.now()
    await sim.injectFault({ phone: account.phone, kind: 'close', code: 408 })
    await nextCondition(events, account.id, 'stale-socket', { since, timeoutMs: (STALE_SECONDS + 10) * 1000 })
    // Baileys' keep-alive (30 s interval, 5 s grace) could not have ended it yet.
    expect(Date.now() - injectedAt).toBeLessThan(35_000)
    await waitForStatus(core, events, account.id, 'connected', { since })
    expect(conditionOf(core, account.id)).toBeNull()
    sim.clearFaults(account.phone)
  }, 40_000)

  it('answers a send WhatsApp never acknowledges with `unavailable`, and checks the socket at once', async () => {
    const { core, events, sim } = world
    const [a, b] = await Promise.all([world.pair('Unanswered'), world.pair('Unanswered peer')])
    // A long quiet spell before any check: only the unanswered send can set one off this soon.
    expect(await core.dispatch('settings:set', { staleSocketSeconds: 300 })).toMatchObject({ ok: true })
    try {
      await sim.injectFault({ phone: a.phone, kind: 'silence', seconds: 120 })
      const since = events.mark()
      const sentAt = Date.now()
      const answer = await core.dispatch('accounts:send-text', { id: a.id, to: b.phone, text: 'into the void' })
      // The number's lookup or the send's ack, whichever waits first: neither is answered.
      expect(answer).toEqual({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/^WhatsApp did not (answer|confirm the text) within 5 s/) } })
      await nextCondition(events, a.id, 'stale-socket', { since, timeoutMs: 15_000 })
      expect(Date.now() - sentAt).toBeLessThan(2 * PROBE_TIMEOUT_MS + 5000)
      await waitForStatus(core, events, a.id, 'connected', { since })
    } finally {
      sim.clearFaults(a.phone)
      await core.dispatch('settings:set', { staleSocketSeconds: STALE_SECONDS })
    }
  }, 40_000)

  it('never drops an idle healthy socket: its pings are answered', async () => {
    const { core, events } = world
    const account = await world.pair('Idle')
    const since = events.mark()
    // Three quiet spells, each ended by a ping that WhatsApp answers.
    await expect
      .poll(async () => (await core.sessions.health(account.id)).doctor.pingsAnswered, { timeout: 3 * (STALE_SECONDS * 1000 + PROBE_TIMEOUT_MS) + 5000, interval: 500 })
      .toBeGreaterThanOrEqual(3)
    expect(events.payloads('accounts:changed', since).filter((s) => s.id === account.id)).toEqual([])
    expect(conditionOf(core, account.id)).toBeNull()
    expect((await core.sessions.health(account.id)).doctor.staleReconnects).toBe(0)
  }, 60_000)

  it('refuses a staleSocketSeconds out of range with a reason, and keeps the old one', async () => {
    const { core } = world
    expect(await core.dispatch('settings:set', { staleSocketSeconds: 2 })).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: 'At least 5 seconds: shorter would ping idle accounts all the time.' },
    })
    expect(await core.dispatch('settings:set', { staleSocketSeconds: 601 })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/600/) } })
    expect(core.settings.get().staleSocketSeconds).toBe(STALE_SECONDS)
  })
})

// The doctor against `reach-out-limit` faults: WhatsApp refuses an account's messages to new contacts
// (error 463). accounts:send-text waits for WhatsApp's answer and says `rate-limited` with the limit's
// end; from then on, texts to new contacts fail at once (never queued, never tried), known contacts still
// work, the account shows the limit as its condition, and once the limit ends a new contact is reachable.

import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Metrics } from '../src/main/core/metrics/metrics'
import { formatUtc } from '../src/main/core/doctor/words'
import { conditionLog, conditionOf, metric, metricsFor, nextCondition } from './support/doctor'
import { useSessionsWorld } from './support/sessions'

/** How long the app refuses new contacts after a 463 that came without the limit's end. */
const HOLD_MS = 2500
const world = useSessionsWorld({ beforeAll, afterAll }, { doctor: { reachOutHoldMs: HOLD_MS } })
let metrics: Metrics
beforeAll(() => {
  metrics = metricsFor(world.core)
})
afterAll(() => metrics?.dispose())

describe('doctor: reach-out limits', () => {
  it('an announced limit: refused at once until its end with the end in the message, known contacts still served, then the new contact is reachable', async () => {
    const { core, events, sim } = world
    const [a, known, stranger] = await Promise.all([world.pair('Limited'), world.pair('Known'), world.pair('Stranger')])
    // Marked before sending: a send waits for WhatsApp's ack, and the text may arrive before that answer.
    const hello = events.mark()
    await core.sessions.sendText(known.id, a.phone, 'hello a')
    await events.next((m) => m.event === 'accounts:message' && m.payload.account === a.id && m.payload.text === 'hello a', { since: hello })
    const rejected: number[] = []
    sim.events.on('message-rejected', ({ code }) => rejected.push(code))

    const since = events.mark()
    const injected = await sim.injectFault({ phone: a.phone, kind: 'reach-out-limit', seconds: 3 })
    const until = Math.floor(Date.parse(injected.until!) / 1000) * 1000
    const ended = once(sim.events, 'fault-ended')
    // WhatsApp told the companion: the condition shows the limit and its end before any send.
    const condition = await nextCondition(events, a.id, 'reach-out-limited', { since })
    expect(condition).toMatchObject({ title: 'Limited to known contacts', until, automatic: `Refusing texts to new contacts until ${formatUtc(until)}, without asking WhatsApp` })
    expect(await conditionLog(core, a.id)).toEqual([`Limited to known contacts: ${condition!.detail}`])
    expect(await metric(metrics, 'irish_account_conditions', { code: 'reach-out-limited' })).toBe(1)

    const refused = await core.dispatch('accounts:send-text', { id: a.id, to: stranger.phone, text: 'are you there?' })
    expect(refused).toEqual({
      ok: false,
      error: { code: 'rate-limited', message: expect.stringContaining(`until ${formatUtc(until)}`), retryAt: until },
    })
    // Refused here, without asking WhatsApp: nothing reached the simulator.
    expect(rejected).toEqual([])
    expect(await metric(metrics, 'irish_send_refusals_total', { reason: 'reach-out-limit-early' })).toBe(1)
    expect(await core.dispatch('accounts:send-text', { id: a.id, to: known.phone, text: 'still talking to you' })).toMatchObject({ ok: true })
    expect((await core.sessions.health(a.id)).doctor.sendRefusals).toBe(1)

    await ended
    expect(await nextCondition(events, a.id, null, { since })).toBeNull()
    const heard = events.mark()
    expect(await core.dispatch('accounts:send-text', { id: a.id, to: stranger.phone, text: 'now you can hear me' })).toMatchObject({ ok: true })
    await events.next((m) => m.event === 'accounts:message' && m.payload.account === stranger.id && m.payload.text === 'now you can hear me', { since: heard })
    expect(conditionOf(core, a.id)).toBeNull()
  }, 30_000)

  it('an unannounced limit: the 463 itself is rate-limited, the next new contact fails at once, and after the hold the app tries again', async () => {
    const { core, events, sim } = world
    const [a, b, c] = await Promise.all([world.pair('Quietly limited'), world.pair('New one'), world.pair('New two')])
    const rejected: number[] = []
    sim.events.on('message-rejected', ({ code }) => rejected.push(code))
    const refusalsBefore = await metric(metrics, 'irish_send_refusals_total', { reason: 'reach-out-limit' })
    await sim.injectFault({ phone: a.phone, kind: 'reach-out-limit', seconds: 2, announce: false })
    const ended = once(sim.events, 'fault-ended')

    const since = events.mark()
    const first = await core.dispatch('accounts:send-text', { id: a.id, to: b.phone, text: 'first try' })
    // Baileys resolved the send; the app waited for WhatsApp's answer, which was 463.
    expect(first).toEqual({ ok: false, error: { code: 'rate-limited', message: expect.stringMatching(/did not say until when/), retryAt: expect.any(Number) } })
    expect(rejected).toEqual([463])
    expect(await metric(metrics, 'irish_send_refusals_total', { reason: 'reach-out-limit' })).toBe(refusalsBefore + 1)
    const condition = await nextCondition(events, a.id, 'reach-out-limited', { since })
    expect(condition!.detail).toMatch(/did not say for how long/)

    // Never a second reach-out while the limit holds: refused at once.
    expect(await core.dispatch('accounts:send-text', { id: a.id, to: c.phone, text: 'second try' })).toMatchObject({ ok: false, error: { code: 'rate-limited' } })
    expect(rejected).toEqual([463])

    await ended
    await nextCondition(events, a.id, null, { since, timeoutMs: HOLD_MS + 5000 })
    const third = events.mark()
    expect(await core.dispatch('accounts:send-text', { id: a.id, to: c.phone, text: 'third try' })).toMatchObject({ ok: true })
    await events.next((m) => m.event === 'accounts:message' && m.payload.account === c.id && m.payload.text === 'third try', { since: third })
  }, 30_000)
})

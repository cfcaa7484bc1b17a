// The doctor against `close` faults (src/simulator/README.md, "Faults on request"): real Baileys in a real
// core, WhatsApp's close codes from the simulator. For each: the condition the account shows, what the
// app does about it (retry, or never), the accounts:condition event, the activity log's line and the
// metric; then the account healthy again where it can be (a retry, a re-pair, a take-back).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Metrics } from '../src/main/core/metrics/metrics'
import { conditionChanges, conditionLog, conditionOf, metric, metricsFor, nextCondition } from './support/doctor'
import { nextQr, statusesSince, useSessionsWorld, waitForStatus } from './support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })
let metrics: Metrics
beforeAll(() => {
  metrics = metricsFor(world.core)
})
afterAll(() => metrics?.dispose())

describe('doctor: close faults', () => {
  it('401: logged out, never retried; a plain start is refused with the reason, a re-pair brings it back', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Closed 401')
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'close', code: 401 })

    const condition = await nextCondition(events, account.id, 'logged-out', { since })
    expect(condition).toMatchObject({ title: 'Logged out by WhatsApp', automatic: null, until: null })
    expect(condition!.detail).toMatch(/\(401\)/)
    expect(condition!.remedy).toMatch(/Re-pair/)
    await waitForStatus(core, events, account.id, 'logged-out', { since })
    expect(conditionChanges(events, account.id, since)).toEqual([{ id: account.id, condition, previous: null }])
    expect(await conditionLog(core, account.id)).toEqual([`Logged out by WhatsApp: ${condition!.detail}`])
    expect(await metric(metrics, 'irish_account_conditions', { code: 'logged-out' })).toBe(1)
    // Never retried: no reconnect, no QR code.
    expect(statusesSince(events, account.id, since)).toEqual(['logged-out'])

    const refused = await core.dispatch('accounts:start', { id: account.id })
    expect(refused).toEqual({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/logged out by WhatsApp.*repair: true/) } })
    expect(events.payloads('accounts:qr', since).filter((p) => p.id === account.id && p.qr)).toEqual([])

    const repairMark = events.mark()
    expect(await core.dispatch('accounts:start', { id: account.id, repair: true })).toMatchObject({ ok: true })
    await sim.scanQr(await nextQr(events, account.id, repairMark), { phone: account.phone })
    await waitForStatus(core, events, account.id, 'connected', { since: repairMark })
    expect(await nextCondition(events, account.id, null, { since: repairMark })).toBeNull()
    expect(conditionOf(core, account.id)).toBeNull()
    expect(await metric(metrics, 'irish_account_conditions', { code: 'logged-out' })).toBe(0)
    expect((await conditionLog(core, account.id)).at(-1)).toBe('Resolved: Logged out by WhatsApp')
  })

  it('403: banned, never retried, every login refused; re-paired once the ban is lifted', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Closed 403')
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'close', code: 403 })

    const condition = await nextCondition(events, account.id, 'banned', { since })
    expect(condition).toMatchObject({ title: 'Banned by WhatsApp', automatic: null })
    // "Failed" is no longer the whole story: the status says failed, the condition says why.
    expect((await waitForStatus(core, events, account.id, 'failed', { since })).condition?.code).toBe('banned')
    expect(await conditionLog(core, account.id)).toEqual([`Banned by WhatsApp: ${condition!.detail}`])
    expect(await metric(metrics, 'irish_account_conditions', { code: 'banned' })).toBe(1)
    expect(statusesSince(events, account.id, since)).toEqual(['failed'])
    expect((await core.dispatch('accounts:start', { id: account.id })) as unknown).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/banned/) } })

    sim.clearFaults(account.phone)
    const repairMark = events.mark()
    expect(await core.dispatch('accounts:bulk', { ids: [account.id], action: 'repair' })).toMatchObject({ ok: true, value: [{ id: account.id, ok: true }] })
    await sim.scanQr(await nextQr(events, account.id, repairMark), { phone: account.phone })
    await waitForStatus(core, events, account.id, 'connected', { since: repairMark })
    expect(conditionOf(core, account.id)).toBeNull()
  })

  it('440: replaced, never retried; taken back explicitly', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Closed 440')
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'close', code: 440 })

    const condition = await nextCondition(events, account.id, 'replaced', { since })
    expect(condition).toMatchObject({ title: 'Replaced by another client', automatic: null })
    expect(await conditionLog(core, account.id)).toEqual([`Replaced by another client: ${condition!.detail}`])
    expect(await metric(metrics, 'irish_account_conditions', { code: 'replaced' })).toBe(1)
    expect((await core.dispatch('accounts:bulk', { ids: [account.id], action: 'start' })) as unknown).toMatchObject({
      ok: true,
      value: [{ id: account.id, ok: false, error: { code: 'conflict', message: expect.stringMatching(/takeBack: true/) } }],
    })
    const back = events.mark()
    expect(await core.dispatch('accounts:start', { id: account.id, takeBack: true })).toMatchObject({ ok: true })
    await waitForStatus(core, events, account.id, 'connected', { since: back })
    expect(conditionOf(core, account.id)).toBeNull()
  })

  it.each([
    { code: 500 as const, condition: 'server-error' as const, reason: 'bad-session' },
    { code: 503 as const, condition: 'server-error' as const, reason: 'unavailable-service' },
    { code: 428 as const, condition: 'unreachable' as const, reason: 'connection-closed' },
  ])('$code: $condition while the app retries, gone once it is connected again', async ({ code, condition: expected, reason }) => {
    const { core, events, sim } = world
    const account = await world.pair(`Closed ${code}`)
    const reconnectsBefore = await metric(metrics, 'irish_reconnects_total', { reason })
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'close', code })

    const condition = await nextCondition(events, account.id, expected, { since })
    expect(condition!.automatic).toBe('Reconnecting with backoff (attempt 1)')
    expect(condition!.detail).toContain(`(${code})`)
    await nextCondition(events, account.id, null, { since })
    expect((await waitForStatus(core, events, account.id, 'connected', { since })).condition).toBeNull()
    const lines = await conditionLog(core, account.id)
    expect(lines).toEqual([`${condition!.title}: ${condition!.detail}`, `Resolved: ${condition!.title}`])
    expect(await metric(metrics, 'irish_reconnects_total', { reason })).toBe(reconnectsBefore + 1)
  })

  it('515: a restart WhatsApp asks for is no condition at all', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Closed 515')
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'close', code: 515 })
    await waitForStatus(core, events, account.id, 'connected', { since })
    expect(statusesSince(events, account.id, since)).toEqual(['connecting', 'connected'])
    expect(conditionChanges(events, account.id, since)).toEqual([])
  })
})

// accounts:bulk on a real core (encrypted SQLite, real Baileys against the in-process simulator): one
// result per distinct id in the order given, failures only in their own entries, unknown ids refused
// without touching anything, and who asked written to each account's activity log.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localCaller } from '../access/caller'
import { MAX_BULK_IDS, type BulkResult } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { runBulkAction } from './bulk'
import { useSessionsWorld, waitForStatus } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('accounts:bulk', () => {
  it('stops and starts many accounts, answering per id with mixed results and unknown ids', async () => {
    const { core, events } = world
    const alice = await world.pair('Bulk Alice')
    const bob = await world.pair('Bulk Bob')
    const carol = await world.pair('Bulk Carol')
    const ghost = 'acc-does-not-exist' as AccountId

    await core.sessions.stop(carol.id)
    const since = events.mark()
    const stopped = await core.dispatch('accounts:bulk', { ids: [alice.id, ghost, bob.id, alice.id], action: 'stop' }, localCaller('cli'))
    expect(stopped.ok).toBe(true)
    const stopResults = (stopped as { value: BulkResult[] }).value
    // One entry per distinct id, in the order given.
    expect(stopResults.map((r) => r.id)).toEqual([alice.id, ghost, bob.id])
    expect(stopResults[0]).toMatchObject({ ok: true, account: { id: alice.id, status: 'stopped' } })
    expect(stopResults[1]).toEqual({ id: ghost, ok: false, error: { code: 'not-found', message: expect.stringContaining(ghost) } })
    expect(stopResults[2]).toMatchObject({ ok: true, account: { id: bob.id, status: 'stopped' } })
    expect(core.sessions.list().filter((a) => [alice.id, bob.id].includes(a.id)).map((a) => a.status)).toEqual(['stopped', 'stopped'])

    // Start: Alice and Carol start, Bob is started twice in the same call (once), and a running account
    // (started just before) fails alone with the reason a single start gives.
    await core.sessions.start(bob.id)
    await waitForStatus(core, events, bob.id, 'connected', { since })
    const started = await core.dispatch('accounts:bulk', { ids: [alice.id, bob.id, carol.id], action: 'start' }, localCaller('ui'))
    expect(started.ok).toBe(true)
    const startResults = (started as { value: BulkResult[] }).value
    expect(startResults.map((r) => [r.id, r.ok])).toEqual([
      [alice.id, true],
      [bob.id, false],
      [carol.id, true],
    ])
    expect(startResults[1]!.error).toEqual({ code: 'conflict', message: expect.stringMatching(/already running/) })
    await waitForStatus(core, events, alice.id, 'connected', { since })
    await waitForStatus(core, events, carol.id, 'connected', { since })

    // Who asked, per account, as single commands write it; nothing for the unknown id.
    expect((await core.activity.list(alice.id, 50)).filter((e) => e.kind !== 'status').map((e) => [e.actor, e.kind, e.message])).toEqual(
      expect.arrayContaining([
        ['ui', 'command', 'Start (with other selected accounts): done'],
        ['cli', 'command', 'Stop (with other selected accounts): done'],
      ]),
    )
    expect(await core.activity.list(bob.id, 50)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'ui', kind: 'error', message: expect.stringMatching(/^Start \(with other selected accounts\): failed \(.*already running/) }),
      ]),
    )
    expect(await core.activity.list(ghost)).toEqual([])
  })

  it('restarts: a running account is stopped and started again, a stopped one started; a restart asked for one account alone is said as its own action', async () => {
    const { core, events } = world
    const dana = await world.pair('Bulk Dana')
    const erin = await world.pair('Bulk Erin')
    await core.sessions.stop(erin.id)
    const since = events.mark()
    const restarted = await core.dispatch('accounts:bulk', { ids: [dana.id, erin.id], action: 'restart' }, localCaller('ui'))
    expect(restarted.ok && (restarted.value as BulkResult[]).map((r) => [r.id, r.ok])).toEqual([
      [dana.id, true],
      [erin.id, true],
    ])
    // Dana went through stopped on the way back.
    await waitForStatus(core, events, dana.id, 'stopped', { since })
    await waitForStatus(core, events, dana.id, 'connected', { since })
    await waitForStatus(core, events, erin.id, 'connected', { since })
    const alone = await core.dispatch('accounts:bulk', { ids: [dana.id], action: 'restart', alone: true }, localCaller('ui'))
    expect(alone.ok && (alone.value as BulkResult[])[0]?.ok).toBe(true)
    await waitForStatus(core, events, dana.id, 'connected', { since: events.mark() })
    expect((await core.activity.list(dana.id, 50)).filter((e) => e.kind === 'command').map((e) => e.message)).toEqual(
      expect.arrayContaining(['Restart: done', 'Restart (with other selected accounts): done']),
    )
  })

  it('tags many accounts at once: adds and removes without regard to case, per account, said in the log and kept', async () => {
    const { core, events } = world
    const accounts = core.sessions.list().slice(0, 3)
    const ids = accounts.map((a) => a.id)
    const since = events.mark()
    const tagged = await core.dispatch('accounts:tag', { ids, add: ['vip', 'EU west'] }, localCaller('ui'))
    expect(tagged.ok && (tagged.value as BulkResult[]).map((r) => [r.id, r.ok, r.account?.tags])).toEqual(ids.map((id) => [id, true, ['vip', 'EU west']]))
    // Each account announced its new tags.
    await events.next((m) => m.event === 'accounts:changed' && m.payload.id === ids[2] && m.payload.tags.includes('vip'), { since })
    const changed = await core.dispatch('accounts:tag', { ids: [ids[0]!], add: ['VIP', 'late'], remove: ['eu WEST'] }, localCaller('cli'))
    expect(changed.ok && (changed.value as BulkResult[])[0]?.account?.tags).toEqual(['vip', 'late'])
    expect(core.sessions.list().find((a) => a.id === ids[0])?.tags).toEqual(['vip', 'late'])
    expect((await core.activity.list(ids[0]!, 50)).map((e) => e.message)).toEqual(
      expect.arrayContaining(['Tags: +vip +EU west: done', 'Tags: +VIP +late −eu WEST: done']),
    )
    // Too many tags fails that account alone (two tags, 19 more), with the reason; nothing is written for
    // it, and the other (one tag, 19 more: 20) takes them.
    await core.dispatch('accounts:tag', { ids: [ids[1]!], remove: ['eu west'] })
    const many = Array.from({ length: 19 }, (_, i) => `bulk ${i}`)
    const full = await core.dispatch('accounts:tag', { ids: [ids[0]!, ids[1]!], add: many })
    const results = full.ok ? (full.value as BulkResult[]) : []
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('at most 20 tags; this would give it 21') } })
    expect(results[1]).toMatchObject({ ok: true })
    expect(core.sessions.list().find((a) => a.id === ids[0])?.tags).toEqual(['vip', 'late'])
    await core.dispatch('accounts:tag', { ids, remove: [...many, 'vip', 'late', 'eu west'] })
    expect(core.sessions.list().filter((a) => ids.includes(a.id)).map((a) => a.tags)).toEqual([[], [], []])
  })

  it('refuses a tag change it cannot make as a whole, in words', async () => {
    const { core } = world
    const id = core.sessions.list()[0]!.id
    expect(await core.dispatch('accounts:tag', { ids: [id] })).toEqual({ ok: false, error: { code: 'invalid-input', message: 'Give at least one tag to add or remove.' } })
    expect(await core.dispatch('accounts:tag', { ids: [id], add: ['a,b'] })).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: 'A tag cannot contain a comma: "a,b" would read as two tags.' },
    })
    expect(await core.dispatch('accounts:tag', { ids: [], add: ['x'] })).toMatchObject({ ok: false, error: { message: expect.stringContaining('Choose at least one account.') } })
  })

  it('refuses bad input as a whole, with readable messages and nothing done', async () => {
    const { core } = world
    const before = core.sessions.list()
    const empty = await core.dispatch('accounts:bulk', { ids: [], action: 'stop' })
    expect(empty).toEqual({ ok: false, error: { code: 'invalid-input', message: expect.stringContaining('Choose at least one account.') } })
    const tooMany = Array.from({ length: MAX_BULK_IDS + 1 }, (_, i) => `acc-${i}`)
    expect(await core.dispatch('accounts:bulk', { ids: tooMany, action: 'stop' })).toEqual({
      ok: false,
      error: { code: 'invalid-input', message: `At most ${MAX_BULK_IDS} accounts at once: send larger selections in parts.` },
    })
    const badId = await core.dispatch('accounts:bulk', { ids: ['Not An Id'], action: 'stop' })
    expect(badId).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/account id/) } })
    const badAction = await core.dispatch('accounts:bulk', { ids: before.map((a) => a.id), action: 'remove' })
    expect(badAction).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(badAction.ok ? '' : badAction.error.message).not.toMatch(/\bids\b|\[\d+\]/)
    expect(core.sessions.list().map((a) => a.status)).toEqual(before.map((a) => a.status))
  })

  it('runs at most `concurrency` accounts at once and maps unexpected errors through `describe`', async () => {
    // A stand-in session manager, only to count how many stops overlap and to throw a non-AppError:
    // neither can be observed from outside a real core. The real core's behaviour is the first test's.
    let running = 0
    let peak = 0
    const ids = Array.from({ length: 20 }, (_, i) => `acc-b${i}` as AccountId)
    const sessions = {
      list: () => ids.map((id) => ({ id }) as never),
      start: () => Promise.reject(new Error('not used')),
      logout: () => Promise.reject(new Error('not used')),
      restart: () => Promise.reject(new Error('not used')),
      async stop(id: AccountId) {
        running++
        peak = Math.max(peak, running)
        await new Promise((resolve) => setImmediate(resolve))
        running--
        if (id === 'acc-b7') throw new TypeError('socket exploded')
        return { id } as never
      },
    }
    const results = await runBulkAction(sessions, ids, 'stop', {
      concurrency: 3,
      describe: (error) => ({ code: 'internal', message: `described: ${(error as Error).message}` }),
    })
    expect(peak).toBe(3)
    expect(results.filter((r) => !r.ok)).toEqual([{ id: 'acc-b7', ok: false, error: { code: 'internal', message: 'described: socket exploded' } }])
    expect(results.map((r) => r.id)).toEqual(ids)
  })
})

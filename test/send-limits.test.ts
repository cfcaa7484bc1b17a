// Send limits and the durable send queue, end to end in one core (encrypted SQLite, real Baileys against
// the simulator): sends over a limit wait and go in order as the window moves (a minute of 2 s here:
// the core's sendWindows, a test-only option), a reach-out limit from the simulator's fault holds only
// sends to new contacts, a full queue refuses, and bad input changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, BulkResult, CommandOutput, MessageSent, QueueEntry, Result, SendStats, Settings } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import { NO_LIMITS } from '../src/main/core/sends/limits'
import { useSessionsWorld, type PairedTestAccount } from './support/sessions'

const MINUTE_MS = 2_000
const world = useSessionsWorld({ beforeAll, afterAll }, { sendWindows: { minuteMs: MINUTE_MS } })

async function call<T>(command: string, input: unknown): Promise<Result<T>> {
  return (await world.core.dispatch(command, input)) as Result<T>
}

async function value<T>(command: string, input: unknown): Promise<T> {
  const result = await call<T>(command, input)
  if (!result.ok) throw new Error(`${command} failed: ${result.error.code} ${result.error.message}`)
  return result.value
}

function send(from: PairedTestAccount, to: PairedTestAccount, text: string): Promise<Result<CommandOutput<'accounts:send-text'>>> {
  return call('accounts:send-text', { id: from.id, to: `+${to.phone}`, text })
}

async function setLimits(id: AccountId, limits: Record<string, number | null>): Promise<AccountSummary> {
  const [result] = await value<BulkResult[]>('accounts:set-limits', { ids: [id], limits })
  expect(result!.ok).toBe(true)
  return result!.account!
}

describe('send limits and the send queue', () => {
  /** A message that was sent, not queued: it cannot be cancelled. */
  let sentId = ''
  let sender: PairedTestAccount
  let receiver: PairedTestAccount
  let stranger: PairedTestAccount

  beforeAll(async () => {
    sender = await world.pair('Sender')
    receiver = await world.pair('Receiver')
    stranger = await world.pair('Stranger')
  })

  it('starts a new account with the conservative defaults and shows them', () => {
    expect(sender.summary.limits).toEqual({ perMinute: 10, perHour: 100, perDay: 500, newContactsPerDay: 50, minGapMs: null })
  })

  it('gives new accounts the default limits from the settings; a change keeps the limits left out', async () => {
    const defaults = { perMinute: 7, perHour: 70, perDay: null, newContactsPerDay: 20, minGapMs: 1_500 }
    const before = await value<Settings>('settings:get', {})
    expect((await value<Settings>('settings:set', { defaultLimits: defaults })).defaultLimits).toEqual(defaults)
    try {
      const added = await value<AccountSummary>('accounts:add', { label: 'Under the defaults' })
      expect(added.limits).toEqual(defaults)
      // Accounts made before keep what they had.
      expect(world.core.sessions.list().find((a) => a.id === sender.id)!.limits).toEqual(sender.summary.limits)
      // A patch: a number sets one, null removes one, a key left out keeps what is set.
      const changed = await setLimits(added.id, { perHour: 30, newContactsPerDay: null })
      expect(changed.limits).toEqual({ ...defaults, perHour: 30, newContactsPerDay: null })
      await value('accounts:remove', { id: added.id })
    } finally {
      await value('settings:set', { defaultLimits: before.defaultLimits })
    }
  })

  it('ten sends at three a minute: three go at once, seven wait and go in order as the window moves', async () => {
    await setLimits(sender.id, { ...NO_LIMITS, perMinute: 3 })
    const since = world.events.mark()
    const started = Date.now()
    const answers: Array<CommandOutput<'accounts:send-text'>> = []
    for (let i = 0; i < 10; i += 1) {
      const result = await send(sender, receiver, `window ${i}`)
      if (!result.ok) throw new Error(result.error.message)
      answers.push(result.value)
    }
    expect(answers.map((a) => a.state)).toEqual(['sent', 'sent', 'sent', 'queued', 'queued', 'queued', 'queued', 'queued', 'queued', 'queued'])
    sentId = answers[0]!.messageId
    for (const queued of answers.slice(3)) expect(queued.sendAt).toBeGreaterThanOrEqual(started + MINUTE_MS - 50)
    // Planned three a window, in the order asked.
    const queue = await value<QueueEntry[]>('accounts:queue', { id: sender.id })
    expect(queue.map((q) => q.messageId)).toEqual(answers.slice(3).map((a) => a.messageId))
    expect(queue[3]!.sendAt - queue[0]!.sendAt).toBeGreaterThanOrEqual(MINUTE_MS - 50)
    const [stats] = (await value<SendStats[]>('accounts:send-stats', {})).filter((s) => s.id === sender.id)
    expect(stats).toMatchObject({ queued: 7, limitReached: { limit: 'perMinute' } })

    // Every text arrives once, in the order sent; each send's final state is announced.
    const texts = answers.map((_, i) => `window ${i}`)
    await world.events.next(() => world.events.payloads('accounts:message', since).filter((m) => m.account === receiver.id).length >= 10, {
      since,
      timeoutMs: 4 * MINUTE_MS + 8_000,
      what: 'all ten texts at the receiver',
    })
    const arrived = world.events.payloads('accounts:message', since).filter((m) => m.account === receiver.id)
    expect(arrived.map((m) => m.text)).toEqual(texts)
    const sent = world.events.payloads('accounts:message-sent', since).filter((m) => m.account === sender.id)
    expect(sent.map((m) => [m.messageId, m.state])).toEqual(answers.map((a) => [a.messageId, 'sent']))
    // No more than three in any window.
    const times = sent.map((m) => m.at)
    for (let i = 3; i < times.length; i += 1) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(MINUTE_MS)
    expect(await value('accounts:queue', { id: sender.id })).toEqual([])
  }, 60_000)

  it('cancels waiting sends, refuses to cancel one already sent, and changes nothing then', async () => {
    // A minute since the last send: everything waits.
    await setLimits(sender.id, { ...NO_LIMITS, minGapMs: 60_000 })
    const first = await send(sender, receiver, 'waits')
    const second = await send(sender, receiver, 'waits too')
    if (!first.ok || !second.ok) throw new Error('a send failed')
    expect([first.value.state, second.value.state]).toEqual(['queued', 'queued'])

    const mixed = await call('accounts:queue-cancel', { id: sender.id, messageIds: [first.value.messageId, sentId] })
    expect(mixed).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(sentId) } })
    expect((await value<QueueEntry[]>('accounts:queue', { id: sender.id })).map((q) => q.messageId)).toEqual([first.value.messageId, second.value.messageId])

    const since = world.events.mark()
    expect(await value('accounts:queue-cancel', { id: sender.id, messageIds: [first.value.messageId] })).toEqual({ cancelled: 1 })
    expect(world.events.payloads('accounts:message-sent', since)).toEqual([expect.objectContaining({ messageId: first.value.messageId, state: 'cancelled' })])
    expect((await value<QueueEntry[]>('accounts:queue', { id: sender.id })).map((q) => q.messageId)).toEqual([second.value.messageId])
    await value('accounts:queue-cancel', { id: sender.id, messageIds: [second.value.messageId] })
  })

  it('refuses a send past the longest queue the settings allow, with rate-limited', async () => {
    await value('settings:set', { maxQueuePerAccount: 2 })
    try {
      await setLimits(sender.id, { ...NO_LIMITS, minGapMs: 60_000 })
      const results = []
      for (const text of ['a', 'b', 'c']) results.push(await send(sender, receiver, `full ${text}`))
      expect(results.slice(0, 2).map((r) => r.ok && r.value.state)).toEqual(['queued', 'queued'])
      expect(results[2]).toMatchObject({ ok: false, error: { code: 'rate-limited', message: expect.stringMatching(/holds 2 messages/) } })
      const queue = await value<QueueEntry[]>('accounts:queue', { id: sender.id })
      expect(queue).toHaveLength(2)
      await value('accounts:queue-cancel', { id: sender.id, messageIds: queue.map((q) => q.messageId) })
    } finally {
      await value('settings:set', { maxQueuePerAccount: 1000 })
    }
  })

  it('refuses limits below 1 or absurdly high, and a malformed limit, changing nothing', async () => {
    const before = (await setLimits(sender.id, { ...NO_LIMITS, perMinute: 5 })).limits
    for (const [limits, says] of [
      [{ perMinute: -1 }, /messages per minute is at least 1/],
      [{ perMinute: 0 }, /at least 1/],
      [{ perDay: 10_000_000 }, /messages per day is at most 1,000,000;/],
      [{ perMinute: 1_001 }, /messages per minute is at most 1,000;/],
      [{ minGapMs: 3_600_001 }, /milliseconds between two sends is at most 3,600,000;/],
      [{ minGapMs: 1.5 }, /whole number/],
      [{ perHour: '10' }, /as a number/],
      [{ perWeek: 3 }, /perWeek/],
    ] as const) {
      const result = await call('accounts:set-limits', { ids: [sender.id], limits })
      expect(result, JSON.stringify(limits)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(says) } })
    }
    expect(world.core.sessions.list().find((a) => a.id === sender.id)!.limits).toEqual(before)
    const settings = await call('settings:set', { defaultLimits: { ...NO_LIMITS, perHour: -5 } })
    expect(settings).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('a reach-out limit from the simulator holds only sends to new contacts: refused at once, never queued', async () => {
    await setLimits(sender.id, NO_LIMITS)
    const newcomer = await world.pair('Newcomer')
    const since = world.events.mark()
    await world.sim.injectFault({ phone: sender.phone, kind: 'reach-out-limit', seconds: 120 })
    const limited = await world.events.next(
      (m) => m.event === 'accounts:changed' && m.payload.id === sender.id && m.payload.condition?.code === 'reach-out-limited',
      { since, what: 'the reach-out limit announced' },
    )
    expect((limited.payload as AccountSummary).condition!.until).toBeGreaterThan(Date.now())
    try {
      // The receiver is a known contact: it goes.
      const known = await send(sender, receiver, 'to a known contact')
      expect(known).toMatchObject({ ok: true, value: { state: 'sent' } })
      const refused = await send(sender, newcomer, 'to a new contact')
      expect(refused).toMatchObject({ ok: false, error: { code: 'rate-limited', retryAt: expect.any(Number), message: expect.stringMatching(/new contacts until/) } })
      expect(await value('accounts:queue', { id: sender.id })).toEqual([])
      const arrived = await world.events.next((m) => m.event === 'accounts:message' && m.payload.text === 'to a known contact', { since })
      expect((arrived.payload as { account: string }).account).toBe(receiver.id)
    } finally {
      world.sim.clearFaults(sender.phone)
    }
    const lifted = world.events.mark()
    await world.events.next((m) => m.event === 'accounts:changed' && m.payload.id === sender.id && m.payload.condition === null, { since: lifted, what: 'the limit lifted' })
    expect(await send(sender, stranger, 'after the limit')).toMatchObject({ ok: true, value: { state: 'sent' } })
  })

  it('holds a send to a new contact over newContactsPerDay while known contacts pass it', async () => {
    const limited = await world.pair('Limited sender')
    const fresh = await world.pair('Fresh')
    // The receiver writes first: a known contact of the limited sender from then on.
    const since = world.events.mark()
    expect(await send(receiver, limited, 'hello first')).toMatchObject({ ok: true })
    await world.events.next((m) => m.event === 'accounts:message' && m.payload.text === 'hello first', { since })
    await setLimits(limited.id, { ...NO_LIMITS, newContactsPerDay: 1 })
    const first = await send(limited, fresh, 'first new contact')
    const second = await send(limited, stranger, 'second new contact')
    const known = await send(limited, receiver, 'known contact')
    expect([first, second, known].map((r) => r.ok && r.value.state)).toEqual(['sent', 'queued', 'queued'])
    await world.events.next((m) => m.event === 'accounts:message' && m.payload.text === 'known contact', { since, what: 'the known contact passing' })
    const waiting = await value<QueueEntry[]>('accounts:queue', { id: limited.id })
    expect(waiting.map((q) => q.to)).toEqual([`${stranger.phone}@s.whatsapp.net`])
    const [stats] = (await value<SendStats[]>('accounts:send-stats', {})).filter((s) => s.id === limited.id)
    expect(stats).toMatchObject({ queued: 1, sentToday: 2, limitReached: { limit: 'newContactsPerDay' } })
    await value('accounts:queue-cancel', { id: limited.id, messageIds: waiting.map((q) => q.messageId) })
    const ended = (world.events.payloads('accounts:message-sent', since) as MessageSent[]).filter((e) => e.account === limited.id)
    expect(ended.map((e) => e.state).sort()).toEqual(['cancelled', 'sent', 'sent'])
  })
})

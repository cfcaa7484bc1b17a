// The doctor against `bad-mac` faults: the next messages to an account arrive undecryptable. Between two
// accounts of the app (real Baileys on both sides) every such message must still arrive, once, in the
// order it was sent: the receiver asks again (a retry receipt), the sender answers from its outbox
// (getMessage), and the 479 WhatsApp gives Baileys' doubled retry stanza is answered with a resend in a
// retry's own shape (src/main/core/sessions/server-acks.ts). The failures are counted per account and
// per sender, shown as a condition past a threshold, and a sender whose messages keep failing gets its
// session reset, which the condition says.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Metrics } from '../src/main/core/metrics/metrics'
import { DEFAULT_DECRYPT_OPTIONS } from '../src/main/core/doctor/decrypt-book'
import { conditionLog, conditionOf, metric, metricsFor, nextCondition } from './support/doctor'
import { useSessionsWorld } from './support/sessions'

/** With nothing left waiting, the condition ends after this long without a new failure. */
const QUIET_MS = 1500
const world = useSessionsWorld({ beforeAll, afterAll }, { doctor: { decrypt: { quietMs: QUIET_MS } } })
let metrics: Metrics
beforeAll(() => {
  metrics = metricsFor(world.core)
})
afterAll(() => metrics?.dispose())

describe('doctor: decryption failures', () => {
  it('recovers every spoiled message between two accounts, in order, none lost; counts them, resets the failing session, and says so', async () => {
    const { core, events, sim } = world
    const [a, b] = await Promise.all([world.pair('Sender'), world.pair('Receiver')])
    const received = (text: string, since = 0) =>
      events.next((m) => m.event === 'accounts:message' && m.payload.account === b.id && m.payload.text === text, { since, timeoutMs: 20_000, what: `"${text}" at ${b.id}` })
    // One exchange each way first: the spoiled messages ride an established session (`msg`, not `pkmsg`).
    // Marked before sending: a send waits for WhatsApp's ack, and the text may arrive before that answer.
    const hi = events.mark()
    await core.sessions.sendText(b.id, a.phone, 'hi a')
    await events.next((m) => m.event === 'accounts:message' && m.payload.account === a.id && m.payload.text === 'hi a', { since: hi })
    await core.sessions.sendText(a.id, b.phone, 'hello b')
    await received('hello b')

    const spoiledCount = DEFAULT_DECRYPT_OPTIONS.raiseAt
    const failuresBefore = await metric(metrics, 'irish_decrypt_failures_total')
    const since = events.mark()
    await sim.injectFault({ phone: b.phone, kind: 'bad-mac', count: spoiledCount })
    const texts = Array.from({ length: spoiledCount + 2 }, (_, i) => `m${i + 1}`)
    // Every send is answered by WhatsApp: the spoiling happens on the way to the receiver.
    for (const text of texts) await core.sessions.sendText(a.id, b.phone, text)
    for (const text of texts) await received(text, since)

    const condition = await nextCondition(events, b.id, 'decrypt-failures', { since, timeoutMs: 20_000 })
    expect(condition).toMatchObject({ title: 'Messages fail to decrypt', automatic: expect.stringMatching(/retry receipts/) })
    expect(condition!.detail).toMatch(new RegExp(`^${spoiledCount} messages failed to decrypt in the last 10 minutes`))
    // Each text arrived exactly once, in the order sent, each in the place its failure took.
    const inbox = core.sessions.messages(b.id).map((m) => m.text)
    expect(inbox.slice(inbox.indexOf('m1'))).toEqual(texts)
    expect(events.payloads('accounts:message', since).filter((m) => m.account === b.id).map((m) => m.text).sort()).toEqual([...texts].sort())

    const health = await core.sessions.health(b.id)
    // Past the threshold of failures in a row from one sender, its session was reset, once. The sender
    // learns of that only from the next message's failure ("no session"), whose retry then sets up a
    // fresh one: so a message or two more fail, and are recovered like the rest.
    expect(health.doctor.sessionResets).toBe(1)
    const failures = health.doctor.decryptFailures
    expect(failures).toBeGreaterThanOrEqual(spoiledCount)
    expect(failures).toBeLessThanOrEqual(texts.length)
    expect(health.doctor).toMatchObject({ decryptRecovered: failures, decryptWaiting: 0 })
    expect(health.doctor.failingSenders).toEqual([{ sender: `+${a.phone}`, failures }])
    expect(await metric(metrics, 'irish_decrypt_failures_total')).toBe(failuresBefore + failures)

    // Nothing waits and nothing fails any more: the condition ends after the quiet period, and the log
    // has both, the reset among the specifics.
    await nextCondition(events, b.id, null, { since, timeoutMs: QUIET_MS + 10_000 })
    expect(conditionOf(core, b.id)).toBeNull()
    const lines = await conditionLog(core, b.id)
    expect(lines[0]).toMatch(/^Messages fail to decrypt: \d+ messages failed to decrypt/)
    expect(lines.some((l) => l.includes(`The Signal session with +${a.phone} was reset`))).toBe(true)
    expect(lines.at(-1)).toBe('Resolved: Messages fail to decrypt')

    // Healthy: the next text after the fault is spent arrives as usual.
    await core.sessions.sendText(a.id, b.phone, 'after the storm')
    await received('after the storm', since)
  }, 60_000)

  it('the simulated phone’s spoiled messages arrive too, and are counted against it', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Phone receiver')
    const sender = '15550099001'
    const since = events.mark()
    await sim.injectFault({ phone: account.phone, kind: 'bad-mac', count: 2 })
    const one = await sim.sendFromPhone(sender, account.phone, 'one')
    const two = await sim.sendFromPhone(sender, account.phone, 'two')
    for (const text of ['one', 'two']) {
      await events.next((m) => m.event === 'accounts:message' && m.payload.account === account.id && m.payload.text === text, { since, timeoutMs: 15_000 })
    }
    expect(core.sessions.messages(account.id).map((m) => m.id)).toEqual([one.id, two.id])
    const health = await core.sessions.health(account.id)
    expect(health.doctor).toMatchObject({ decryptFailures: 2, decryptRecovered: 2, failingSenders: [{ sender: `+${sender}`, failures: 2 }] })
    // Two failures are under the threshold: counted, not a condition.
    expect(conditionOf(core, account.id)).toBeNull()
  }, 30_000)
})

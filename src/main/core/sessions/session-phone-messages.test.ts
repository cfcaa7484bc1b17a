// Messages from a phone, through the app: a text the simulated phone of another number sends arrives
// as an accounts:message event; a text the account's own phone sends to someone else reaches this
// companion as sent-by-me (own-device sync) and is not shown as received.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountStats, ReceivedMessage } from '../../../shared/contract'
import { useSessionsWorld } from '../../../../test/support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

describe('session manager: messages from a phone', () => {
  it('shows a text from another number’s phone, and not its own phone’s sent copy', async () => {
    const { core, events, sim } = world
    const account = await world.pair('Receiver')
    const other = await world.pair('Other')
    const since = events.mark()

    await sim.sendFromPhone('4915130000001', account.phone, 'hello from a phone')
    const message = await events.next((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'hello from a phone', {
      since,
      what: 'the phone’s text on the account',
    })
    expect(message.payload).toMatchObject({ account: account.id, from: '4915130000001@s.whatsapp.net' })

    // The account's own phone texts Other: Other receives it; the account's companion only syncs it.
    await sim.sendFromPhone(account.phone, other.phone, 'sent from my phone')
    const atOther = await events.next((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'sent from my phone', {
      since,
      what: 'the text on Other',
    })
    expect(atOther.payload).toMatchObject({ account: other.id, from: `${account.phone}@s.whatsapp.net` })
    // A later text on the same connection arrives after the synced copy, which by then was not shown.
    await sim.sendFromPhone('4915130000001', account.phone, 'after')
    await events.next((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'after', { since, what: 'the later text' })
    expect(core.sessions.messages(account.id).map((m) => m.text)).toEqual(['hello from a phone', 'after'])

    // accounts:stats counts what was shown: two texts for the account, the synced copy not among them.
    const stats = await core.dispatch('accounts:stats', { ids: [account.id, other.id, 'acc-nobody'] })
    expect(stats.ok).toBe(true)
    const [mine, others, nobody] = (stats as { value: AccountStats[] }).value
    expect(mine).toEqual({ id: account.id, ok: true, lastMessageAt: expect.any(Number), messages24h: 2, webhookFailures: 0 })
    expect(mine!.lastMessageAt).toBe(core.sessions.messages(account.id).at(-1)!.at)
    expect(others).toMatchObject({ id: other.id, ok: true, messages24h: 1 })
    expect(nobody).toEqual({ id: 'acc-nobody', ok: false, error: { code: 'not-found', message: 'There is no account "acc-nobody".' } })
  })
})

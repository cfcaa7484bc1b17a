// The doctor against `lid` faults: a sender addressed by its LID (`…@lid`), with its phone number on the
// message (the alternate-JID attributes Baileys 7 reads) or learned later (a mapping notification). Every
// message event carries `from` as received, `fromPhone` and `fromLid`; a mapping learned after a message
// fills in the phone of the messages already shown (accounts:lid-mapping), and it is kept: after a
// restart the phone is known from the first message on. A LID is how WhatsApp addresses, not a fault of
// the account: no condition, log line or metric comes of it, only these fields and the event.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountId } from '../src/shared/ids'
import { conditionOf } from './support/doctor'
import { useSessionsWorld, waitForStatus } from './support/sessions'

const world = useSessionsWorld({ beforeAll, afterAll })

function arrived(account: AccountId, text: string, since = 0) {
  return world.events
    .next((m) => m.event === 'accounts:message' && m.payload.account === account && m.payload.text === text, { since, timeoutMs: 15_000, what: `"${text}"` })
    .then((m) => (m.event === 'accounts:message' ? m.payload : null)!)
}

function lidOf(phone: string): string {
  const found = world.sim.accounts().find((a) => a.jid.startsWith(`${phone}@`))
  if (!found) throw new Error(`the simulator has no account for ${phone}`)
  return found.lid
}

describe('doctor: LIDs', () => {
  it('a LID sender with its phone on the message: from as received, fromPhone and fromLid', async () => {
    const { sim } = world
    const account = await world.pair('LID reader')
    const sender = '15550077001'
    await sim.sendFromPhone(sender, account.phone, 'first, by number')
    await arrived(account.id, 'first, by number')
    await sim.injectFault({ phone: sender, kind: 'lid', on: true })
    const since = world.events.mark()
    await sim.sendFromPhone(sender, account.phone, 'hidden, but named')
    const message = await arrived(account.id, 'hidden, but named', since)
    expect(message).toMatchObject({ from: lidOf(sender), fromPhone: `+${sender}`, fromLid: lidOf(sender) })
    expect(message.from).toMatch(/@lid$/)
    expect(conditionOf(world.core, account.id)).toBeNull()
  })

  it('a mapping learned after the message: the phone shows from then on, on that message too, and after a restart', async () => {
    const { sim } = world
    const [account, other] = await Promise.all([world.pair('Late mapping'), world.pair('Someone else')])
    const sender = '15550077002'
    // The sender's phone writes to another account first (so the simulator knows it): this account
    // has never seen its number.
    await sim.sendFromPhone(sender, other.phone, 'hello')
    await arrived(other.id, 'hello')
    await sim.injectFault({ phone: sender, kind: 'lid', on: true, mappingAfterSeconds: 1 })
    const lid = lidOf(sender)

    const since = world.events.mark()
    await sim.sendFromPhone(sender, account.phone, 'who am I?')
    const first = await arrived(account.id, 'who am I?', since)
    // The number is withheld: only the LID is known yet.
    expect(first).toMatchObject({ from: lid, fromPhone: null, fromLid: lid })
    const learned = await world.events.next((m) => m.event === 'accounts:lid-mapping' && m.payload.account === account.id, { since, what: 'the LID mapping' })
    expect(learned.payload).toEqual({ account: account.id, lid, phone: `+${sender}` })
    // The message already listed shows the phone now.
    expect(world.core.sessions.messages(account.id).find((m) => m.text === 'who am I?')).toMatchObject({ fromPhone: `+${sender}`, fromLid: lid })
    const later = world.events.mark()
    await sim.sendFromPhone(sender, account.phone, 'known now')
    expect(await arrived(account.id, 'known now', later)).toMatchObject({ from: lid, fromPhone: `+${sender}` })

    // Kept in the database: a restarted app knows the phone behind the LID from the first message on
    // (the simulator announces a mapping once per device, so this one carries no phone of its own).
    await world.reopen()
    const reopened = world.events.mark()
    await world.core.sessions.start(account.id)
    await waitForStatus(world.core, world.events, account.id, 'connected', { since: reopened })
    await sim.sendFromPhone(sender, account.phone, 'after the restart')
    expect(await arrived(account.id, 'after the restart', reopened)).toMatchObject({ from: lid, fromPhone: `+${sender}`, fromLid: lid })
    expect(world.events.payloads('accounts:lid-mapping', reopened)).toEqual([])
  })
})

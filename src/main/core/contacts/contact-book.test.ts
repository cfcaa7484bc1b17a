// The contact book over an in-memory LID store: who a message is from, whatever way WhatsApp named
// the sender, and which contacts a reach-out limit still lets the account write to.

import { describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { silentLogger } from '../logger'
import { createContacts } from './contact-book'
import type { LidMappingRow, LidStore } from './lid-store'

const A = 'acc-a' as AccountId

function memoryStore(rows: LidMappingRow[] = []): LidStore & { rows: LidMappingRow[] } {
  return {
    rows,
    load: async () => [...rows],
    save: (_account, mapping) => void rows.push(mapping),
    forget: () => void rows.splice(0),
    settled: async () => undefined,
  }
}

describe('the contact book', () => {
  it('names a sender by phone and LID from a message’s two jids, in either order, and keeps what it learns', async () => {
    const store = memoryStore()
    const book = await createContacts({ store, logger: silentLogger(), now: () => 5 }).open(A)
    expect(book.identify('100000000000009@lid', '15550000009:0@s.whatsapp.net')).toEqual({
      fromPhone: '+15550000009',
      fromLid: '100000000000009@lid',
      learned: '100000000000009',
    })
    // Learned once: the same pair is no news, and a LID alone now finds its phone.
    expect(book.identify('15550000009@s.whatsapp.net', '100000000000009:3@lid').learned).toBeNull()
    expect(book.identify('100000000000009@lid', undefined)).toEqual({ fromPhone: '+15550000009', fromLid: '100000000000009@lid', learned: null })
    expect(book.identify('15550000001@s.whatsapp.net', null)).toEqual({ fromPhone: '+15550000001', fromLid: null, learned: null })
    expect(store.rows).toEqual([{ lid: '100000000000009', pn: '15550000009' }])
  })

  it('knows a contact under either of its names once the account exchanged a message with it', async () => {
    const book = await createContacts({ store: memoryStore(), logger: silentLogger(), now: () => 1 }).open(A)
    expect(book.isKnown('15550000002@s.whatsapp.net')).toBe(false)
    book.exchanged('15550000002@s.whatsapp.net')
    expect(book.isKnown('15550000002:4@s.whatsapp.net')).toBe(true)
    book.learn('100000000000002', '15550000002')
    expect(book.isKnown('100000000000002@lid')).toBe(true)
    expect(book.isKnown('100000000000003@lid')).toBe(false)
  })

  it('counts the numbers it learned before a restart as known', async () => {
    const book = await createContacts({ store: memoryStore([{ lid: '7', pn: '15550000007' }]), logger: silentLogger(), now: () => 1 }).open(A)
    expect(book.phoneOf('7')).toBe('15550000007')
    expect(book.isKnown('15550000007@s.whatsapp.net')).toBe(true)
  })
})

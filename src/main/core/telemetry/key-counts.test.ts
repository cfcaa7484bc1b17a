import { afterEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { authStoreStopChannel } from './channels'
import { createKeyCountIndex, type KeyCountIndex } from './key-counts'

const indexes: KeyCountIndex[] = []
afterEach(() => {
  for (const index of indexes.splice(0)) index.dispose()
})

function setup() {
  const events = createEventBus(silentLogger())
  const stores = new Map<AccountId, Record<string, number>>([
    ['a' as AccountId, { session: 2, 'pre-key': 10 }],
    ['b' as AccountId, { 'pre-key': 5 }],
    ['c' as AccountId, {}],
  ])
  const counted: AccountId[] = []
  const index = createKeyCountIndex({
    events,
    source: {
      accounts: () => [...stores.keys()],
      async count(id) {
        counted.push(id)
        return { ...stores.get(id)! }
      },
    },
  })
  indexes.push(index)
  return { events, stores, counted, index }
}

describe('key count index', () => {
  it('answers every account and the totals in one call', async () => {
    const { index } = setup()
    expect(await index.overview()).toEqual({
      totals: { session: 2, 'pre-key': 15 },
      accounts: [
        { account: 'a', counts: { session: 2, 'pre-key': 10 }, total: 12 },
        { account: 'b', counts: { 'pre-key': 5 }, total: 5 },
        { account: 'c', counts: {}, total: 0 },
      ],
    })
  })

  it('recounts only accounts whose keys may have changed', async () => {
    const { index, stores, counted, events } = setup()
    await index.overview()
    expect(counted).toEqual(['a', 'b', 'c'])
    counted.length = 0
    stores.set('b' as AccountId, { 'pre-key': 6 })
    expect((await index.overview()).totals['pre-key']).toBe(15) // nothing said b changed
    expect(counted).toEqual([])
    authStoreStopChannel.publish({ req: 'keys_get', account: 'b', result: 'ok', durationNs: 1 })
    authStoreStopChannel.publish({ req: 'keys_set', account: 'b', result: 'ok', durationNs: 1 })
    expect((await index.overview()).totals['pre-key']).toBe(16)
    expect(counted).toEqual(['b'])
    // A logout clears keys without a keys_set: its status change marks the account.
    stores.set('a' as AccountId, {})
    events.emit('accounts:changed', { id: 'a' } as never)
    counted.length = 0
    const after = await index.overview()
    expect(counted).toEqual(['a'])
    expect(after.totals).toEqual({ 'pre-key': 6 })
    // Removed accounts leave the answer.
    stores.delete('c' as AccountId)
    expect((await index.overview()).accounts.map((r) => r.account)).toEqual(['a', 'b'])
  })

  it('shares one pass between callers that ask at once', async () => {
    const { index, counted } = setup()
    const [one, two] = await Promise.all([index.overview(), index.overview()])
    expect(one).toBe(two)
    expect(counted).toEqual(['a', 'b', 'c'])
  })
})

import { Curve } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describeAuthStoreContract } from '../../../../test/support/auth-store-contract'
import { createMemoryAuthStoreFactory } from './memory-store'

describeAuthStoreContract('memory', async () => ({ factory: createMemoryAuthStoreFactory(), cleanup: async () => {} }))

describe('memory store', () => {
  it('deep-copies values in and out, so callers cannot mutate stored state', async () => {
    const store = createMemoryAuthStoreFactory().open('acct' as AccountId)
    const pair = Curve.generateKeyPair()
    const original = Buffer.from(pair.public)
    await store.set({ 'pre-key': { '1': pair } })
    pair.public.fill(0)
    const first = (await store.get('pre-key', ['1']))['1'] as { public: Buffer }
    expect(first.public.equals(original)).toBe(true)
    first.public.fill(0)
    const second = (await store.get('pre-key', ['1']))['1'] as { public: Buffer }
    expect(second.public.equals(original)).toBe(true)
  })
})

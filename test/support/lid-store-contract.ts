// The one behaviour suite every LidStore must pass: SQLite (one server, the desktop app) and PostgreSQL
// (a fleet). Test-only: imported by *.test.ts files, never by app code.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../src/shared/ids'
import type { LidStore } from '../../src/main/core/contacts/lid-store'

export interface LidStoreHarness {
  /** A store over the harness's database; several calls see the same rows (a reopen, another server). */
  open(): LidStore
  /** Closes what open() opened and the database under it, then opens them again: a restart. */
  reopen(): Promise<void>
  cleanup(): Promise<void>
}

const A = 'acc-a' as AccountId
const B = 'acc-b' as AccountId

export function describeLidStoreContract(name: string, start: () => Promise<LidStoreHarness>): void {
  describe(`LID store contract: ${name}`, () => {
    let harness: LidStoreHarness
    beforeEach(async () => {
      harness = await start()
    })
    afterEach(async () => {
      await harness.cleanup()
    })

    it('keeps each account’s mappings apart, a newer phone replacing the older, across a reopen', async () => {
      const store = harness.open()
      store.save(A, { lid: '100000000000001', pn: '15550000001' }, 1)
      store.save(A, { lid: '100000000000002', pn: '15550000002' }, 2)
      store.save(B, { lid: '100000000000001', pn: '15550000009' }, 3)
      store.save(A, { lid: '100000000000002', pn: '15550000003' }, 4)
      await store.settled()
      await harness.reopen()
      const reopened = harness.open()
      expect((await reopened.load(A)).sort((x, y) => x.lid.localeCompare(y.lid))).toEqual([
        { lid: '100000000000001', pn: '15550000001' },
        { lid: '100000000000002', pn: '15550000003' },
      ])
      expect(await reopened.load(B)).toEqual([{ lid: '100000000000001', pn: '15550000009' }])
    })

    it('forgets an account’s mappings and nobody else’s', async () => {
      const store = harness.open()
      store.save(A, { lid: '1', pn: '2' }, 1)
      store.save(B, { lid: '3', pn: '4' }, 1)
      store.forget(A)
      await store.settled()
      expect(await store.load(A)).toEqual([])
      expect(await store.load(B)).toEqual([{ lid: '3', pn: '4' }])
    })
  })
}

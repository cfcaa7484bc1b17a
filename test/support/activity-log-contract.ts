// The one behaviour suite every ActivityLog must pass: the SQLite log (one server, the desktop app) and
// the PostgreSQL log (a fleet). Test-only: imported by *.test.ts files, never by app code.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../src/shared/ids'
import type { ActivityLog } from '../../src/main/core/activity/activity-log'

export interface ActivityHarness {
  /** A log over the harness's database; several calls see the same entries (a reopen, another server). */
  open(options: { now?: () => number; perAccount?: number }): ActivityLog
  /** Closes what open() opened and the database under it, then opens them again: a restart. */
  reopen(): Promise<void>
  cleanup(): Promise<void>
}

const A = 'acc-a' as AccountId
const B = 'acc-b' as AccountId

export function describeActivityLogContract(name: string, start: () => Promise<ActivityHarness>): void {
  describe(`activity log contract: ${name}`, () => {
    let harness: ActivityHarness
    let clock = 1000
    const now = () => clock++

    beforeEach(async () => {
      harness = await start()
    })
    afterEach(async () => {
      await harness.cleanup()
    })

    it('keeps entries per account, newest first, bounded, and across a reopen', async () => {
      const log = harness.open({ now, perAccount: 5 })
      for (let i = 1; i <= 8; i++) log.record({ account: A, kind: 'status', message: `a${i}`, actor: 'system' })
      log.record({ account: B, kind: 'command', message: 'b1', actor: 'ui', code: 440 })
      expect((await log.list(A)).map((e) => e.message)).toEqual(['a8', 'a7', 'a6', 'a5', 'a4'])
      expect((await log.list(A, 2)).map((e) => e.message)).toEqual(['a8', 'a7'])
      const [b1] = await log.list(B)
      expect(b1).toEqual({ seq: expect.any(Number), at: expect.any(Number), message: 'b1', actor: 'ui', kind: 'command', code: 440 })
      const entries = await log.list(A)
      // seq grows with every entry and at is the clock's, both as numbers.
      expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((x, y) => y - x))
      expect(entries[0]!.at).toBeGreaterThan(entries[1]!.at)

      await log.settled()
      await harness.reopen()
      expect((await harness.open({}).list(A, 1)).map((e) => e.message)).toEqual(['a8'])
    })

    it('keeps a long message to 500 characters and forgets an account', async () => {
      const log = harness.open({ now })
      log.record({ account: A, kind: 'error', message: 'x'.repeat(2000), actor: 'api' })
      log.record({ account: B, kind: 'status', message: 'stays', actor: 'system' })
      expect((await log.list(A))[0]!.message).toHaveLength(500)
      log.forget(A)
      expect(await log.list(A)).toEqual([])
      expect((await log.list(B)).map((e) => e.message)).toEqual(['stays'])
    })
  })
}

import { describe, expect, it } from 'vitest'
import type { EventName } from '../../../shared/channels'
import type { AccountSummary, EventMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { createEventBatcher, EVENT_BATCH_MS, ROW_FLUSH_MS } from './event-batcher'

/** A clock and timers the test moves by hand. */
function fakeTime() {
  let now = 0
  let timers: Array<{ at: number; run: () => void; id: number }> = []
  let ids = 0
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      const id = ++ids
      timers.push({ at: now + ms, run, id })
      return id
    },
    clearTimer: (id: unknown) => void (timers = timers.filter((t) => t.id !== id)),
    advance(ms: number) {
      const until = now + ms
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        timers = timers.filter((t) => t !== due)
        now = due.at
        due.run()
      }
      now = until
    },
  }
}

const changed = (id: string, status: AccountSummary['status']): EventMessage<EventName> => ({
  event: 'accounts:changed',
  payload: accountSummary(id as AccountId, { status }),
})

function setUp() {
  const time = fakeTime()
  const batches: string[][] = []
  const rowUpdates: string[][] = []
  const batcher = createEventBatcher({
    applyEvents: (batch) => batches.push(batch.map((m) => m.event)),
    applyRows: (rows) => rowUpdates.push(rows.map(({ summary }) => `${summary.id}:${summary.status}`)),
    ...time,
  })
  return { time, batches, rowUpdates, batcher }
}

describe('the event batcher', () => {
  it('applies events in one batch per frame, in order', () => {
    const { time, batches, batcher } = setUp()
    batcher.push({ event: 'accounts:removed', payload: { id: 'acc-x' as AccountId } })
    batcher.push(changed('acc-a', 'connected'))
    expect(batches).toEqual([])
    time.advance(EVENT_BATCH_MS)
    expect(batches).toEqual([['accounts:removed', 'accounts:changed']])
  })

  it('puts rows into the list at once after a quiet second, then at most once a second, newest per account', () => {
    const { time, rowUpdates, batcher } = setUp()
    batcher.push(changed('acc-a', 'reconnecting'))
    time.advance(EVENT_BATCH_MS)
    expect(rowUpdates).toEqual([['acc-a:reconnecting']])
    // A burst within the next second: held, then one update with the newest of each.
    for (let i = 0; i < 50; i++) {
      batcher.push(changed('acc-a', i % 2 ? 'connected' : 'connecting'))
      batcher.push(changed(`acc-${i}`, 'stopped'))
      time.advance(EVENT_BATCH_MS)
    }
    expect(rowUpdates).toHaveLength(1)
    time.advance(ROW_FLUSH_MS)
    expect(rowUpdates).toHaveLength(2)
    expect(rowUpdates[1]).toContain('acc-a:connected')
    expect(rowUpdates[1]).toHaveLength(51)
    time.advance(10 * ROW_FLUSH_MS)
    expect(rowUpdates).toHaveLength(2)
  })

  it('never brings back a held row of an account removed meanwhile', () => {
    const { time, rowUpdates, batcher } = setUp()
    batcher.push(changed('acc-a', 'connected'))
    time.advance(EVENT_BATCH_MS)
    batcher.push(changed('acc-b', 'connected'))
    batcher.push({ event: 'accounts:removed', payload: { id: 'acc-b' as AccountId } })
    time.advance(ROW_FLUSH_MS)
    expect(rowUpdates).toEqual([['acc-a:connected']])
  })

  it('drops what it holds when disposed', () => {
    const { time, batches, batcher } = setUp()
    batcher.push(changed('acc-a', 'connected'))
    batcher.dispose()
    time.advance(ROW_FLUSH_MS)
    expect(batches).toEqual([])
  })
})

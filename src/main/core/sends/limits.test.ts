import { describe, expect, it } from 'vitest'
import { DEFAULT_SEND_LIMITS, generalSlot, LIMIT_WINDOWS, NO_LIMITS, newContactSlot, plan, SendHistory } from './limits'

const sent = (at: number, newContact = false, id = `m${at}`) => ({ at, newContact, messageId: id })

describe('send limits', () => {
  it('lets a send go at once under every limit, and with none set', () => {
    expect(generalSlot(new SendHistory(), DEFAULT_SEND_LIMITS, 1000)).toEqual({ at: 1000, limit: null })
    const busy = new SendHistory(Array.from({ length: 5000 }, (_, i) => sent(i)))
    expect(generalSlot(busy, NO_LIMITS, 5000)).toEqual({ at: 5000, limit: null })
  })

  it('holds the fourth send of a minute at three per minute until the first leaves the window', () => {
    const history = new SendHistory([sent(0), sent(10), sent(20)])
    const limits = { ...NO_LIMITS, perMinute: 3 }
    expect(generalSlot(history, limits, 30)).toEqual({ at: 60_000, limit: 'perMinute' })
    expect(generalSlot(history, limits, 60_000)).toEqual({ at: 60_000, limit: null })
  })

  it('takes the latest of the limits that hold a send, and names it', () => {
    const history = new SendHistory([sent(0), sent(1000)])
    expect(generalSlot(history, { ...NO_LIMITS, perMinute: 2, minGapMs: 5000 }, 1500)).toEqual({ at: 60_000, limit: 'perMinute' })
    expect(generalSlot(history, { ...NO_LIMITS, perHour: 2 }, 1500)).toEqual({ at: LIMIT_WINDOWS.hourMs, limit: 'perHour' })
    expect(generalSlot(history, { ...NO_LIMITS, minGapMs: 5000 }, 1500)).toEqual({ at: 6000, limit: 'minGapMs' })
  })

  it('counts only sends to new contacts against newContactsPerDay', () => {
    const history = new SendHistory([sent(0, true), sent(1, false), sent(2, true)])
    expect(newContactSlot(history, { ...NO_LIMITS, newContactsPerDay: 3 }, 10)).toEqual({ at: 10, limit: null })
    expect(newContactSlot(history, { ...NO_LIMITS, newContactsPerDay: 2 }, 10)).toEqual({ at: LIMIT_WINDOWS.dayMs, limit: 'newContactsPerDay' })
  })

  it('plans ten sends at three per minute: three a minute, in order', () => {
    const queue = Array.from({ length: 10 }, (_, i) => ({ messageId: `q${i}`, newContact: false }))
    const planned = plan(new SendHistory(), queue, { ...NO_LIMITS, perMinute: 3 }, 0)
    expect(planned.map((p) => p.messageId)).toEqual(queue.map((q) => q.messageId))
    expect(planned.map((p) => p.at)).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 180_000])
    expect(planned[3]!.limit).toBe('perMinute')
  })

  it('lets known contacts pass a new contact that newContactsPerDay or a reach-out limit holds', () => {
    const history = new SendHistory([sent(0, true)])
    const queue = [
      { messageId: 'new', newContact: true },
      { messageId: 'known', newContact: false },
    ]
    const byDay = plan(history, queue, { ...NO_LIMITS, newContactsPerDay: 1 }, 10)
    expect(byDay).toEqual([
      { messageId: 'known', at: 10, limit: null },
      { messageId: 'new', at: LIMIT_WINDOWS.dayMs, limit: 'newContactsPerDay' },
    ])
    const byReachOut = plan(new SendHistory(), queue, NO_LIMITS, 10, { reachOutUntil: 5000 })
    expect(byReachOut.map((p) => [p.messageId, p.at])).toEqual([
      ['known', 10],
      ['new', 5000],
    ])
  })

  it('keeps its history sorted and prunes what no window reaches', () => {
    const history = new SendHistory([sent(5), sent(1), sent(3)])
    expect(history.after(0).map((e) => e.at)).toEqual([1, 3, 5])
    history.prune(3)
    expect(history.after(0).map((e) => e.at)).toEqual([3, 5])
    history.remove('m3')
    expect(history.size).toBe(1)
  })
})

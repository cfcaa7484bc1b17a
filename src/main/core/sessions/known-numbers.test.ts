import { describe, expect, it } from 'vitest'
import { createKnownNumbers } from './known-numbers'

describe('known numbers', () => {
  it('holds a number for the TTL on the clock it is given, then asks again', () => {
    let now = 1_000
    const known = createKnownNumbers({ now: () => now, ttlMs: 60_000 })
    expect(known.has('15550000001@s.whatsapp.net')).toBe(false)
    known.add('15550000001@s.whatsapp.net')
    now += 59_999
    expect(known.has('15550000001@s.whatsapp.net')).toBe(true)
    now += 1
    expect(known.has('15550000001@s.whatsapp.net')).toBe(false)
  })

  it('keeps at most `max` numbers, dropping the oldest answer first', () => {
    const known = createKnownNumbers({ max: 2 })
    known.add('a@s.whatsapp.net')
    known.add('b@s.whatsapp.net')
    known.add('a@s.whatsapp.net')
    known.add('c@s.whatsapp.net')
    expect(known.has('b@s.whatsapp.net')).toBe(false)
    expect(known.has('a@s.whatsapp.net')).toBe(true)
    expect(known.has('c@s.whatsapp.net')).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import { formatAge, formatCountdown, formatDateTime, formatRelative, formatTime } from './time'

describe('the one date and time format', () => {
  const at = Date.UTC(2026, 2, 12, 14, 3, 12)
  it('always has seconds, and the time alone is the same time part', () => {
    expect(formatDateTime(at)).toMatch(/\d{1,2}\D\d{2}\D\d{2}/)
    expect(formatTime(at)).toMatch(/\d{1,2}\D\d{2}\D\d{2}/)
    expect(formatDateTime(at).endsWith(formatTime(at))).toBe(true)
  })
})

describe('formatCountdown', () => {
  it('shows minutes and seconds, rounding up, never negative', () => {
    expect(formatCountdown(65_000)).toBe('1:05')
    expect(formatCountdown(59_001)).toBe('1:00')
    expect(formatCountdown(-5)).toBe('0:00')
  })
})

describe('formatRelative', () => {
  const now = 1_700_000_000_000
  it('says just now for the last few seconds', () => {
    expect(formatRelative(now - 2000, now)).toBe('just now')
  })
  it('picks the unit by size', () => {
    expect(formatRelative(now - 90_000, now)).toMatch(/minute/)
    expect(formatRelative(now - 3 * 3_600_000, now)).toMatch(/hour/)
    expect(formatRelative(now - 3 * 86_400_000, now)).toMatch(/day/)
  })
})

describe('formatAge', () => {
  it('reads as seconds with a tenth below 10 s, then whole units', () => {
    expect(formatAge(0)).toBe('0.0 s')
    expect(formatAge(-50)).toBe('0.0 s')
    expect(formatAge(420)).toBe('0.4 s')
    expect(formatAge(9_990)).toBe('9.9 s')
    expect(formatAge(12_400)).toBe('12 s')
    expect(formatAge(185_000)).toBe('3 min 5 s')
    expect(formatAge(7_800_000)).toBe('2 h 10 min')
  })
})

import { describe, expect, it } from 'vitest'
import { formatCountdown, formatRelative } from './time'

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

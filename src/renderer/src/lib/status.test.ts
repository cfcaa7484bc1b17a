import { describe, expect, it } from 'vitest'
import { formatPhone } from './status'

describe('formatPhone', () => {
  it('writes numbers and phone-number jids in international form', () => {
    expect(formatPhone('15550000001')).toBe('+15550000001')
    expect(formatPhone('15550000001:3@s.whatsapp.net')).toBe('+15550000001')
  })
  it('never passes a LID off as a phone number', () => {
    expect(formatPhone('100000000000001@lid')).toBe('100000000000001 (hidden number)')
  })
  it('has nothing to show for nothing', () => {
    expect(formatPhone(null)).toBeNull()
  })
})

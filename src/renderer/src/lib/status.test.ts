import { describe, expect, it } from 'vitest'
import { accountSummary } from '../../../../test/support/account-summary'
import { formatPhone, hasSession, whyNoSending } from './status'

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

describe('hasSession', () => {
  const paired = { pairedAt: 1, phone: '15550000001' }
  it('is true for a paired account that is neither logged out nor moved', () => {
    expect(hasSession(accountSummary('acc-a', { ...paired, status: 'connected' }))).toBe(true)
    expect(hasSession(accountSummary('acc-a', { ...paired, status: 'stopped' }))).toBe(true)
  })
  it('is false before pairing, after a log-out and after a move', () => {
    expect(hasSession(accountSummary('acc-a', { status: 'pairing' }))).toBe(false)
    expect(hasSession(accountSummary('acc-a', { ...paired, status: 'logged-out' }))).toBe(false)
    expect(hasSession(accountSummary('acc-a', { ...paired, status: 'moved' }))).toBe(false)
  })
})

describe('whyNoSending', () => {
  it('points a moved account where it runs, never at a Start button it does not have', () => {
    const moved = accountSummary('acc-a', { label: 'Bob', status: 'moved', movedTo: { target: 'http://127.0.0.1:7421', at: 1 } })
    const said = whyNoSending(moved)!
    expect(said).toContain('moved to http://127.0.0.1:7421')
    expect(said).toContain('Take back')
    expect(said).not.toMatch(/\bStart\b/)
  })
  it('gives a logged-out, banned or replaced account its remedy, never a Start it does not have', () => {
    const condition = {
      code: 'logged-out' as const,
      title: 'Logged out by WhatsApp',
      detail: 'WhatsApp ended this session (401).',
      remedy: 'Re-pair it: start it with "Re-pair" and scan the new QR code (or type the code) on the phone.',
      since: 1,
      until: null,
      automatic: null,
    }
    const said = whyNoSending(accountSummary('acc-a', { label: 'Ann', status: 'logged-out', condition }))!
    expect(said).toBe(`Sending needs a connected account. Ann: Logged out by WhatsApp. ${condition.remedy}`)
    expect(said).not.toMatch(/Start Ann/)
    const retrying = { ...condition, code: 'server-error' as const, title: 'WhatsApp had a server error' }
    expect(whyNoSending(accountSummary('acc-a', { label: 'Ann', status: 'stopped', condition: retrying }))).toMatch(/^Sending needs a connected account\. Start Ann/)
  })
  it('asks to start a stopped account, and has nothing to say for a connected one', () => {
    expect(whyNoSending(accountSummary('acc-a', { label: 'Ann', status: 'stopped' }))).toMatch(/^Sending needs a connected account\. Start Ann/)
    expect(whyNoSending(accountSummary('acc-a', { status: 'connected' }))).toBeNull()
  })
})

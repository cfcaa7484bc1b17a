import { describe, expect, it } from 'vitest'
import type { AccountCondition } from '../../../shared/contract'
import { accountSummary } from '../../../../test/support/account-summary'
import { countByGroup, GROUP_VIEW, needsAttention, statusGroup } from './status-groups'

const condition = (code: AccountCondition['code']): AccountCondition => ({ code, title: code, detail: '', remedy: '', since: 1, until: null, automatic: null })

describe('status groups', () => {
  it('splits failed into QR expired, refused by WhatsApp and other failures, by condition first', () => {
    expect(statusGroup(accountSummary('a', { status: 'failed', condition: condition('pairing-expired'), pairedAt: 5 }))).toBe('qr-expired')
    expect(statusGroup(accountSummary('a', { status: 'failed', condition: condition('banned') }))).toBe('refused')
    expect(statusGroup(accountSummary('a', { status: 'failed', condition: condition('proxy-unreachable'), lastDisconnectCode: 403 }))).toBe('failed')
    expect(statusGroup(accountSummary('a', { status: 'failed', lastDisconnectCode: 403 }))).toBe('refused')
    expect(statusGroup(accountSummary('a', { status: 'failed', lastDisconnectCode: 408, pairedAt: null, phone: null }))).toBe('qr-expired')
    // A paired account that failed after 408s (it never came back) is no QR matter, nor an imported one (it has a number).
    expect(statusGroup(accountSummary('a', { status: 'failed', lastDisconnectCode: 408, pairedAt: 9 }))).toBe('failed')
    expect(statusGroup(accountSummary('a', { status: 'failed', lastDisconnectCode: 408, pairedAt: null, phone: '15550001' }))).toBe('failed')
    expect(statusGroup(accountSummary('a', { status: 'replaced' }))).toBe('replaced')
    expect(GROUP_VIEW['qr-expired'].label).toBe('QR expired')
    expect(GROUP_VIEW.refused.label).toBe('Refused by WhatsApp')
  })

  it('needs attention: should run and does not, a condition, or failing webhooks; never a deliberate stop', () => {
    for (const status of ['reconnecting', 'logged-out', 'replaced', 'failed'] as const) expect(needsAttention(accountSummary('a', { status }))).toBe(true)
    for (const status of ['connected', 'stopped', 'moved', 'new', 'pairing', 'connecting'] as const) expect(needsAttention(accountSummary('a', { status }))).toBe(false)
    expect(needsAttention(accountSummary('a', { status: 'connected', condition: condition('decrypt-failures') }))).toBe(true)
    expect(needsAttention(accountSummary('a', { status: 'connected' }), 3)).toBe(true)
  })

  it('counts accounts per group', () => {
    const counts = countByGroup([
      accountSummary('a', { status: 'connected' }),
      accountSummary('b', { status: 'failed', lastDisconnectCode: 403 }),
      accountSummary('c', { status: 'connected' }),
    ])
    expect([...counts]).toEqual([
      ['connected', 2],
      ['refused', 1],
    ])
  })
})

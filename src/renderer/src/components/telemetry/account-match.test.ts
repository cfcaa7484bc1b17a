import { describe, expect, it } from 'vitest'
import { accountSummary } from '../../../../shared/testing/account-summary'
import { matchesAccount, phoneLabel } from './account-match'

const account = accountSummary('acc-5f3a9c', {
  label: 'Berlin Shop',
  phone: '4915120000137',
  name: 'Kiosk am Eck',
  status: 'connected',
  pairedAt: 0,
  lastConnectedAt: 0,
})

describe('account picker matching', () => {
  it('finds by label or push name, any case, any part', () => {
    expect(matchesAccount(account, 'berlin')).toBe(true)
    expect(matchesAccount(account, 'SHOP')).toBe(true)
    expect(matchesAccount(account, 'kiosk')).toBe(true)
    expect(matchesAccount(account, 'hamburg')).toBe(false)
  })

  it('finds by phone digits however they are typed', () => {
    for (const query of ['0137', '+49 151 2000-0137', '(49) 1512 0000137', '4915120000137']) {
      expect(matchesAccount(account, query)).toBe(true)
    }
    expect(matchesAccount(account, '+49 151 9999')).toBe(false)
    expect(matchesAccount({ ...account, phone: null }, '0137')).toBe(false)
  })

  it('finds by id, and an empty query matches everything', () => {
    expect(matchesAccount(account, 'acc-5f3')).toBe(true)
    expect(matchesAccount(account, '  ')).toBe(true)
    expect(phoneLabel(account.phone)).toBe('+4915120000137')
    expect(phoneLabel(null)).toBe('not paired')
  })
})

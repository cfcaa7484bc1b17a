import { describe, expect, it } from 'vitest'
import type { AccountSummary, PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { pairingPhase } from './pairing-phase'

const id = 'acc-p' as AccountId
const account = (patch: Partial<AccountSummary>): AccountSummary => accountSummary(id, { label: 'P', ...patch })
const qr = (expiresAt: number | null, value: string | null = 'qr'): PairingState => ({ id, qr: value, expiresAt, status: 'pairing', method: 'qr', code: null, codeExpiresAt: null, phone: null })

describe('pairingPhase', () => {
  it('follows a pairing from first code to connected', () => {
    expect(pairingPhase(account({ status: 'connecting' }), undefined, 0, false)).toBe('preparing')
    expect(pairingPhase(account({ status: 'pairing' }), qr(1000), 500, false)).toBe('waiting')
    expect(pairingPhase(account({ status: 'pairing' }), qr(1000), 1500, true)).toBe('rotating')
    expect(pairingPhase(account({ status: 'connecting' }), qr(null, null), 1500, true)).toBe('paired')
    expect(pairingPhase(account({ status: 'connected' }), undefined, 2000, true)).toBe('connected')
  })

  it('offers a retry once the codes ran out or the account stopped', () => {
    expect(pairingPhase(account({ status: 'failed' }), qr(null, null), 0, true)).toBe('expired')
    expect(pairingPhase(account({ status: 'stopped' }), undefined, 0, true)).toBe('stopped')
  })

  it('notices a removed account', () => {
    expect(pairingPhase(undefined, undefined, 0, true)).toBe('gone')
  })
})

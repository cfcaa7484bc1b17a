import { describe, expect, it } from 'vitest'
import type { AccountSummary, PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { pairingPhase } from './pairing-phase'

const id = 'acc-p' as AccountId
const account = (patch: Partial<AccountSummary>): AccountSummary => accountSummary(id, { label: 'P', ...patch })
const qr = (expiresAt: number | null, value: string | null = 'qr'): PairingState => ({ id, qr: value, expiresAt, status: 'pairing', method: 'qr', code: null, codeExpiresAt: null, phone: null, passkey: null, passkeyError: null })

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

  it('shows a passkey check under way whichever method the dialog shows, and the passkey tab before one', () => {
    const options = { challenge: 'abc' }
    const required: PairingState = { ...qr(5000, null), method: 'passkey', passkey: { phase: 'required', options, ceremonyUrl: 'https://web.whatsapp.com/#x', expiresAt: 5000 } }
    const confirm: PairingState = { ...required, passkey: { phase: 'confirm', code: 'ABCD-EFGH' } }
    for (const method of ['qr', 'code', 'passkey'] as const) {
      expect(pairingPhase(account({ status: 'pairing' }), required, 100, true, method)).toBe('passkey-required')
      expect(pairingPhase(account({ status: 'pairing' }), confirm, 100, true, method)).toBe('passkey-confirm')
    }
    expect(pairingPhase(account({ status: 'pairing' }), qr(1000), 500, true, 'passkey')).toBe('passkey-idle')
    // Once linked, the account's status decides again.
    expect(pairingPhase(account({ status: 'connecting' }), { ...qr(null, null), passkey: null }, 100, true, 'passkey')).toBe('paired')
  })

  it('notices a removed account', () => {
    expect(pairingPhase(undefined, undefined, 0, true)).toBe('gone')
  })
})

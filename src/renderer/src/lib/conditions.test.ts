import { describe, expect, it } from 'vitest'
import { accountSummary } from '../../../../test/support/account-summary'
import type { AccountCondition, ConditionCode } from '../../../shared/contract'
import { groupByCondition, latestUntil, remedyFor } from './conditions'

const condition = (code: ConditionCode, until: number | null = null): AccountCondition => ({
  code,
  title: `Title of ${code}`,
  detail: 'd',
  remedy: `Remedy for ${code}`,
  since: 1,
  until,
  automatic: null,
})

describe('Needs attention groups', () => {
  it('groups only accounts with a condition, most urgent first, accounts by label', () => {
    const groups = groupByCondition([
      accountSummary('acc-1', { label: 'Zed', condition: condition('stale-socket') }),
      accountSummary('acc-2', { label: 'Fine' }),
      accountSummary('acc-3', { label: 'Bee', condition: condition('logged-out') }),
      accountSummary('acc-4', { label: 'Ann', condition: condition('stale-socket') }),
    ])
    expect(groups.map((g) => [g.code, g.accounts.map((a) => a.label)])).toEqual([
      ['logged-out', ['Bee']],
      ['stale-socket', ['Ann', 'Zed']],
    ])
    expect(groups[0]).toMatchObject({ title: 'Title of logged-out', remedy: 'Remedy for logged-out' })
  })

  it('offers each group one remedy: re-pair, restart, start again, or wait until the latest end', () => {
    expect(remedyFor('logged-out')).toMatchObject({ kind: 'bulk', action: 'repair', confirm: expect.stringContaining('deletes the keys') })
    expect(remedyFor('replaced')).toMatchObject({ kind: 'bulk', action: 'repair' })
    expect(remedyFor('server-error')).toMatchObject({ kind: 'bulk', action: 'restart', confirm: null })
    expect(remedyFor('pairing-expired')).toMatchObject({ kind: 'bulk', action: 'start' })
    expect(remedyFor('decrypt-failures').kind).toBe('none')
    expect(remedyFor('passkey-required').kind).toBe('each')
    const [group] = groupByCondition([
      accountSummary('acc-1', { condition: condition('reach-out-limited', 50) }),
      accountSummary('acc-2', { condition: condition('reach-out-limited', 90) }),
    ])
    expect(remedyFor(group!.code).kind).toBe('wait')
    expect(latestUntil(group!)).toBe(90)
    const restart = remedyFor('stale-socket')
    expect(restart.kind === 'bulk' && [restart.label(1), restart.label(12)]).toEqual(['Restart it now', 'Restart all 12 now'])
  })
})

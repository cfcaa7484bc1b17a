// The fault mix the Needs attention spec injects into its 200 accounts (attention-server.ts), and what
// each account should show afterwards: one home for both, so the spec's expectations follow the mix.

import type { ConditionCode } from '../../src/shared/contract'

export const ATTENTION_SIZE = 200

export type MixedFault = 'close-401' | 'close-403' | 'close-440' | 'reach-out-limit' | 'bad-mac' | 'silence' | null

/** The first rule that matches wins; most accounts get nothing. */
export function faultFor(index: number): MixedFault {
  if (index % 40 === 3) return 'close-401'
  if (index % 40 === 7) return 'close-403'
  if (index % 20 === 11) return 'close-440'
  if (index % 25 === 5) return 'reach-out-limit'
  if (index % 25 === 17) return 'bad-mac'
  if (index % 50 === 23) return 'silence'
  return null
}

/** The condition the account shows once the mix has settled (a silenced socket is replaced: none). */
export function expectedCondition(index: number): ConditionCode | null {
  switch (faultFor(index)) {
    case 'close-401':
      return 'logged-out'
    case 'close-403':
      return 'banned'
    case 'close-440':
      return 'replaced'
    case 'reach-out-limit':
      return 'reach-out-limited'
    case 'bad-mac':
      return 'decrypt-failures'
    case 'silence':
    case null:
      return null
  }
}

export function expectedConditionCount(code: ConditionCode): number {
  let count = 0
  for (let i = 0; i < ATTENTION_SIZE; i++) if (expectedCondition(i) === code) count++
  return count
}

export function attentionLabel(index: number): string {
  return `Shop ${String(index).padStart(3, '0')}`
}

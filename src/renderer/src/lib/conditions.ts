// How the Needs attention view groups accounts by their condition (docs/session-doctor.md), and the one
// remedy each group offers as a bulk action: re-pair, restart, start again, or wait until a time.
// The words of each condition come from the core (AccountSummary.condition); this file only groups,
// orders and picks the action. Pure: no React, no transport.

import { CONDITION_CODES, type AccountSummary, type BulkAction, type ConditionCode } from '../../../shared/contract'
import type { Tone } from './status'

export interface ConditionGroup {
  code: ConditionCode
  /** The condition's title, as the core words it (the same for every account of the group). */
  title: string
  remedy: string
  accounts: AccountSummary[]
}

/** The accounts that have a condition, grouped by its code in the order CONDITION_CODES lists them (most urgent first). */
export function groupByCondition(accounts: readonly AccountSummary[]): ConditionGroup[] {
  const groups = new Map<ConditionCode, ConditionGroup>()
  for (const account of accounts) {
    const condition = account.condition
    if (!condition) continue
    let group = groups.get(condition.code)
    if (!group) groups.set(condition.code, (group = { code: condition.code, title: condition.title, remedy: condition.remedy, accounts: [] }))
    group.accounts.push(account)
  }
  for (const group of groups.values()) group.accounts.sort((a, b) => a.label.localeCompare(b.label))
  return CONDITION_CODES.flatMap((code) => {
    const group = groups.get(code)
    return group ? [group] : []
  })
}

export type GroupRemedy =
  /** One bulk action over the group; `confirm` says what it does when it cannot be undone. */
  | { kind: 'bulk'; action: BulkAction; label: (count: number) => string; running: string; done: string; confirm: string | null }
  /** Nothing to do but wait: the condition ends by itself at the group's latest `until`. */
  | { kind: 'wait' }
  /** The app deals with it; nothing to press. */
  | { kind: 'none'; note: string }
  /** One account at a time, on its own page (a passkey step needs a person at each phone). */
  | { kind: 'each'; note: string }

const REPAIR: GroupRemedy = {
  kind: 'bulk',
  action: 'repair',
  label: (n) => `Re-pair ${n === 1 ? 'it' : `all ${n}`}…`,
  running: 'Re-pairing',
  done: 'Re-paired',
  confirm:
    'Re-pairing deletes the keys these accounts still hold here and shows a new QR code for each: every one then needs its phone to scan it (or a code typed on it).',
}
const RESTART: GroupRemedy = {
  kind: 'bulk',
  action: 'restart',
  label: (n) => `Restart ${n === 1 ? 'it' : `all ${n}`} now`,
  running: 'Restarting',
  done: 'Restarted',
  confirm: null,
}

export function remedyFor(code: ConditionCode): GroupRemedy {
  switch (code) {
    case 'logged-out':
    case 'banned':
    case 'replaced':
      return REPAIR
    case 'pairing-expired':
      return { kind: 'bulk', action: 'start', label: (n) => `Start ${n === 1 ? 'it' : `all ${n}`} again`, running: 'Starting', done: 'Started', confirm: null }
    case 'unreachable':
    case 'server-error':
    case 'stale-socket':
      return RESTART
    case 'reach-out-limited':
      return { kind: 'wait' }
    case 'decrypt-failures':
      return { kind: 'none', note: 'The senders’ phones send these messages again by themselves; the app resets a session that keeps failing.' }
    case 'passkey-required':
      return { kind: 'each', note: 'Each one needs its passkey step done on its own page, with the phone at hand.' }
    case 'proxy-unreachable':
      return { kind: 'each', note: 'Fix each proxy on its account’s page.' }
  }
}

/** When the last account of the group stops being limited (the group's "wait until"), or null when unknown. */
export function latestUntil(group: ConditionGroup): number | null {
  let latest: number | null = null
  for (const account of group.accounts) {
    const until = account.condition?.until ?? null
    if (until !== null && (latest === null || until > latest)) latest = until
  }
  return latest
}

/** The colour a condition is shown in (never the only signal: every chip has its title in words). */
export function conditionTone(code: ConditionCode): Tone {
  switch (code) {
    case 'logged-out':
    case 'banned':
    case 'replaced':
    case 'pairing-expired':
    case 'proxy-unreachable':
      return 'bad'
    default:
      return 'warn'
  }
}


// The statuses as an operator sorts them: the account statuses, with "failed" split by why (a QR code
// nobody scanned in time is not WhatsApp refusing the number), and what "needs attention" means. Pure:
// the chips, the badges, the presets and their tests read the same rules.

import type { AccountStatus, AccountSummary } from '../../../shared/contract'
import { STATUS_VIEW, type Tone } from './status'

/** Chip order: the healthy first, then in progress, idle, then what went wrong. */
export const STATUS_GROUPS = [
  'connected',
  'connecting',
  'pairing',
  'reconnecting',
  'moving',
  'new',
  'stopped',
  'moved',
  'logged-out',
  'replaced',
  'qr-expired',
  'refused',
  'failed',
] as const satisfies ReadonlyArray<AccountStatus | 'qr-expired' | 'refused'>
export type StatusGroup = (typeof STATUS_GROUPS)[number]

export const GROUP_VIEW: Record<StatusGroup, { label: string; tone: Tone; hint: string }> = {
  ...STATUS_VIEW,
  'qr-expired': { label: 'QR expired', tone: 'bad', hint: 'Nobody scanned the QR code (or typed the code) in time. Start it to pair again, with someone at the phone.' },
  refused: { label: 'Refused by WhatsApp', tone: 'bad', hint: 'WhatsApp refused this number (banned or blocked). Starting it again will not help.' },
  failed: { ...STATUS_VIEW.failed, hint: 'Stopped after an error it does not retry: see its last error.' },
}

/**
 * Which group an account is in. A failed account is split by its condition (the session doctor's
 * diagnosis) when it has one, else by the code it closed with: 408 before it was ever paired is a QR
 * that expired (reconnect-policy.ts), 403 a refusal.
 */
export function statusGroup(account: AccountSummary): StatusGroup {
  if (account.status !== 'failed') return account.status
  const code = account.condition?.code
  if (code === 'pairing-expired') return 'qr-expired'
  if (code === 'banned') return 'refused'
  if (code) return 'failed'
  if (account.lastDisconnectCode === 403) return 'refused'
  // Never paired: no pairing time and no number (an imported account has a number, and no pairing here).
  if (account.lastDisconnectCode === 408 && account.pairedAt === null && account.phone === null) return 'qr-expired'
  return 'failed'
}

/** Groups that mean the account should run and does not, or cannot. */
const TROUBLE: ReadonlySet<StatusGroup> = new Set(['reconnecting', 'logged-out', 'replaced', 'qr-expired', 'refused', 'failed'])

/**
 * Needs attention: it should run and does not (reconnecting, logged out, replaced, failed for any
 * reason), or the doctor found something wrong, or its webhook deliveries fail. An account stopped on
 * purpose, moved away or never paired does not.
 */
export function needsAttention(account: AccountSummary, webhookFailures = 0): boolean {
  return TROUBLE.has(statusGroup(account)) || (account.condition ?? null) !== null || webhookFailures > 0
}

/** How many accounts are in each group, for the chips' counts. */
export function countByGroup(list: readonly AccountSummary[]): Map<StatusGroup, number> {
  const counts = new Map<StatusGroup, number>()
  for (const a of list) {
    const group = statusGroup(a)
    counts.set(group, (counts.get(group) ?? 0) + 1)
  }
  return counts
}

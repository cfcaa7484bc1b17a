// How each account status reads and looks. The colour is never the only signal: every badge has words.

import type { AccountStatus, AccountSummary, ConditionCode } from '../../../shared/contract'

export type Tone = 'ok' | 'busy' | 'idle' | 'warn' | 'bad' | 'moved'

export const STATUS_VIEW: Record<AccountStatus, { label: string; tone: Tone; hint: string }> = {
  new: { label: 'New', tone: 'idle', hint: 'Created, never paired, not running.' },
  pairing: { label: 'Waiting for scan', tone: 'busy', hint: 'Waiting until a phone scans the QR code or takes the linking code.' },
  connecting: { label: 'Connecting', tone: 'busy', hint: 'Opening the connection to WhatsApp.' },
  connected: { label: 'Connected', tone: 'ok', hint: 'Online and receiving messages.' },
  reconnecting: { label: 'Reconnecting', tone: 'warn', hint: 'The connection dropped; a retry is scheduled.' },
  stopped: { label: 'Stopped', tone: 'idle', hint: 'Stopped by an operator.' },
  'logged-out': { label: 'Logged out', tone: 'bad', hint: 'WhatsApp dropped this device; pair it again.' },
  replaced: { label: 'Replaced', tone: 'bad', hint: 'Another client took over this session.' },
  moved: { label: 'Moved', tone: 'moved', hint: 'Exported to another place and stopped here.' },
  failed: { label: 'Failed', tone: 'bad', hint: 'Stopped after an error it does not retry.' },
  moving: {
    label: 'Reconnecting on another server',
    tone: 'warn',
    hint: 'The server that ran it stopped or handed it over; another server of the fleet takes it over within seconds.',
  },
}

/** Statuses in which a socket is open or about to be. */
export { isRunningStatus as isRunning } from '../../../shared/domain'

export function isPaired(account: AccountSummary): boolean {
  return account.pairedAt !== null || account.phone !== null
}

/**
 * Whether the account still has a session here to export or log out: paired, and neither logged out
 * nor moved (a moved account's keys are stale once the other copy ran).
 */
export function hasSession(account: AccountSummary): boolean {
  return isPaired(account) && account.status !== 'logged-out' && account.status !== 'moved'
}

/** The conditions that keep an account from starting by itself: its page offers re-pair instead of Start (docs/session-doctor.md). */
export const HELD_BACK: readonly ConditionCode[] = ['logged-out', 'banned', 'replaced']

/** Whether WhatsApp's verdict holds this account back: a plain start of it is refused. */
export function isHeldBack(account: AccountSummary): boolean {
  return account.condition !== null && HELD_BACK.includes(account.condition.code)
}

/**
 * Why this account cannot send now, naming what the page offers for it; null when connected. A moved
 * account has no Start button here (only "Take back…"), so its words point where it runs instead; nor
 * has one WhatsApp logged out, banned or replaced, so its words are the condition's remedy.
 */
export function whyNoSending(account: AccountSummary): string | null {
  if (account.status === 'connected') return null
  if (account.status === 'moved') {
    const where = account.movedTo ? account.movedTo.target : 'another place'
    return `${account.label} was moved to ${where} and runs there: send from there. “Take back…” runs it here again.`
  }
  if (account.condition && isHeldBack(account)) {
    return `Sending needs a connected account. ${account.label}: ${account.condition.title}. ${account.condition.remedy}`
  }
  return `Sending needs a connected account. Start ${account.label} and wait until it shows Connected.`
}

/** Digits or a phone-number jid → "+15551234567"; a LID (WhatsApp's hidden id, not a number) says so. */
export function formatPhone(value: string | null): string | null {
  if (value === null || value === '') return null
  const [userPart, server] = value.split('@')
  const user = userPart?.split(':')[0] ?? value
  if (server === 'lid') return `${user} (hidden number)`
  return /^\d+$/.test(user) ? `+${user}` : user
}

export function accountName(account: Pick<AccountSummary, 'label'>): string {
  return account.label
}

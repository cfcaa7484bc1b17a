// How the account picker matches: by label or push name (any part, any case), by id, and by phone digits
// whatever the query's spaces, dashes, parentheses or leading plus.

import type { AccountSummary } from '../../../../shared/contract'

export function matchesAccount(account: AccountSummary, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (q === '') return true
  if (account.label.toLowerCase().includes(q)) return true
  if (account.name?.toLowerCase().includes(q)) return true
  if (account.id.includes(q)) return true
  const digits = q.replace(/[\s()+.-]/g, '')
  return /^\d+$/.test(digits) && account.phone !== null && account.phone.includes(digits)
}

/** Formats digits-only phones as "+<digits>" for display. */
export function phoneLabel(phone: string | null): string {
  return phone ? `+${phone}` : 'not paired'
}

// An account's status in colour and in words. The dot's colour is decoration; the words carry it.
// AccountStatusBadge words a failure by why (QR expired, refused by WhatsApp): lib/status-groups.ts.

import type { AccountStatus, AccountSummary } from '../../../shared/contract'
import { STATUS_VIEW, type Tone } from '../lib/status'
import { GROUP_VIEW, statusGroup } from '../lib/status-groups'

export function StatusBadge({ status, hint, label, tone }: { status: AccountStatus; hint?: string | undefined; label?: string; tone?: Tone }) {
  const view = STATUS_VIEW[status]
  return (
    <span className={`badge tone-${tone ?? view.tone}`} title={hint ?? view.hint} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {label ?? view.label}
    </span>
  )
}

export function AccountStatusBadge({ account, hint }: { account: AccountSummary; hint?: string | undefined }) {
  const group = GROUP_VIEW[statusGroup(account)]
  return <StatusBadge status={account.status} label={group.label} tone={group.tone} hint={hint ?? account.lastError ?? group.hint} />
}

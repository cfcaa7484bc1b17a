// An account's status in colour and in words. The dot's colour is decoration; the words carry it.

import type { AccountStatus } from '../../../shared/contract'
import { STATUS_VIEW } from '../lib/status'

export function StatusBadge({ status, hint }: { status: AccountStatus; hint?: string }) {
  const view = STATUS_VIEW[status]
  return (
    <span className={`badge tone-${view.tone}`} title={hint ?? view.hint} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {view.label}
    </span>
  )
}

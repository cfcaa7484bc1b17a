// A row's actions: what makes sense for the account as it is now, in the order an operator reaches for
// them. The table carries them out (AccountsTable's runRowAction), asking first where it must.

import type { AccountSummary } from '../../../../shared/contract'
import { hasSession, isRunning } from '../../lib/status'
import { MenuButton, type MenuItem } from '../Menu'

export type RowAction = 'open' | 'qr' | 'start' | 'stop' | 'restart' | 'repair' | 'take-back' | 'tags' | 'copy-id' | 'export' | 'logout' | 'remove'

/** The actions for an account in its current status. */
export function rowActions(account: AccountSummary): Array<{ action: RowAction; label: string; danger?: boolean }> {
  const running = isRunning(account.status)
  const actions: Array<{ action: RowAction; label: string; danger?: boolean }> = [{ action: 'open', label: 'Open' }]
  if (account.status === 'pairing') actions.push({ action: 'qr', label: 'Show QR code' })
  if (account.status === 'logged-out') actions.push({ action: 'repair', label: 'Pair again…' })
  else if (account.status === 'moved') actions.push({ action: 'take-back', label: 'Take back…' })
  else if (!running) actions.push({ action: 'start', label: account.status === 'replaced' ? 'Start…' : 'Start' })
  if (running) actions.push({ action: 'stop', label: 'Stop' })
  if (account.status !== 'logged-out' && account.status !== 'moved' && account.status !== 'new') {
    actions.push({ action: 'restart', label: account.status === 'replaced' ? 'Restart…' : 'Restart' })
  }
  actions.push({ action: 'tags', label: 'Tags…' }, { action: 'copy-id', label: 'Copy id' })
  if (hasSession(account)) actions.push({ action: 'export', label: 'Export…' }, { action: 'logout', label: 'Log out…' })
  actions.push({ action: 'remove', label: 'Remove…', danger: true })
  return actions
}

export function RowMenu({ account, onAction }: { account: AccountSummary; onAction: (account: AccountSummary, action: RowAction) => void }) {
  const items: MenuItem[] = rowActions(account).map(({ action, label, danger }) => ({
    label,
    onSelect: () => onAction(account, action),
    ...(danger ? { tone: 'danger' as const } : {}),
  }))
  return (
    <MenuButton label={`Actions for ${account.label}`} items={items}>
      <span aria-hidden="true">⋯</span>
    </MenuButton>
  )
}

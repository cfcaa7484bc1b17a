// The dialogs a row's menu opens: the warning before starting a replaced account, tags, export, and the
// confirmations of log out, remove and take back, each naming the account.

import type { AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { useAccountAction, useRemoveAccount } from '../../api/hooks'
import { formatPhone, hasSession } from '../../lib/status'
import { formatDateTime } from '../../lib/time'
import { ConfirmDialog } from '../ConfirmDialog'
import { ExportAccountDialog } from '../TransferActions'
import { StartWarningDialog } from './BulkDialogs'
import { TagsDialog } from './TagsDialog'

export type RowDialog =
  | { kind: 'replaced'; account: AccountSummary; verb: 'start' | 'restart' }
  | { kind: 'tags' | 'export' | 'logout' | 'remove' | 'take-back'; account: AccountSummary }

export function RowDialogs({
  dialog,
  onClose,
  onRun,
  onRepair,
}: {
  dialog: RowDialog
  onClose: () => void
  onRun: (account: AccountSummary, action: 'start' | 'restart') => Promise<void>
  onRepair: (id: AccountId) => void
}) {
  const action = useAccountAction()
  const remove = useRemoveAccount()
  const { account } = dialog
  const label = account.label
  switch (dialog.kind) {
    case 'replaced':
      return (
        <StartWarningDialog
          verb={dialog.verb}
          targets={[account]}
          onConfirm={() => {
            onClose()
            void onRun(account, dialog.verb)
          }}
          onRepair={() => onRepair(account.id)}
          onClose={onClose}
        />
      )
    case 'tags':
      return <TagsDialog accounts={[account]} onClose={onClose} />
    case 'export':
      return <ExportAccountDialog account={account} onClose={onClose} />
    case 'logout':
      return (
        <ConfirmDialog title={`Log out ${label}?`} confirmLabel="Log out" onConfirm={() => action.mutateAsync({ id: account.id, action: 'logout' })} onClose={onClose}>
          <p>
            WhatsApp drops this linked device and its keys are deleted here. <strong>{label}</strong> stays in the list; pair it again with a new QR
            code from its menu.
          </p>
        </ConfirmDialog>
      )
    case 'remove':
      return (
        <ConfirmDialog title={`Remove ${label}?`} confirmLabel="Remove account" onConfirm={() => remove.mutateAsync(account.id)} onClose={onClose}>
          {hasSession(account) && account.status !== 'replaced' ? (
            <p>
              This logs <strong>{label}</strong>
              {account.phone ? ` (${formatPhone(account.phone)})` : ''} out of WhatsApp, deletes its keys from this machine and removes it from the
              list. To use the number here again, you will have to pair it with a new QR code.
            </p>
          ) : (
            <p>
              This deletes what is left of <strong>{label}</strong>
              {account.phone ? ` (${formatPhone(account.phone)})` : ''} on this machine and removes it from the list.
              {account.status === 'moved' ? ' The copy it was moved to is not touched.' : ' It has no live session to log out.'}
            </p>
          )}
        </ConfirmDialog>
      )
    case 'take-back':
      return (
        <ConfirmDialog title={`Take back ${label}?`} confirmLabel="Start here anyway" onConfirm={() => action.mutateAsync({ id: account.id, action: 'take-back' })} onClose={onClose}>
          <p>
            This session was moved to <strong>{account.movedTo?.target ?? 'another place'}</strong>
            {account.movedTo ? ` on ${formatDateTime(account.movedTo.at)}` : ''}. If that copy runs (or ever ran), starting this one too means{' '}
            <strong>two running copies</strong>: WhatsApp logs both out and messages stop decrypting.
          </p>
        </ConfirmDialog>
      )
  }
}

// The accounts list: every account with its status and actions, the toolbar to add one (and, with
// issue 6, to import one), and an empty state that tells a newcomer how to start.

import { useState } from 'react'
import type { AccountId } from '../../../shared/ids'
import { useAccounts } from '../api/hooks'
import { AccountCard } from '../components/AccountCard'
import { PairingDialog } from '../components/PairingDialog'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { TransferToolbar } from '../components/TransferActions'
import { ViewHeading } from '../components/ViewHeading'

export function AccountsView({ onOpenAccount }: { onOpenAccount: (id: AccountId) => void }) {
  const accounts = useAccounts()
  // null: closed; 'new': the add flow; an id: the QR codes of an account already pairing.
  const [pairing, setPairing] = useState<AccountId | 'new' | null>(null)
  const list = accounts.data ?? []
  const connected = list.filter((a) => a.status === 'connected').length

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Accounts</ViewHeading>
        {accounts.isSuccess && list.length > 0 && (
          <p className="view-summary">
            {list.length} {list.length === 1 ? 'account' : 'accounts'}, {connected} connected
          </p>
        )}
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setPairing('new')}>
            Add account
          </button>
          <TransferToolbar />
        </div>
      </div>

      {accounts.isPending && <Loading what="accounts" />}
      {accounts.isError && <ErrorState what="the accounts" error={accounts.error} onRetry={() => void accounts.refetch()} />}
      {accounts.isSuccess && list.length === 0 && (
        <EmptyState title="No accounts yet">
          <p>Each account is one WhatsApp number this app keeps online. To add the first one:</p>
          <ol>
            <li>
              Choose <strong>Add account</strong> and give it a label.
            </li>
            <li>On the phone, open WhatsApp → Settings → Linked devices → Link a device.</li>
            <li>Scan the QR code shown here. The account turns green once it is connected.</li>
          </ol>
        </EmptyState>
      )}
      {accounts.isSuccess && list.length > 0 && (
        <ul className="account-list">
          {list.map((account) => (
            <li key={account.id}>
              <AccountCard account={account} onOpen={() => onOpenAccount(account.id)} onShowQr={() => setPairing(account.id)} />
            </li>
          ))}
        </ul>
      )}

      {pairing !== null && (
        <PairingDialog accountId={pairing === 'new' ? undefined : pairing} onClose={() => setPairing(null)} />
      )}
    </section>
  )
}

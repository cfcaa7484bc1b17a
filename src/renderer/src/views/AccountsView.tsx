// The accounts list: every account with its status and actions, the toolbar to add or import one, and
// an empty state that tells a newcomer how to start. A handful of accounts show as cards; beyond that,
// as a table with search, filter, sort and bulk actions (the operator can switch either way).

import { useState } from 'react'
import type { AccountId } from '../../../shared/ids'
import { useAccounts } from '../api/hooks'
import { AccountCard } from '../components/AccountCard'
import { AccountsTable } from '../components/accounts-table/AccountsTable'
import { PairingDialog } from '../components/PairingDialog'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { TransferToolbar } from '../components/TransferActions'
import { ViewHeading } from '../components/ViewHeading'
import { CARDS_UP_TO } from '../lib/account-table'

type Layout = 'cards' | 'table'

/** The operator's last choice, kept while the page lives, so leaving the list and coming back keeps it. */
let pickedLayout: Layout | null = null

export function AccountsView({ onOpenAccount }: { onOpenAccount: (id: AccountId) => void }) {
  const accounts = useAccounts()
  // null: closed; 'new': the add flow; an id: the QR codes of an account already pairing.
  const [pairing, setPairing] = useState<AccountId | 'new' | null>(null)
  // null: chosen by the count (cards for a few, a table for many) until the operator picks one.
  const [picked, setPickedState] = useState<Layout | null>(pickedLayout)
  const setPicked = (layout: Layout): void => {
    pickedLayout = layout
    setPickedState(layout)
  }
  const list = accounts.data ?? []
  const connected = list.filter((a) => a.status === 'connected').length
  const layout: Layout = picked ?? (list.length > CARDS_UP_TO ? 'table' : 'cards')

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
          {list.length > 0 && (
            <div className="segmented" role="group" aria-label="Show accounts as">
              {(['cards', 'table'] as const).map((option) => (
                <button key={option} type="button" aria-pressed={layout === option} onClick={() => setPicked(option)}>
                  {option === 'cards' ? 'Cards' : 'Table'}
                </button>
              ))}
            </div>
          )}
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
      {accounts.isSuccess && list.length > 0 && layout === 'table' && <AccountsTable accounts={list} onShowQr={setPairing} />}
      {accounts.isSuccess && list.length > 0 && layout === 'cards' && (
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

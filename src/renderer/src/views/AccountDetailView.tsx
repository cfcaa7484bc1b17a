// One account's page (#/accounts/<id>): its status and actions, its condition with its history and the
// doctor's counts, its id to copy, its proxy, a form to send a test text, its send limits and queue, the
// texts it received, its activity log and the keys its store holds. Telemetry for it is one
// click away, on the telemetry view.

import { useState } from 'react'
import type { AccountId } from '../../../shared/ids'
import { useAccounts, useIsFleet } from '../api/hooks'
import { AccountCard } from '../components/AccountCard'
import { ActivityLog } from '../components/ActivityLog'
import { ConditionPanel } from '../components/doctor/ConditionPanel'
import { CopyIdButton } from '../components/RowParts'
import { KeyCounts } from '../components/KeyCounts'
import { MessageList } from '../components/MessageList'
import { PairingDialog } from '../components/PairingDialog'
import { ProxyDialog } from '../components/ProxyDialog'
import { SendMessageForm } from '../components/SendMessageForm'
import { SendingPanel } from '../components/SendingPanel'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { ViewHeading } from '../components/ViewHeading'
import './account-detail.css'

export function AccountDetailView({
  id,
  onBack,
  onTelemetry,
}: {
  id: AccountId
  onBack: () => void
  onTelemetry: (id: AccountId) => void
}) {
  const accounts = useAccounts()
  const [showQr, setShowQr] = useState(false)
  const [editProxy, setEditProxy] = useState(false)
  const account = accounts.data?.find((a) => a.id === id)
  const fleet = useIsFleet()

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <button type="button" className="link-button" onClick={onBack}>
          <span aria-hidden="true">← </span>All accounts
        </button>
        <ViewHeading>{account?.label ?? 'Account'}</ViewHeading>
        {account && (
          <p className="view-summary account-id">
            Id <code>{account.id}</code> <CopyIdButton account={account} />
          </p>
        )}
        {account && fleet && (
          <p className="view-summary" data-field="server">
            {account.server ? (
              <>
                Runs on server <code>{account.server}</code>
              </>
            ) : (
              'No server runs it now'
            )}
          </p>
        )}
        {account && (
          <p className="view-summary" data-field="proxy">
            {account.proxy ? (
              <>
                Connects through <code>{account.proxy}</code>
              </>
            ) : (
              'Connects directly (no proxy)'
            )}
          </p>
        )}
        {account && (
          <div className="toolbar">
            <button type="button" onClick={() => onTelemetry(id)}>
              Telemetry for this account
            </button>
            <button type="button" onClick={() => setEditProxy(true)}>
              Proxy…
            </button>
          </div>
        )}
      </div>

      {accounts.isPending && <Loading what="the account" />}
      {accounts.isError && <ErrorState what="the account" error={accounts.error} onRetry={() => void accounts.refetch()} />}
      {accounts.isSuccess && !account && (
        <EmptyState title="This account is gone">
          <p>It was removed, perhaps from another window.</p>
          <button type="button" onClick={onBack}>
            Back to all accounts
          </button>
        </EmptyState>
      )}
      {account && (
        <div className="detail-grid">
          <div className="detail-main">
            <AccountCard account={account} onOpen={() => undefined} onShowQr={() => setShowQr(true)} showDetails={false} />
            <ConditionPanel account={account} />
            <section className="panel" aria-labelledby="send-heading">
              <h3 id="send-heading">Send a test message</h3>
              <SendMessageForm account={account} others={accounts.data ?? []} />
            </section>
            <section className="panel" aria-labelledby="sending-heading">
              <h3 id="sending-heading">Sending</h3>
              <SendingPanel account={account} />
            </section>
            <section className="panel" aria-labelledby="activity-heading">
              <h3 id="activity-heading">Activity</h3>
              <ActivityLog id={id} caption={`What happened to ${account.label}, newest first`} />
            </section>
            <section className="panel" aria-labelledby="keys-heading">
              <h3 id="keys-heading">Keys in the store</h3>
              <KeyCounts id={id} caption={`Signal keys stored for ${account.label}`} />
            </section>
          </div>
          <section className="panel detail-side" aria-labelledby="inbox-heading">
            <h3 id="inbox-heading">Received messages</h3>
            <MessageList id={id} accounts={accounts.data ?? []} />
          </section>
        </div>
      )}
      {showQr && <PairingDialog accountId={id} onClose={() => setShowQr(false)} />}
      {editProxy && account && <ProxyDialog accounts={[account]} onClose={() => setEditProxy(false)} />}
    </section>
  )
}

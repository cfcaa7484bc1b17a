// One account in the list: who it is (label, phone, name), how it is (status in colour and words, its
// condition, since when, last error, reconnects) and what can be done with it now. Destructive actions
// ask first. An account WhatsApp logged out, banned or replaced offers re-pair (and, replaced, take
// back) instead of Start: a plain start of it is refused (docs/session-doctor.md).

import { useEffect, useId, useRef, useState } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import { errorMessage } from '../api/api-error'
import { useAccountAction, useRemoveAccount, type AccountAction } from '../api/hooks'
import { formatPhone, hasSession, isHeldBack, isRunning } from '../lib/status'
import { formatDateTime, formatRelative, useNow } from '../lib/time'
import { ConfirmDialog } from './ConfirmDialog'
import { ConditionChip } from './doctor/ConditionChip'
import { AccountStatusBadge } from './StatusBadge'
import { AccountTransferActions } from './TransferActions'
import './account-card.css'

type Confirming = 'remove' | 'logout' | 'take-back' | 'repair' | null

export function AccountCard({
  account,
  onOpen,
  onShowQr,
  showDetails = true,
}: {
  account: AccountSummary
  onOpen: () => void
  onShowQr: () => void
  /** Off on the account's own page, where "Details" would lead nowhere. */
  showDetails?: boolean
}) {
  const titleId = useId()
  const now = useNow()
  const action = useAccountAction()
  const remove = useRemoveAccount()
  const [confirming, setConfirming] = useState<Confirming>(null)
  const running = isRunning(account.status)
  const label = account.label
  const pendingAction = action.isPending ? action.variables?.action : null
  const movedTo = account.status === 'moved' ? account.movedTo : null
  const condition = account.condition
  const held = isHeldBack(account)

  // Start and Stop replace each other: after an action, a keyboard user's focus would fall to the
  // page's start. It goes to the first action of this card instead.
  const actionsRef = useRef<HTMLDivElement>(null)
  const refocus = useRef(false)
  useEffect(() => {
    if (!refocus.current || action.isPending) return
    refocus.current = false
    const active = document.activeElement
    if (active === null || active === document.body) {
      actionsRef.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
    }
  }, [account.status, action.isPending])

  function run(kind: AccountAction): void {
    refocus.current = true
    action.mutate({ id: account.id, action: kind })
  }

  return (
    <article className={`account-card status-${account.status}`} aria-labelledby={titleId}>
      <header className="account-card-header">
        <h3 id={titleId} className="account-title">
          {label}
        </h3>
        <AccountStatusBadge account={account} hint={movedTo ? `Moved to ${movedTo.target} on ${formatDateTime(movedTo.at)}` : undefined} />
      </header>

      {condition && (
        <p className="account-condition" data-field="condition">
          <ConditionChip code={condition.code} title={condition.title} />
        </p>
      )}

      {movedTo && (
        <p className="moved-note" role="note" aria-label={`${label} was moved`}>
          <span className="moved-note-label">Moved to</span>{' '}
          <strong data-field="moved-to">{movedTo.target}</strong>{' '}
          <time dateTime={new Date(movedTo.at).toISOString()} title={formatDateTime(movedTo.at)} data-field="moved-at">
            {formatRelative(movedTo.at, now)}
          </time>
          . It is stopped here so that only one copy runs.
        </p>
      )}

      <dl className="facts">
        <div>
          <dt>Phone</dt>
          <dd data-field="phone">{formatPhone(account.phone) ?? <span className="muted">Not paired yet</span>}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd data-field="name">{account.name ?? <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd data-field="since">
            <time dateTime={new Date(account.statusSince).toISOString()} title={formatDateTime(account.statusSince)}>
              {formatRelative(account.statusSince, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Reconnects</dt>
          <dd data-field="reconnects">{account.reconnectCount}</dd>
        </div>
        {account.lastError && (
          <div className="fact-wide fact-error">
            <dt>Last error</dt>
            <dd data-field="last-error">
              {account.lastError}
              {account.lastDisconnectCode !== null && <span className="muted"> (code {account.lastDisconnectCode})</span>}
            </dd>
          </div>
        )}
      </dl>

      <div className="card-actions" role="group" aria-label={`Actions for ${label}`} ref={actionsRef}>
        {account.status === 'pairing' && (
          <button type="button" className="primary" onClick={onShowQr} aria-label={`Show QR code for ${label}`}>
            Show QR code
          </button>
        )}
        {!running && account.status !== 'moved' && !held && (
          <button type="button" onClick={() => run('start')} disabled={action.isPending} aria-label={`Start ${label}`}>
            {pendingAction === 'start' ? 'Starting…' : 'Start'}
          </button>
        )}
        {held && (
          <button type="button" className="primary" onClick={() => setConfirming('repair')} disabled={action.isPending} aria-label={`Re-pair ${label}`}>
            Re-pair…
          </button>
        )}
        {(account.status === 'moved' || condition?.code === 'replaced') && (
          <button type="button" onClick={() => setConfirming('take-back')} disabled={action.isPending} aria-label={`Take back ${label}`}>
            Take back…
          </button>
        )}
        {running && (
          <button type="button" onClick={() => run('stop')} disabled={action.isPending} aria-label={`Stop ${label}`}>
            {pendingAction === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        {hasSession(account) && (
          <button type="button" onClick={() => setConfirming('logout')} disabled={action.isPending} aria-label={`Log out ${label}`}>
            Log out…
          </button>
        )}
        {showDetails && (
          <button type="button" onClick={onOpen} aria-label={`Details for ${label}`}>
            Details
          </button>
        )}
        <AccountTransferActions account={account} />
        <button type="button" className="danger-quiet" onClick={() => setConfirming('remove')} aria-label={`Remove ${label}`}>
          Remove…
        </button>
      </div>

      {action.error && (
        <p className="inline-error" role="alert">
          {errorMessage(action.error)}
        </p>
      )}

      {confirming === 'remove' && (
        <ConfirmDialog
          title={`Remove ${label}?`}
          confirmLabel="Remove account"
          onConfirm={() => remove.mutateAsync(account.id)}
          onClose={() => setConfirming(null)}
        >
          {/* Only a session that still exists can be logged out: the promise matches the account's state. */}
          {hasSession(account) && account.status !== 'replaced' ? (
            <p>
              This logs <strong>{label}</strong>
              {account.phone ? ` (${formatPhone(account.phone)})` : ''} out of WhatsApp, deletes its keys from this machine and
              removes it from the list. To use the number here again, you will have to pair it with a new QR code.
            </p>
          ) : (
            <p>
              This deletes what is left of <strong>{label}</strong>
              {account.phone ? ` (${formatPhone(account.phone)})` : ''} on this machine and removes it from the list.
              {account.status === 'moved' ? ' The copy it was moved to is not touched.' : ' It has no live session to log out.'}
            </p>
          )}
        </ConfirmDialog>
      )}
      {confirming === 'logout' && (
        <ConfirmDialog
          title={`Log out ${label}?`}
          confirmLabel="Log out"
          onConfirm={() => action.mutateAsync({ id: account.id, action: 'logout' })}
          onClose={() => setConfirming(null)}
        >
          <p>
            WhatsApp drops this linked device and its keys are deleted here. <strong>{label}</strong> stays in the list; start it
            to pair it again with a new QR code.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'repair' && (
        <ConfirmDialog
          title={`Re-pair ${label}?`}
          confirmLabel="Re-pair"
          onConfirm={async () => {
            await action.mutateAsync({ id: account.id, action: 'repair' })
            onShowQr()
          }}
          onClose={() => setConfirming(null)}
        >
          <p>{condition?.detail}</p>
          <p>
            Re-pairing deletes the keys <strong>{label}</strong> still holds here and shows a new QR code: scan it with the phone
            {account.phone ? ` of ${formatPhone(account.phone)}` : ''} (or type a code on it) to link this account again.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'take-back' && condition?.code === 'replaced' && (
        <ConfirmDialog
          title={`Take back ${label}?`}
          confirmLabel="Start here anyway"
          onConfirm={() => action.mutateAsync({ id: account.id, action: 'take-back' })}
          onClose={() => setConfirming(null)}
        >
          <p>
            Another client logged in with this session and took it over. Starting it here takes it back, and that client is
            replaced in turn: if it is another copy of this account that still runs, the two keep taking it from each other.
          </p>
          <p>Take it back only if the other copy is gone. Otherwise re-pair it, which makes this one a new linked device.</p>
        </ConfirmDialog>
      )}
      {confirming === 'take-back' && condition?.code !== 'replaced' && (
        <ConfirmDialog
          title={`Take back ${label}?`}
          confirmLabel="Start here anyway"
          onConfirm={() => action.mutateAsync({ id: account.id, action: 'take-back' })}
          onClose={() => setConfirming(null)}
        >
          <p>
            This session was moved to <strong>{account.movedTo?.target ?? 'another place'}</strong>
            {account.movedTo ? ` ${formatRelative(account.movedTo.at, now)}` : ''}. If that copy runs (or ever ran), starting this one
            too means <strong>two running copies</strong>: WhatsApp logs both out and messages stop decrypting.
          </p>
          <p>
            Take it back only if the other copy never ran. If it did, its keys are newer than these: stop it there, export it and
            import it here with “Replace the account here” instead.
          </p>
        </ConfirmDialog>
      )}
    </article>
  )
}

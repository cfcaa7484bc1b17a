// The texts an account received, newest first. A role="log" region: screen readers announce arrivals.
// A sender WhatsApp addresses by its LID shows as a hidden number until the phone behind it is known;
// from then on (an accounts:lid-mapping event) it shows the phone, on earlier messages too.

import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useMessages } from '../api/hooks'
import { formatPhone } from '../lib/status'
import { formatDateTime, formatTime } from '../lib/time'
import { EmptyState, ErrorState, Loading } from './States'

export function MessageList({ id, accounts }: { id: AccountId; accounts: readonly AccountSummary[] }) {
  const messages = useMessages(id)
  if (messages.isPending) return <Loading what="messages" />
  if (messages.isError) return <ErrorState what="the messages" error={messages.error} onRetry={() => void messages.refetch()} />

  const byPhone = new Map(accounts.filter((a) => a.phone).map((a) => [a.phone, a.label]))
  const newestFirst = [...messages.data].reverse()

  return (
    <div role="log" aria-label="Received messages" className="message-log">
      {newestFirst.length === 0 ? (
        <EmptyState title="No messages yet">
          <p>Texts sent to this number show up here as they arrive. Try sending one from another connected account.</p>
        </EmptyState>
      ) : (
        <ol className="messages">
          {newestFirst.map((message) => {
            const phone = message.fromPhone ?? formatPhone(message.fromLid ?? message.from)
            const digits = message.fromPhone?.replace(/^\+/, '') ?? message.from.split('@')[0]?.split(':')[0] ?? ''
            const known = byPhone.get(digits)
            return (
              <li key={`${message.id}-${message.at}`} className="message">
                <div className="message-meta">
                  <span className="message-from" data-field="from" title={message.fromLid ? `WhatsApp addresses this sender as ${message.fromLid}` : undefined}>
                    From {phone}
                    {known ? ` (${known})` : ''}
                  </span>
                  <time dateTime={new Date(message.at).toISOString()} title={formatDateTime(message.at)}>
                    {formatTime(message.at)}
                  </time>
                </div>
                <p className="message-text">{message.text}</p>
              </li>
            )
          })}
        </ol>
      )}
    </div>
  )
}

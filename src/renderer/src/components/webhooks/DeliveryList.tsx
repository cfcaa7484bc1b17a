// Recent webhook deliveries, newest first: the event, where it went, how the last attempt ended (status
// code or error, time taken), the payload as sent and the receiver's answer, and a redeliver button.

import type { WebhookDelivery } from '../../../../shared/contract'
import { errorMessage } from '../../api/api-error'
import { useDeliveries, useRedeliver, useWebhooks } from '../../api/webhook-hooks'
import { formatDateTime } from '../../lib/time'
import { ErrorState, Loading } from '../States'

const STATUS: Record<WebhookDelivery['status'], string> = { pending: 'Pending', delivered: 'Delivered', dead: 'Gave up' }

export function DeliveryList() {
  const deliveries = useDeliveries()
  const hooks = useWebhooks()
  const redeliver = useRedeliver()
  const urlOf = (id: string) => hooks.data?.find((h) => h.id === id)?.url ?? id

  return (
    <section className="panel" aria-labelledby="deliveries-heading">
      <h3 id="deliveries-heading">Recent deliveries</h3>
      {deliveries.isPending && <Loading what="the deliveries" />}
      {deliveries.isError && <ErrorState what="the deliveries" error={deliveries.error} onRetry={() => void deliveries.refetch()} />}
      {redeliver.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(redeliver.error)}
        </p>
      )}
      {deliveries.data?.length === 0 && <p className="muted">Nothing sent yet.</p>}
      {deliveries.data && deliveries.data.length > 0 && (
        <ul className="delivery-list" aria-label="Deliveries">
          {deliveries.data.map((d) => (
            <li key={d.deliveryId} className={`delivery delivery-${d.status}`}>
              <div className="delivery-line">
                <strong>{d.event}</strong>
                <span className={`badge delivery-badge-${d.status}`}>{STATUS[d.status]}</span>
                <span className="muted">
                  {formatDateTime(d.lastAttemptAt ?? d.createdAt)} · {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                  {d.statusCode !== null ? ` · HTTP ${d.statusCode}` : ''}
                  {d.error && d.statusCode === null ? ` · ${d.error}` : ''}
                  {d.durationMs !== null ? ` · ${d.durationMs} ms` : ''}
                </span>
                <button type="button" onClick={() => redeliver.mutate(d.deliveryId)} disabled={redeliver.isPending} aria-label={`Redeliver ${d.event} ${d.deliveryId}`}>
                  Redeliver
                </button>
              </div>
              <details>
                <summary>Payload and response · {urlOf(d.webhookId)}</summary>
                <p className="muted small">Delivery {d.deliveryId}</p>
                <p className="small">Payload</p>
                <pre className="delivery-payload">{d.payloadPreview}</pre>
                <p className="small">Response</p>
                <pre className="delivery-payload">{responseText(d)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** An answer's text is kept only from public addresses (docs/webhooks.md, "What is kept of an answer"). */
function responseText(d: { statusCode: number | null; response: string | null }): string {
  if (d.response !== null) return d.response
  return d.statusCode === null ? '(no answer)' : '(not kept: only the status of an answer from this machine or a private network is kept)'
}

// The webhook endpoints with their health: the last 2xx answer, failed attempts in a row since, the last
// error, and what waits (pending) or gave up (dead). Each can send a test event or be removed.

import { useState } from 'react'
import type { WebhookSummary } from '../../../../shared/contract'
import { useRemoveWebhook, useTestWebhook, useWebhooks } from '../../api/webhook-hooks'
import { errorMessage } from '../../api/api-error'
import { formatDateTime } from '../../lib/time'
import { ConfirmDialog } from '../ConfirmDialog'
import { EmptyState, ErrorState, Loading } from '../States'

export function EndpointList() {
  const list = useWebhooks()
  const test = useTestWebhook()
  const remove = useRemoveWebhook()
  const [removing, setRemoving] = useState<WebhookSummary | null>(null)

  if (list.isPending) return <Loading what="the webhooks" />
  if (list.isError) return <ErrorState what="the webhooks" error={list.error} onRetry={() => void list.refetch()} />
  if (list.data.length === 0) {
    return (
      <EmptyState title="No webhooks yet">
        <p>Add one below to have events posted to another system.</p>
      </EmptyState>
    )
  }
  return (
    <section className="panel" aria-labelledby="endpoints-heading">
      <h3 id="endpoints-heading">Endpoints</h3>
      {test.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(test.error)}
        </p>
      )}
      {test.isSuccess && (
        <p className="ok-note" role="status">
          Test event queued.
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Webhook endpoints">
        <table className="activity-table webhook-table">
          <caption className="visually-hidden">Webhook endpoints and their health</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Events</th>
              <th scope="col">Health</th>
              <th scope="col">Queue</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((hook) => (
              <tr key={hook.id}>
                <td className="webhook-url">{hook.url}</td>
                <td>{hook.events.join(', ')}</td>
                <td>
                  <Health hook={hook} />
                </td>
                <td>
                  {hook.pending} pending{hook.dead > 0 ? `, ${hook.dead} dead` : ''}
                </td>
                <td>
                  <div className="toolbar">
                    <button type="button" onClick={() => test.mutate(hook.id)} disabled={test.isPending} aria-label={`Send test event to ${hook.url}`}>
                      Send test event
                    </button>
                    <button type="button" className="danger-quiet" onClick={() => setRemoving(hook)} aria-label={`Remove ${hook.url}`}>
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {removing && (
        <ConfirmDialog title="Remove this webhook?" confirmLabel="Remove webhook" onConfirm={() => remove.mutateAsync(removing.id)} onClose={() => setRemoving(null)}>
          <p>
            Events stop going to <strong>{removing.url}</strong>, and the {removing.pending} not yet delivered are dropped.
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function Health({ hook }: { hook: WebhookSummary }) {
  return (
    <span>
      Last success: {hook.lastSuccessAt ? formatDateTime(hook.lastSuccessAt) : 'never'}
      <br />
      <span className={hook.failuresInARow > 0 ? 'webhook-failing' : undefined}>Failures in a row: {hook.failuresInARow}</span>
      {hook.lastError && hook.failuresInARow > 0 && <span className="muted"> ({hook.lastError})</span>}
    </span>
  )
}

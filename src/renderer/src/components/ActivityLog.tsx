// An account's activity log: when, what, the code WhatsApp gave, and who asked (UI, API, CLI, or the
// app itself). Newest first; the core keeps the last 200 per account across restarts.

import type { ActivityActor, ActivityKind } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useActivity } from '../api/hooks'
import { formatDateTime } from '../lib/time'
import { ErrorState, Loading } from './States'

const ACTOR: Record<ActivityActor, string> = { ui: 'UI', api: 'API', cli: 'CLI', system: 'App' }
const KIND: Record<ActivityKind, string> = {
  status: 'Status',
  reconnect: 'Reconnect',
  pairing: 'Pairing',
  error: 'Error',
  command: 'Command',
  transfer: 'Transfer',
  condition: 'Condition',
}

export function ActivityLog({ id, caption }: { id: AccountId; caption: string }) {
  const activity = useActivity(id)
  if (activity.isPending) return <Loading what="the activity" />
  if (activity.isError) return <ErrorState what="the activity" error={activity.error} onRetry={() => void activity.refetch()} />
  if (activity.data.length === 0) return <p className="muted">Nothing has happened yet.</p>
  return (
    // Scrolls on its own, so the keyboard must be able to reach it (and a screen reader to name it).
    <div className="table-scroll activity-scroll" tabIndex={0} role="region" aria-label="Activity log">
      <table className="activity-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who asked</th>
          </tr>
        </thead>
        <tbody>
          {activity.data.map((entry) => (
            <tr key={entry.seq} className={`activity-${entry.kind}`}>
              <td>
                <time dateTime={new Date(entry.at).toISOString()}>{formatDateTime(entry.at)}</time>
              </td>
              <td>
                <span className="activity-kind">{KIND[entry.kind]}</span> {entry.message}
                {entry.code !== null && <span className="muted"> (code {entry.code})</span>}
              </td>
              <td>{ACTOR[entry.actor]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

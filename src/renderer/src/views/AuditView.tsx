// The audit trail, for admins (docs/security.md, "The audit trail"): every command that answered, newest
// first, with who asked (the token's name, or desktop/cli for a caller without one), the accounts it
// named, how it ended and which server answered. Filtered by actor and command; read again every few seconds.

import { useId, useState } from 'react'
import { useAudit } from '../api/token-hooks'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { ViewHeading } from '../components/ViewHeading'
import { formatDateTime } from '../lib/time'

const LIMITS = [100, 500, 1000] as const

export function AuditView() {
  const ids = { actor: useId(), command: useId(), limit: useId() }
  const [actor, setActor] = useState('')
  const [command, setCommand] = useState('')
  const [limit, setLimit] = useState<number>(LIMITS[0])
  const trail = useAudit({ actor: actor.trim(), command: command.trim(), limit })

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Audit trail</ViewHeading>
      </div>
      <p className="view-intro">
        Every command, read or write, refused ones included, with the token that asked. Inputs are left out except names and ids. The CLI reads the
        same trail: <code>irish audit --since … --format jsonl</code>.
      </p>
      <form className="panel form audit-filter" role="search" aria-label="Filter the audit trail" onSubmit={(e) => e.preventDefault()}>
        <div className="field-inline">
          <label htmlFor={ids.actor}>Actor</label>
          <input id={ids.actor} value={actor} spellCheck={false} placeholder="Any token" onChange={(e) => setActor(e.target.value)} />
          <label htmlFor={ids.command}>Command</label>
          <input id={ids.command} value={command} spellCheck={false} placeholder="Any command" onChange={(e) => setCommand(e.target.value)} />
          <label htmlFor={ids.limit}>Show</label>
          <select id={ids.limit} value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                {n} newest
              </option>
            ))}
          </select>
        </div>
      </form>
      {trail.isPending && <Loading what="the audit trail" />}
      {trail.isError && <ErrorState what="the audit trail" error={trail.error} onRetry={() => void trail.refetch()} />}
      {trail.data && trail.data.length === 0 && (
        <EmptyState title="Nothing recorded">
          <p>{actor || command ? 'No command matches the filter.' : 'No command has answered yet.'}</p>
        </EmptyState>
      )}
      {trail.data && trail.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit trail">
          <table className="activity-table">
            <caption className="visually-hidden">Commands, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Command</th>
                <th scope="col">Accounts</th>
                <th scope="col">Result</th>
                <th scope="col">Server</th>
              </tr>
            </thead>
            <tbody>
              {trail.data.map((entry, index) => (
                <tr key={`${entry.at}-${index}`}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td>
                    <code>{entry.command}</code>
                    {entry.subject && <span className="muted"> {entry.subject}</span>}
                  </td>
                  <td>{entry.accounts.join(', ')}</td>
                  <td className={entry.result === 'ok' ? undefined : 'webhook-failing'}>{entry.result}</td>
                  <td>{entry.server}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

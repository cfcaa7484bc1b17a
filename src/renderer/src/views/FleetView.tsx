// The fleet (#/fleet): the headless servers sharing one PostgreSQL database, each with its address, how
// long ago it last renewed its heartbeat (counting up between reads), how many accounts it runs, and
// whether it is up: a server whose heartbeat is older than the lease expiry is down (its accounts move to
// the others), and the servers drop it from the list after a while (docs/fleet.md).
// On a single server (SQLite, the desktop app) it explains what a fleet is and how to make one.

import type { FleetServer } from '../../../shared/contract'
import { useFleetServers } from '../api/hooks'
import { TableScroll } from '../components/telemetry/TableScroll'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { ViewHeading } from '../components/ViewHeading'
import { formatAge, useNow } from '../lib/time'
import './fleet.css'

export function FleetView() {
  const servers = useFleetServers()
  const list = servers.data ?? []
  const running = list.reduce((sum, s) => sum + s.accounts, 0)
  const down = list.filter((s) => !s.alive).length
  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Fleet</ViewHeading>
        {list.length > 0 && (
          <p className="view-summary">
            {list.length} {list.length === 1 ? 'server' : 'servers'}, {running} {running === 1 ? 'account' : 'accounts'} running
            {down > 0 && `, ${down} down`}
          </p>
        )}
      </div>
      {servers.isPending && <Loading what="the servers" />}
      {servers.isError && <ErrorState what="the servers" error={servers.error} onRetry={() => void servers.refetch()} />}
      {servers.isSuccess && list.length === 0 && <NotAFleet />}
      {servers.isSuccess && list.length > 0 && (
        <section className="panel" aria-labelledby="servers-heading">
          <h3 id="servers-heading">Servers</h3>
          <ServerTable servers={list} readAt={servers.dataUpdatedAt} />
          {list.length === 1 && (
            <p className="muted small">
              One server so far: start another with the same <code>--database</code>, data key and API token, and the two share
              the accounts and stand in for each other.
            </p>
          )}
        </section>
      )}
    </section>
  )
}

function ServerTable({ servers, readAt }: { servers: readonly FleetServer[]; readAt: number }) {
  const now = useNow()
  // The age the server reported, plus the time since it was read: it keeps counting between reads.
  const since = Math.max(0, now - readAt)
  return (
    <TableScroll label="Servers of the fleet">
      <table className="data-table fleet-table">
        <caption>Each server, where the others reach it, and the accounts it runs</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Address</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col" className="num">
              Accounts
            </th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => (
            <tr key={server.id} data-server={server.id}>
              <th scope="row">
                <code>{server.id}</code>
              </th>
              <td>
                <code>{server.url}</code>
              </td>
              <td data-field="heartbeat">{formatAge(server.heartbeatAgeMs + since)} ago</td>
              <td className="num" data-field="accounts">
                {server.accounts}
              </td>
              <td data-field="state">
                {server.alive ? (
                  <span className="badge tone-ok" title="Its heartbeat is younger than the lease expiry.">
                    <span className="badge-dot" aria-hidden="true" />
                    Up
                  </span>
                ) : (
                  <span className="badge tone-bad" title="No heartbeat for longer than the lease expiry: its accounts move to the other servers.">
                    <span className="badge-dot" aria-hidden="true" />
                    Down
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  )
}

function NotAFleet() {
  return (
    <EmptyState title="This server runs alone">
      <p>
        Its accounts live in its own database and it runs every one of them. A <strong>fleet</strong> is several headless servers
        sharing one PostgreSQL database: each runs a fair share of the accounts, and when one stops or dies the others take its
        accounts over within seconds, without a new QR code.
      </p>
      <p>
        To make one, start each server with <code>--database postgres://…</code>, the same data key and the same API token, and
        put them behind a load balancer (docs/fleet.md has the steps). This page then lists
        them.
      </p>
    </EmptyState>
  )
}

// Who runs what, as one server of a fleet reads it from the database each round: live leases (with
// when each expires, moved into this process's monotonic clock), leases offered by a hand-over, the
// servers with their heartbeat ages, and the accounts the operator wants running. Main process,
// Electron-free. Database time only: servers never compare their clocks.

import type pg from 'pg'

export interface FleetSnapshot {
  /** Live leases: account → owner. */
  owners: Map<string, string>
  /** Live leases: when each expires by this process's monotonic clock (performance.now()). */
  deadlines: Map<string, number>
  /** Free leases offered to a server by a hand-over, within the offer's window: account → target. */
  offered: Map<string, string>
  /** Each server's address, heartbeat age and declared capacity (Infinity: no cap). */
  servers: Map<string, { url: string; ageMs: number; capacity: number }>
  /** Accounts the operator wants running that have a session (creds) to run. */
  wanted: string[]
}

export async function readFleetSnapshot(pool: pg.Pool, ttlMs: number): Promise<FleetSnapshot> {
  // Taken before the query is sent: a deadline computed from it is never later than the real expiry.
  const sentAt = performance.now()
  const { rows } = await pool.query<{ kind: string; a: string; b: string | null; ms: number | null; n: number | null }>(
    "SELECT 'lease' AS kind, account_id AS a, owner AS b, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ms, NULL::int AS n " +
      'FROM leases WHERE owner IS NOT NULL AND expires_at > now() ' +
      "UNION ALL SELECT 'offer', account_id, offered_to, NULL, NULL FROM leases " +
      "WHERE owner IS NULL AND offered_to IS NOT NULL AND offered_at > now() - $1 * interval '1 millisecond' " +
      "UNION ALL SELECT 'server', id, url, extract(epoch FROM now() - heartbeat_at) * 1000, capacity FROM servers " +
      // Only accounts with creds: a new account is claimed by the server that adds it (its socket opens
      // under the lease, then saves creds); before that, another server must not race it for the lease.
      "UNION ALL SELECT 'wanted', a.id, NULL, NULL, NULL FROM accounts a WHERE a.want_running AND a.moved_to IS NULL " +
      'AND EXISTS (SELECT 1 FROM auth_creds c WHERE c.account_id = a.id)',
    [ttlMs],
  )
  const next: FleetSnapshot = { owners: new Map(), deadlines: new Map(), offered: new Map(), servers: new Map(), wanted: [] }
  for (const row of rows) {
    if (row.kind === 'lease') {
      next.owners.set(row.a, row.b!)
      next.deadlines.set(row.a, sentAt + Number(row.ms))
    } else if (row.kind === 'offer') next.offered.set(row.a, row.b!)
    else if (row.kind === 'server') next.servers.set(row.a, { url: row.b!, ageMs: Number(row.ms), capacity: row.n === null ? Number.POSITIVE_INFINITY : Number(row.n) })
    else next.wanted.push(row.a)
  }
  return next
}

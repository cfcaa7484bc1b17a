// Shared by `npm run bench:fleet` and `npm run soak:fleet`: headless server processes on one PostgreSQL
// database and one simulator process, pairing spread over them, the leases as the database holds them,
// and percentiles. Bench/soak support only: never imported by app code or by tests.

import { rmSync } from 'node:fs'
import pg from 'pg'
import type { AccountSummary, EventMessage, FleetServer, PairingState } from '../src/shared/contract'
import { startServerProcess, type EventStream, type ServerProcess } from '../test/support/server-process'
import type { PostgresCluster } from '../test/support/postgres-cluster'
import type { SimulatorProcess } from './simulator-process'

export interface Member {
  server: ServerProcess
  events: EventStream
  dataDir: string
  id: string
}

export interface FleetSetup {
  url: string
  dataKey: string
  token: string
  sim: SimulatorProcess
  env?: Record<string, string>
}

/** Starts one server of the fleet in `dataDir` and opens its event stream; resolves once it is in fleet:servers. */
export async function startMember(setup: FleetSetup, dataDir: string): Promise<Member> {
  const server = await startServerProcess({
    dataDir,
    dataKey: setup.dataKey,
    token: setup.token,
    args: ['--database', setup.url],
    env: { IRISH_WHATSAPP_URL: setup.sim.url, IRISH_WHATSAPP_ROOT_KEY: setup.sim.rootKeyHex, ...setup.env },
  })
  const events = await server.events()
  const self = (await server.value<FleetServer[]>('fleet:servers')).find((s) => s.url === server.url)
  if (!self) throw new Error(`the server at ${server.url} is not in fleet:servers`)
  return { server, events, dataDir, id: self.id }
}

/** Pairs `n` accounts, each member a share of them, the members at once; returns each pairing's time (ms). */
export async function pairSpread(members: readonly Member[], sim: SimulatorProcess, n: number, label: string): Promise<{ accounts: AccountSummary[]; pairMs: number[] }> {
  const pairMs: number[] = []
  const accounts: AccountSummary[] = []
  await Promise.all(
    members.map(async (member, m) => {
      for (let i = m; i < n; i += members.length) {
        const t = performance.now()
        const added = await member.server.value<AccountSummary>('accounts:add', { label: `${label} ${i}` })
        const qr = await member.events.next((e) => e.event === 'accounts:qr' && (e.payload as PairingState).id === added.id && (e.payload as PairingState).qr !== null, 60_000)
        await sim.scan((qr.payload as PairingState).qr!, `${label} ${i}`)
        const done = await member.events.next(connected(added.id), 60_000)
        accounts.push(done.payload as AccountSummary)
        pairMs.push(performance.now() - t)
      }
    }),
  )
  return { accounts, pairMs }
}

/** The accounts `serverId` holds a live lease on, from the database (not a server's last round). */
export async function leasesOwnedBy(url: string, serverId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ a: string }>('SELECT account_id AS a FROM leases WHERE owner = $1 AND expires_at > now()', [serverId])).rows.map((r) => r.a)
  } finally {
    await client.end()
  }
}

export function connected(id: string) {
  return (e: EventMessage): boolean =>
    e.event === 'accounts:changed' && (e.payload as AccountSummary).id === id && (e.payload as AccountSummary).status === 'connected'
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

export function stats(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

/** Stops what a fleet run started, whatever state it ended in: live members, the simulator, the cluster, the scratch folder. */
export async function stopFleet(members: readonly Member[], sim: SimulatorProcess | null, cluster: PostgresCluster, scratch: string): Promise<void> {
  for (const m of members) {
    m.events.close()
    if (m.server.child.exitCode === null && m.server.child.signalCode === null) await m.server.stop().catch(() => undefined)
  }
  await sim?.stop()
  await cluster.stop()
  rmSync(scratch, { recursive: true, force: true })
}

// Test-only: a real fleet for the fleet view's spec: a throwaway PostgreSQL cluster, one in-process
// WhatsApp simulator, and two headless server processes on that database with one token and one data
// key, each pairing one account through the simulator (real Baileys). Everything binds 127.0.0.1 and
// stop() removes it all. Without PostgreSQL, `missing` says why (and in CI requirePostgres throws).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AccountSummary, FleetServer, PairingState } from '../../src/shared/contract'
import { silentLogger, startSimulator, type Simulator } from '../../src/simulator/index'
import { requirePostgres, startPostgresCluster, type PostgresCluster } from '../../test/support/postgres-cluster'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from '../../test/support/server-process'

export const PG_INSTALL = requirePostgres()

export interface PgFleetMember {
  server: ServerProcess
  events: EventStream
  id: string
}

export interface PgFleet {
  members: PgFleetMember[]
  /** The account each member paired, in member order. */
  accounts: AccountSummary[]
  token: string
  stop(): Promise<void>
}

/** `leaseTtlMs`: the fleet's lease expiry (a spec that stops a server waits a few of them). */
export async function startPgFleet(size = 2, leaseTtlMs?: number): Promise<PgFleet> {
  if ('missing' in PG_INSTALL) throw new Error(PG_INSTALL.missing)
  const cleanup: Array<() => Promise<unknown>> = []
  const stop = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined)
  }
  try {
    const cluster: PostgresCluster = await startPostgresCluster(PG_INSTALL)
    cleanup.push(() => cluster.stop())
    const url = await cluster.createDatabase()
    const sim: Simulator = await startSimulator({ port: 0, logger: silentLogger })
    cleanup.push(() => sim.close())
    const token = newApiToken()
    const dataKey = newDataKey()
    const members: PgFleetMember[] = []
    // One at a time: the first applies the migrations.
    for (let i = 0; i < size; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'irish-e2e-pg-fleet-'))
      cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }))
      const server = await startServerProcess({
        dataDir,
        dataKey,
        token,
        args: ['--database', url],
        env: { IRISH_WHATSAPP_URL: sim.url, IRISH_WHATSAPP_ROOT_KEY: sim.rootKeyHex, ...(leaseTtlMs ? { IRISH_LEASE_TTL_MS: String(leaseTtlMs) } : {}) },
      })
      cleanup.push(() => server.stop())
      const events = await server.events()
      cleanup.push(async () => events.close())
      const self = (await server.value<FleetServer[]>('fleet:servers')).find((s) => s.url === server.url)
      if (!self) throw new Error(`the server at ${server.url} is not in fleet:servers`)
      members.push({ server, events, id: self.id })
    }
    const accounts: AccountSummary[] = []
    for (const [i, member] of members.entries()) accounts.push(await pairOn(member, sim, `Desk ${i + 1}`))
    return { members, accounts, token, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function pairOn(member: PgFleetMember, sim: Simulator, label: string): Promise<AccountSummary> {
  const added = await member.server.value<AccountSummary>('accounts:add', { label })
  const qr = await member.events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  await sim.scanQr((qr.payload as PairingState).qr!, { name: label })
  const connected = await member.events.next(
    (m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected',
    60_000,
  )
  return connected.payload as AccountSummary
}

// `npm run bench:fleet [-- --accounts 60] [--ops 3000] [--store-only] [--pairing qr|seed]`: three headless
// servers on one throwaway PostgreSQL cluster and one WhatsApp simulator (its own process). Prints pairing
// and connect times, the auth store's one-key
// get/set latency on PostgreSQL next to SQLite measured in the same run (same data key, same values, in
// rotated rounds), and, last, the failover after kill -9 of one server, exactly as
// `fleet: <N> accounts resumed in <s> s after kill -9 of 1 of 3 servers`.
// Above 500 accounts (or with --pairing seed) the accounts are not paired by QR but seeded into the
// database and the simulator's state (seed-accounts.ts, as bench:accounts does), not wanted running; each
// server is then asked to start a third (accounts:bulk), as each pairs a third otherwise, and the time
// until all are connected is printed. The connects and the failover are real Baileys either way.
// Targets: failover under 25 s with the default 15 s lease; PostgreSQL one-key get p99 under
// 2 ms on loopback. The figures are printed, never asserted.

import '../scripts/require-node24.mjs'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { FleetServer } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import { openSqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import type { AuthStoreFactory } from '../src/main/core/auth-store/types'
import { openPostgres } from '../src/main/core/db/postgres/open-postgres'
import { pgAuthStoreFactory } from '../src/main/core/auth-store/pg-store'
import { silentLogger } from '../src/main/core/logger'
import { findPostgres, startPostgresCluster } from '../test/support/postgres-cluster'
import { newDataKey } from '../test/support/server-process'
import { connected, leasesOwnedBy, pairSpread, startMember, stats, stopFleet, type Member } from './fleet-support'
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process'
import { SEED_BY_DEFAULT_ABOVE, seedInChildProcess } from './seed-accounts'
import { NO_LIMITS } from '../src/main/core/sends/limits'
import { MAX_BULK_IDS } from '../src/shared/schemas'

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '60' },
    ops: { type: 'string', default: '3000' },
    'store-only': { type: 'boolean', default: false },
    pairing: { type: 'string' },
  },
})
const N = Number(values.accounts)
const PAIRING = values.pairing ?? (N > SEED_BY_DEFAULT_ABOVE ? 'seed' : 'qr')
if (PAIRING !== 'qr' && PAIRING !== 'seed') throw new Error('--pairing must be qr or seed')
const OPS = Number(values.ops)
const say = (line: string): void => void process.stdout.write(`${line}\n`)

const ms = (n: number): string => `${n.toFixed(3)} ms`

/** One-key get and set latency, in rounds that alternate the two stores so load drift hits both. */
async function storeLatency(pgFactory: AuthStoreFactory, sqliteFactory: AuthStoreFactory): Promise<void> {
  const account = 'acc-benchfleet' as AccountId
  const value = randomBytes(1200) // about a Signal session record
  const samples = { pg: { get: [] as number[], set: [] as number[] }, sqlite: { get: [] as number[], set: [] as number[] } }
  const stores = { pg: pgFactory.open(account), sqlite: sqliteFactory.open(account) }
  for (const store of Object.values(stores)) {
    for (let i = 0; i < 200; i++) await store.set({ session: { [`peer-${i}.0`]: value } }) // warm-up and data
  }
  const rounds = 6
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['pg', 'sqlite'] as const) : (['sqlite', 'pg'] as const)
    for (const kind of order) {
      const store = stores[kind]
      for (let i = 0; i < OPS / rounds; i++) {
        const id = `peer-${i % 200}.0`
        let t = performance.now()
        await store.set({ session: { [id]: value } })
        samples[kind].set.push(performance.now() - t)
        t = performance.now()
        await store.get('session', [id])
        samples[kind].get.push(performance.now() - t)
      }
    }
  }
  for (const op of ['get', 'set'] as const) {
    const pg = stats(samples.pg[op])
    const lite = stats(samples.sqlite[op])
    say(
      `store one-key ${op}: postgres p50 ${ms(pg.p50)} p99 ${ms(pg.p99)} | sqlite p50 ${ms(lite.p50)} p99 ${ms(lite.p99)} | ` +
        `postgres/sqlite p50 ${(pg.p50 / lite.p50).toFixed(1)}x p99 ${(pg.p99 / lite.p99).toFixed(1)}x`,
    )
  }
}

async function main(): Promise<void> {
  const install = findPostgres()
  if ('missing' in install) throw new Error(install.missing)
  const cluster = await startPostgresCluster(install)
  let sim: SimulatorProcess | null = null
  const members: Member[] = []
  const scratch = mkdtempSync(join(tmpdir(), 'irish-bench-fleet-'))
  try {
    const url = await cluster.createDatabase()
    const dataKey = newDataKey()
    const token = randomBytes(24).toString('base64url')

    // Store latency first, on an idle machine: a database of its own on the same cluster.
    const key = Buffer.from(dataKey, 'base64')
    const storeDb = await openPostgres({ url: await cluster.createDatabase(), dataKey: key, logger: silentLogger() })
    const sqlite = openSqliteAuthStoreFactory({ file: join(scratch, 'bench.db'), dataKey: key })
    await storeLatency(pgAuthStoreFactory(storeDb), sqlite)
    await sqlite.close()
    await storeDb.close()
    if (values['store-only']) return

    let seeded: string[] | null = null
    const simArgs = ['--port', '0']
    if (PAIRING === 'seed') {
      const statePath = join(scratch, 'sim-state.json')
      const started = performance.now()
      const options = { count: N, dataDir: join(scratch, 'seed'), dataKey, databaseUrl: url, statePath, labelPrefix: 'Bench', limits: NO_LIMITS, wantRunning: false }
      seeded = (await seedInChildProcess(options)).accounts.map((a) => a.id)
      say(`seeding: ${N} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s (not paired: seed-accounts.ts)`)
      simArgs.push('--state', statePath, '--state-read-only')
    }
    sim = await startSimulatorProcess(simArgs)

    for (let i = 0; i < 3; i++) members.push(await startMember({ url, dataKey, token, sim }, mkdtempSync(join(scratch, `server-${i}-`))))

    if (seeded) await startSpread(members, seeded)
    else {
      // Pairing: each server pairs a third, the three at once.
      const pairStart = performance.now()
      const { pairMs } = await pairSpread(members, sim, N, 'Bench')
      const pairing = stats(pairMs)
      say(`pairing: ${N} accounts in ${((performance.now() - pairStart) / 1000).toFixed(1)} s on 3 servers; per account p50 ${(pairing.p50 / 1000).toFixed(2)} s p99 ${(pairing.p99 / 1000).toFixed(2)} s`)
    }
    const spread = await members[0]!.server.value<FleetServer[]>('fleet:servers')
    say(`spread: ${spread.map((s) => s.accounts).join(' / ')} accounts`)

    // Failover: kill -9 one server; its accounts connect on the others once their leases expire.
    const [watcher, , victim] = members as [Member, Member, Member]
    // From the database, not a server's last assignment round: the leases as they are now.
    const victims = await leasesOwnedBy(url, victim.id)
    const since = watcher.events.received.length
    const killedAt = performance.now()
    victim.server.child.kill('SIGKILL')
    const resumedMs: number[] = []
    await Promise.all(
      victims.map(async (id) => {
        await watcher.events.next((e) => watcher.events.received.indexOf(e) >= since && connected(id)(e), 120_000)
        resumedMs.push(performance.now() - killedAt)
      }),
    )
    const total = (performance.now() - killedAt) / 1000
    const resumed = stats(resumedMs)
    say(`failover: first account after ${(Math.min(...resumedMs) / 1000).toFixed(1)} s, p50 ${(resumed.p50 / 1000).toFixed(1)} s (lease expiry 15 s; target under 25 s)`)
    say(`fleet: ${victims.length} accounts resumed in ${total.toFixed(1)} s after kill -9 of 1 of 3 servers`)
  } finally {
    await stopFleet(members, sim, cluster, scratch)
  }
}

/** Each server starts a third of the seeded accounts, the three at once; prints the time until all are connected. */
async function startSpread(members: readonly Member[], ids: readonly string[]): Promise<void> {
  const started = performance.now()
  const connectedMs: number[] = []
  await Promise.all(
    members.map(async (member, m) => {
      const share = ids.filter((_, i) => i % members.length === m)
      const arrived = share.map(async (id) => {
        await member.events.next(connected(id), 600_000)
        connectedMs.push(performance.now() - started)
      })
      for (let i = 0; i < share.length; i += MAX_BULK_IDS) {
        const results = await member.server.value<Array<{ id: string; ok: boolean; error?: { message: string } }>>('accounts:bulk', { ids: share.slice(i, i + MAX_BULK_IDS), action: 'start' })
        const failed = results.filter((r) => !r.ok)
        if (failed.length > 0) throw new Error(`${failed.length} starts failed, the first: ${failed[0]!.error?.message ?? 'no message'}`)
      }
      await Promise.all(arrived)
    }),
  )
  const connect = stats(connectedMs)
  say(`connect: ${ids.length} seeded accounts on 3 servers in ${((performance.now() - started) / 1000).toFixed(1)} s; per account p50 ${(connect.p50 / 1000).toFixed(1)} s p99 ${(connect.p99 / 1000).toFixed(1)} s`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)

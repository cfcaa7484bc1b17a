// The fleet under faults (docs/fleet.md): three real server processes on one throwaway PostgreSQL
// cluster, the simulator's phones sending texts throughout, and a webhook receiver. A server paused in
// the middle of a key write, a second kill -9 during a failover, a PostgreSQL restart under traffic, and
// six accounts paired through one server spreading over three, then four. Each trial counts every text
// sent against what arrived: once on the stream, at least once at the webhook under one delivery id.
// The trials are test/support/fleet-faults.ts; `npm run soak:fleet-faults` runs them again and again.
// The lease expiry is 4 s here (15 s by default); the bounds are stated against it.

import { afterEach, expect, it } from 'vitest'
import { muteLibsignalLogs } from './support/baileys-clients'
import { databaseRestart, FAULT_LEASE_MS, pausedMidWrite, secondCrash, spreadAndJoin, startFaultFleet, type FaultFleet, type Figures } from './support/fleet-faults'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'

function expectNothingLost(figures: Figures): void {
  console.log(`fleet faults: ${JSON.stringify(figures)}`)
  expect(figures.notes).toEqual([])
  expect(figures.sent).toBeGreaterThan(10)
  expect(figures).toMatchObject({ lost: 0, doubled: 0, webhookDistinctIds: 0, switchedOff: 0 })
}

describePostgres('the fleet under faults', () => {
  const ref = usePostgresCluster()
  let fleet: FaultFleet | null = null
  let unmute: (() => void) | null = null

  afterEach(async () => {
    if (process.env.IRISH_FAULTS_LOGS && fleet) {
      const { writeFileSync } = await import('node:fs')
      const outbox = await fleet.query('SELECT seq, status, attempts, claimed_by, claimed_until, claim_id, error, next_attempt_at, (extract(epoch from now())*1000)::bigint AS now_ms FROM webhook_outbox ORDER BY seq')
      writeFileSync(process.env.IRISH_FAULTS_LOGS, `${JSON.stringify(outbox, null, 1)}\n` + fleet.members.map((m) => `=== ${m.id}\n${m.server.stderr.join('')}`).join('\n'))
    }
    await fleet?.close()
    fleet = null
    unmute?.()
  })

  async function start(options: Parameters<typeof startFaultFleet>[1] = {}): Promise<FaultFleet> {
    unmute = muteLibsignalLogs()
    fleet = await startFaultFleet(ref.cluster, options)
    return fleet
  }

  it('a server paused in the middle of a key write: the others keep theirs and take its accounts within the lease + 10 s; woken, it takes no more than its share', async () => {
    const figures = await pausedMidWrite(await start())
    expectNothingLost(figures)
    expect(figures.takeoverMs).toBeLessThan(FAULT_LEASE_MS + 10_000)
  }, 240_000)

  it('a second kill -9 during a failover: every account ends on the last server, no text lost', async () => {
    const figures = await secondCrash(await start())
    expectNothingLost(figures)
  }, 240_000)

  it('a PostgreSQL restart under traffic: every server streams every text once, and the outage answers 503', async () => {
    const figures = await databaseRestart(await start(), ref.cluster)
    expectNothingLost(figures)
  }, 240_000)

  it('six accounts paired through one server spread to at most three per server within 30 s, and a fourth server gets its share, never two copies', async () => {
    const figures = await spreadAndJoin(await start({ pairThrough: 'first' }))
    expectNothingLost(figures)
    expect(figures.secondSockets).toBe(0)
    expect(figures.spreadMs).toBeGreaterThan(0)
    expect(figures.joinMs).toBeGreaterThan(0)
    expect([...figures.counts].sort()).toEqual([1, 1, 2, 2])
  }, 240_000)
})

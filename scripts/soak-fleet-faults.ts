// `npm run soak:fleet-faults [-- --rounds 20] [--faults paused,crash,restart,spread]`: the fleet's fault
// trials (test/support/fleet-faults.ts, docs/fleet.md) again and again beside two busy CPU workers
// (bench/cpu-contention.ts), each round on a fresh database of one throwaway PostgreSQL cluster with three
// fresh servers. Prints every round, then per fault: texts sent, lost (must be 0), doubled on the stream
// (must be 0), webhook repeats (allowed, under the same delivery id) and texts under two delivery ids
// (must be 0), accounts left switched off (must be 0), second copies of a session, and takeover times.
// Exits 1 when any of the must-be-zero figures is not.

import './require-node24.mjs'
import { parseArgs } from 'node:util'
import { loadAverage, startContention } from '../bench/cpu-contention'
import { databaseRestart, pausedMidWrite, secondCrash, spreadAndJoin, startFaultFleet, type FaultFleet, type Figures } from '../test/support/fleet-faults'
import { findPostgres, startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster'
import { guardConsoleAgainstSessionDumps } from '../src/whatsapp-protocol/console-guard'

const FAULTS = {
  paused: { what: 'SIGSTOP mid key-write', options: {}, trial: (f: FaultFleet) => pausedMidWrite(f) },
  crash: { what: 'second kill -9 during a failover', options: {}, trial: (f: FaultFleet) => secondCrash(f) },
  restart: { what: 'PostgreSQL restart under traffic', options: {}, trial: (f: FaultFleet, c: PostgresCluster) => databaseRestart(f, c) },
  spread: { what: 'six paired through one of three, then a fourth joins', options: { pairThrough: 'first' as const }, trial: (f: FaultFleet) => spreadAndJoin(f) },
} as const
type Fault = keyof typeof FAULTS

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, faults: { type: 'string', default: Object.keys(FAULTS).join(',') } } })
const ROUNDS = Number(values.rounds)
const chosen = values.faults.split(',').map((f) => f.trim()) as Fault[]
const say = (line: string): void => void process.stdout.write(`${line}\n`)
const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`)

/** Takeover time, or for the spread: how long until at most three per server, and until the fourth server ran one. */
function placement(figures: Figures & { spreadMs?: number; joinMs?: number; counts?: number[] }): string {
  if (figures.spreadMs === undefined) return `takeover ${s(figures.takeoverMs)}`
  return `spread to at most 3 per server in ${s(figures.spreadMs)}, the fourth server ran one after ${s(figures.joinMs ?? null)}, counts ${JSON.stringify(figures.counts)}`
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a whole number, 1 or more')
  const unknown = chosen.filter((f) => !(f in FAULTS))
  if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(', ')}; choose from ${Object.keys(FAULTS).join(', ')}`)
  const install = findPostgres()
  if ('missing' in install) throw new Error(install.missing)
  guardConsoleAgainstSessionDumps()
  const cluster = await startPostgresCluster(install)
  const contention = startContention(2)
  say(`soak:fleet-faults: ${ROUNDS} rounds of ${chosen.join(', ')}, 3 servers, 6 accounts, lease 4 s, beside ${contention.what}; load ${loadAverage()}`)
  let failed = false
  let setupFailures = 0
  const summaries: string[] = []
  try {
    for (const fault of chosen) {
      const rounds: Figures[] = []
      for (let round = 1; round <= ROUNDS; round++) {
        // A fleet that cannot be set up is a failure like any other: pairing through one server of a
        // fleet is part of what the trials test, and a retry here once hid a hand-over cutting a pairing.
        let fleet: FaultFleet
        try {
          fleet = await startFaultFleet(cluster, FAULTS[fault].options)
        } catch (err) {
          failed = true
          setupFailures += 1
          say(`${fault} round ${round}: FAILED setting the fleet up: ${firstLine(err)}`)
          continue
        }
        let figures: Figures
        try {
          figures = await FAULTS[fault].trial(fleet, cluster)
        } catch (err) {
          failed = true
          say(`${fault} round ${round}: FAILED: ${firstLine(err)}`)
          continue
        } finally {
          await fleet.close()
        }
        rounds.push(figures)
        const bad = figures.lost + figures.doubled + figures.webhookDistinctIds + figures.switchedOff + figures.notes.length > 0
        if (bad) failed = true
        say(
          `${fault} round ${round}: texts ${figures.sent} sent, ${figures.lost} lost, ${figures.doubled} doubled, ` +
            `${figures.webhookRepeats} webhook repeats (${figures.webhookDistinctIds} under another delivery id), ${figures.switchedOff} switched off, ` +
            `${figures.secondSockets} second sockets, ${placement(figures)}${figures.notes.length ? `; ${figures.notes.join('; ')}` : ''}; load ${loadAverage()}`,
        )
      }
      const sum = (k: 'sent' | 'lost' | 'doubled' | 'webhookRepeats' | 'webhookDistinctIds' | 'switchedOff' | 'secondSockets'): number => rounds.reduce((n, r) => n + r[k], 0)
      const takeovers = rounds.map((r) => r.takeoverMs).filter((t): t is number => t !== null).sort((a, b) => a - b)
      summaries.push(
        `${fault} (${FAULTS[fault].what}): ${rounds.length}/${ROUNDS} rounds ran; texts ${sum('sent')} sent, ${sum('lost')} lost, ${sum('doubled')} doubled on the stream, ` +
          `${sum('webhookRepeats')} webhook repeats (${sum('webhookDistinctIds')} under another delivery id), ${sum('switchedOff')} accounts switched off, ` +
          `${sum('secondSockets')} second sockets` +
          (takeovers.length ? `; takeover p50 ${s(percentile(takeovers, 50))}, max ${s(takeovers.at(-1)!)}` : ''),
      )
    }
  } finally {
    await contention.stop()
    await cluster.stop()
  }
  say('summary:')
  for (const line of summaries) say(`  ${line}`)
  say(`  fleets that could not be set up (each a failed round): ${setupFailures}`)
  say(`load average at the end: ${loadAverage()}`)
  process.exitCode = failed ? 1 : 0
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

// `npm run soak:fleet [-- --rounds 5] [--accounts 15]`: three headless servers on one throwaway
// PostgreSQL cluster and one simulator process (bench/fleet-support.ts). Each round kills (SIGKILL) the
// server holding the most accounts, other than the one whose event stream is watched, with texts sent
// to its accounts before, during and after the failover; then starts a server again in its place.
// Prints per round the failover time (first and last of its accounts connected again elsewhere) and
// how many texts arrived exactly once, were lost or came twice; then a summary. The lease expiry is the
// default (15 s) unless IRISH_LEASE_TTL_MS says otherwise. Exits 1 when any text was lost or duplicated.

import './require-node24.mjs'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { AccountSummary, EventMessage } from '../src/shared/contract'
import { connected, leasesOwnedBy, pairSpread, startMember, stats, stopFleet, type FleetSetup, type Member } from '../bench/fleet-support'
import { startSimulatorProcess } from '../bench/simulator-process'
import { findPostgres, startPostgresCluster } from '../test/support/postgres-cluster'
import { newDataKey } from '../test/support/server-process'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, accounts: { type: 'string', default: '15' } } })
const ROUNDS = Number(values.rounds)
const N = Number(values.accounts)
const LEASE_MS = Number(process.env.IRISH_LEASE_TTL_MS ?? 15_000)
/** Resumed within the lease expiry plus this, or the round counts as failed. */
const RESUME_MARGIN_MS = 30_000
const say = (line: string): void => void process.stdout.write(`${line}\n`)
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

interface Round {
  victims: number
  firstMs: number
  lastMs: number
  sent: number
  once: number
  lost: number
  duplicated: number
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || !Number.isInteger(N) || N < 3) throw new Error('--rounds must be 1 or more, --accounts 3 or more')
  const install = findPostgres()
  if ('missing' in install) throw new Error(install.missing)
  const cluster = await startPostgresCluster(install)
  const sim = await startSimulatorProcess()
  const scratch = mkdtempSync(join(tmpdir(), 'irish-soak-fleet-'))
  const members: Member[] = []
  try {
    const setup: FleetSetup = { url: await cluster.createDatabase(), dataKey: newDataKey(), token: randomBytes(24).toString('base64url'), sim }
    const fresh = (): string => mkdtempSync(join(scratch, 'server-'))
    for (let i = 0; i < 3; i++) members.push(await startMember(setup, fresh()))
    const { accounts } = await pairSpread(members, sim, N, 'Soak')
    say(`soak:fleet: ${N} accounts paired on 3 servers; ${ROUNDS} rounds of kill -9 and restart; lease expiry ${s(LEASE_MS)}`)
    // The watched server is never killed: its stream carries every account's events (LISTEN/NOTIFY).
    const watcher = members[0]!
    const rounds: Round[] = []
    for (let r = 1; r <= ROUNDS; r++) {
      const round = await killAndRestart(setup, members, watcher, accounts, r, fresh)
      rounds.push(round)
      say(
        `round ${r}: ${round.victims} accounts failed over; first ${s(round.firstMs)}, last ${s(round.lastMs)} after kill -9; ` +
          `texts ${round.sent} sent, ${round.once} arrived once, ${round.lost} lost, ${round.duplicated} twice`,
      )
    }
    const last = stats(rounds.map((r) => r.lastMs))
    const totals = rounds.reduce((t, r) => ({ sent: t.sent + r.sent, once: t.once + r.once, lost: t.lost + r.lost, duplicated: t.duplicated + r.duplicated }), {
      sent: 0,
      once: 0,
      lost: 0,
      duplicated: 0,
    })
    say(
      `summary: ${ROUNDS} rounds, ${rounds.reduce((n, r) => n + r.victims, 0)} failovers; all of a round's accounts back in p50 ${s(last.p50)}, ` +
        `max ${s(Math.max(...rounds.map((r) => r.lastMs)))} (lease expiry ${s(LEASE_MS)}); texts ${totals.sent} sent, ${totals.once} once, ${totals.lost} lost, ${totals.duplicated} twice`,
    )
    if (totals.lost > 0 || totals.duplicated > 0) process.exitCode = 1
  } finally {
    await stopFleet(members, sim, cluster, scratch)
  }
}

async function killAndRestart(setup: FleetSetup, members: Member[], watcher: Member, accounts: AccountSummary[], round: number, fresh: () => string): Promise<Round> {
  const held = await Promise.all(members.map(async (m) => ({ m, ids: await leasesOwnedBy(setup.url, m.id) })))
  const victim = held.filter((h) => h.m !== watcher).sort((a, b) => b.ids.length - a.ids.length)[0]!
  const sender = accounts.find((a) => held.find((h) => h.m === watcher)!.ids.includes(a.id))
  if (!sender) throw new Error('the watched server runs no account to send from')
  const victims = accounts.filter((a) => victim.ids.includes(a.id))
  const texts: Array<{ to: string; text: string }> = []
  const send = async (phase: string): Promise<void> => {
    for (const a of victims) {
      const text = `round ${round} ${phase} ${a.id} ${randomBytes(4).toString('hex')}`
      texts.push({ to: a.id, text })
      await watcher.server.value('accounts:send-text', { id: sender.id, to: `+${a.phone}`, text })
    }
  }
  const isText = (text: string) => (e: EventMessage) => e.event === 'accounts:message' && (e.payload as { text: string }).text === text

  await send('before')
  await Promise.all(texts.map((t) => watcher.events.next(isText(t.text), 30_000)))
  const since = watcher.events.received.length
  const killedAt = performance.now()
  victim.m.server.child.kill('SIGKILL')
  await send('during')
  const resumed = await Promise.all(
    victims.map(async (a) => {
      await watcher.events.next((e) => watcher.events.received.indexOf(e) >= since && connected(a.id)(e), LEASE_MS + RESUME_MARGIN_MS)
      return performance.now() - killedAt
    }),
  )
  await send('after')
  // Every text once; a missing one is waited for a while, then counted as lost.
  await Promise.all(texts.map((t) => watcher.events.next(isText(t.text), 30_000).catch(() => undefined)))
  const arrived = texts.map((t) => watcher.events.received.filter((e) => isText(t.text)(e) && (e.payload as { account: string }).account === t.to).length)

  // In its place, a new server process (a new id) on a fresh data dir, as a restarted machine would be.
  victim.m.events.close()
  members.splice(members.indexOf(victim.m), 1, await startMember(setup, fresh()))
  return {
    victims: victims.length,
    firstMs: Math.min(...resumed),
    lastMs: Math.max(...resumed),
    sent: texts.length,
    once: arrived.filter((n) => n === 1).length,
    lost: arrived.filter((n) => n === 0).length,
    duplicated: arrived.filter((n) => n > 1).length,
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

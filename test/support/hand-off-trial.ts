// One trial of a server-to-server hand-off interrupted by kill -9 at a given step, for the recovery test
// and `npm run soak:handoff`: pair an account on A, export it to B with one of them set to kill itself at
// `step`, restart the dead one on the same port and data dir, and wait until both have settled it by
// themselves. Returns where the account ended up. Loads no vitest.

import { once } from 'node:events'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AccountSummary, EventMessage, PairingState } from '../../src/shared/contract'
import type { CrashPoint } from '../../src/main/core/transfer/hand-off-protocol'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './server-process'
import type { TestSimulator } from './transfer-support'

export interface TrialOutcome {
  /** Where the account is connected at the end: exactly one of them. */
  runningAt: 'source' | 'target'
  source: AccountSummary | undefined
  target: AccountSummary | undefined
  /** What the export call answered before the crash (or the network error). */
  exportAnswer: string
  settleMs: number
  /** The hand-off journal's records left in the target's data dir once settled. */
  targetRecords: Array<{ state: string }>
}

interface Side {
  server: ServerProcess
  events: EventStream
  dataDir: string
  dataKey: string
  token: string
}

const SETTLE_TIMEOUT_MS = 60_000

async function start(env: Record<string, string>, prefix: string, previous?: Side, port?: string): Promise<Side> {
  const dataDir = previous?.dataDir ?? mkdtempSync(join(tmpdir(), prefix))
  const dataKey = previous?.dataKey ?? newDataKey()
  const server = await startServerProcess({
    dataDir,
    dataKey,
    env,
    ...(previous ? { token: previous.token } : {}),
    ...(port ? { args: ['--port', port] } : {}),
  })
  return { server, events: await server.events(), dataDir, dataKey, token: server.token }
}

function statusByPhone(list: AccountSummary[], phone: string): AccountSummary | undefined {
  return list.find((a) => a.phone === phone)
}

/** Resolves once `check` holds on a fresh read of both lists; re-checked on every event from either side. */
async function settled(a: Side, b: Side, check: (source: AccountSummary[], target: AccountSummary[]) => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  for (;;) {
    const [source, target] = await Promise.all([a.server.value<AccountSummary[]>('accounts:list'), b.server.value<AccountSummary[]>('accounts:list')])
    if (check(source, target)) return
    if (Date.now() > deadline) {
      throw new Error(`not settled within ${SETTLE_TIMEOUT_MS} ms: source ${JSON.stringify(source.map((x) => x.status))}, target ${JSON.stringify(target.map((x) => x.status))}`)
    }
    // The next change on either side (or a second, for changes only the journal shows).
    const since = [a.events.received.length, b.events.received.length]
    const changed = (side: Side, from: number) => (m: EventMessage) => side.events.received.indexOf(m) >= from && m.event === 'accounts:changed'
    await Promise.race([
      a.events.next(changed(a, since[0]!), 1_000).catch(() => undefined),
      b.events.next(changed(b, since[1]!), 1_000).catch(() => undefined),
    ])
  }
}

/** Pairs a new account through the simulator's admin API and waits until it is connected. */
async function pair(simulator: TestSimulator, side: Side, label: string): Promise<AccountSummary> {
  const added = await side.server.value<AccountSummary>('accounts:add', { label })
  const qr = await side.events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  const scan = await fetch(`${simulator.admin.url}/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr: (qr.payload as PairingState).qr, name: label }),
  })
  if (scan.status !== 200) throw new Error(`scan failed: ${scan.status}`)
  await side.events.next((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected', 20_000)
  return (await side.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === added.id)!
}

export async function runHandOffTrial(simulator: TestSimulator, step: CrashPoint): Promise<TrialOutcome> {
  const crashSource = step.startsWith('source:')
  let a = await start({ ...simulator.env, ...(crashSource ? { IRISH_TEST_CRASH_AT: step } : {}) }, 'irish-handoff-a-')
  let b = await start({ ...simulator.env, ...(crashSource ? {} : { IRISH_TEST_CRASH_AT: step }) }, 'irish-handoff-b-')
  try {
    const account = await pair(simulator, a, `Trial ${step}`)
    const phone = account.phone!
    const victim = crashSource ? a : b
    const died = once(victim.server.child, 'exit')
    let exportAnswer: string
    try {
      const answer = await a.server.call('transfer:export-to-server', { id: account.id, url: b.server.url, token: b.server.token })
      exportAnswer = answer.body.ok ? 'ok' : `${answer.status} ${answer.body.error.code}`
    } catch (error) {
      exportAnswer = `no answer (${(error as Error).message})`
    }
    const [, signal] = (await died) as [number | null, string | null]
    if (signal !== 'SIGKILL') throw new Error(`the ${crashSource ? 'source' : 'target'} did not die at ${step} (exit ${String(signal)}); export answered ${exportAnswer}`)
    victim.events.close()
    const began = Date.now()
    const port = new URL(victim.server.url).port
    const restarted = await start(simulator.env, '', victim, port)
    if (crashSource) a = restarted
    else b = restarted

    const aDir = join(a.dataDir, 'hand-offs')
    await settled(a, b, (source, target) => {
      const here = statusByPhone(source, phone)
      const there = statusByPhone(target, phone)
      const openHandOffs = existsSync(aDir) ? readdirSync(aDir).filter((f) => f.startsWith('out-')).length : 0
      const runningHere = here?.status === 'connected'
      const runningThere = there?.status === 'connected'
      return openHandOffs === 0 && runningHere !== runningThere
    })
    const [source, target] = await Promise.all([a.server.value<AccountSummary[]>('accounts:list'), b.server.value<AccountSummary[]>('accounts:list')])
    const here = statusByPhone(source, phone)
    const there = statusByPhone(target, phone)
    const runningAt = here?.status === 'connected' ? 'source' : 'target'
    const settleMs = Date.now() - began
    // The source drops its record only after the target was told to drop its own (or kept it: aborted).
    const bDir = join(b.dataDir, 'hand-offs')
    const targetRecords = (existsSync(bDir) ? readdirSync(bDir).filter((f) => f.startsWith('in-') && f.endsWith('.json')) : []).map(
      (f) => JSON.parse(readFileSync(join(bDir, f), 'utf8')) as { state: string },
    )
    return { runningAt, source: here, target: there, exportAnswer, settleMs, targetRecords }
  } finally {
    for (const side of [a, b]) {
      side.events.close()
      await side.server.stop().catch(() => undefined)
      rmSync(side.dataDir, { recursive: true, force: true })
    }
  }
}

// The fleet's fault trials (docs/fleet.md), shared by test/fleet-faults.test.ts and `npm run
// soak:fleet-faults`: three real server processes on one throwaway PostgreSQL database, one in-process
// WhatsApp simulator whose simulated phones send the texts, and one webhook receiver. Each trial causes
// one fault under traffic and counts every text sent against what arrived: once on a server's event
// stream, and at the webhook (at least once, one delivery id). Test and soak support only.

import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { AccountSummary, EventMessage, FleetServer, PairingState, ReceivedMessage } from '../../src/shared/contract'
import { startReceiver, type Receiver } from './webhook-receiver'
import type { PostgresCluster } from './postgres-cluster'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './server-process'
import { startTestSimulator, type TestSimulator } from './transfer-support'

export const FAULT_LEASE_MS = 4000
/** A fresh strong token per run: a server refuses a weak one (docs/security.md). */
const TOKEN = newApiToken()
/** The simulated phone every text comes from. */
const SENDER_PHONE = '4915130000077'
const say = (line: string): void => void (process.env.IRISH_FAULTS_VERBOSE ? process.stdout.write(`  · ${line}\n`) : undefined)

export interface FaultMember {
  server: ServerProcess
  events: EventStream
  dataDir: string
  id: string
  /** While this file exists, the server holds every key write (IRISH_TEST_HOLD_KEY_WRITE). */
  holdFile: string
}

export interface FaultFleet {
  url: string
  sim: TestSimulator
  receiver: Receiver
  members: FaultMember[]
  /** Every paired account, with its phone. */
  accounts: Array<{ id: string; phone: string }>
  startMember(): Promise<FaultMember>
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>
  /** Live leases: account → owner. */
  owners(): Promise<Map<string, string>>
  close(): Promise<void>
}

/** What a trial measured. */
export interface Figures {
  sent: number
  /** Texts that never reached the stream watched (the survivor's), or the webhook, in the time allowed. */
  lost: number
  /** Texts shown more than once on the stream. */
  doubled: number
  /** Webhook requests beyond the first for a text (each must repeat the same delivery id). */
  webhookRepeats: number
  /** Texts that reached the webhook under more than one delivery id (must be 0). */
  webhookDistinctIds: number
  /** Accounts whose intent (want_running) ended false although nobody stopped them. */
  switchedOff: number
  /** From the fault until every account it moved was connected elsewhere (ms). */
  takeoverMs: number | null
  /** Kicks of a live connection by a second login of the same device (two copies of a session). */
  secondSockets: number
  notes: string[]
}

export async function startFaultFleet(cluster: PostgresCluster, options: { servers?: number; accounts?: number; pairThrough?: 'spread' | 'first' } = {}): Promise<FaultFleet> {
  const url = await cluster.createDatabase()
  const sim = await startTestSimulator()
  const receiver = await startReceiver()
  const dataKey = newDataKey()
  const members: FaultMember[] = []
  const scratch = mkdtempSync(join(tmpdir(), 'irish-faults-'))

  async function startMember(): Promise<FaultMember> {
    const dataDir = mkdtempSync(join(scratch, 'server-'))
    const holdFile = join(dataDir, 'hold-key-writes')
    const server = await startServerProcess({
      dataDir,
      dataKey,
      token: TOKEN,
      args: ['--database', url, ...(process.env.IRISH_FAULTS_LOG_LEVEL ? ['--log-level', process.env.IRISH_FAULTS_LOG_LEVEL] : [])],
      env: { ...sim.env, IRISH_LEASE_TTL_MS: String(FAULT_LEASE_MS), IRISH_TEST_WEBHOOK_RETRY_MS: '100', IRISH_TEST_HOLD_KEY_WRITE: holdFile },
    })
    const events = await server.events()
    const self = (await server.value<FleetServer[]>('fleet:servers')).find((s) => s.url === server.url)
    if (!self) throw new Error(`the server at ${server.url} is not in fleet:servers`)
    const member = { server, events, dataDir, id: self.id, holdFile }
    members.push(member)
    return member
  }

  async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<T>(text, values)).rows
    } finally {
      await client.end()
    }
  }

  const fleet: FaultFleet = {
    url,
    sim,
    receiver,
    members,
    accounts: [],
    startMember,
    query,
    async owners() {
      const rows = await query<{ account_id: string; owner: string }>('SELECT account_id, owner FROM leases WHERE owner IS NOT NULL AND expires_at > now()')
      return new Map(rows.map((r) => [r.account_id, r.owner]))
    },
    async close() {
      for (const m of members) {
        m.events.close()
        if (m.server.child.exitCode === null && m.server.child.signalCode === null) {
          m.server.child.kill('SIGCONT')
          await m.server.stop().catch(() => undefined)
        }
      }
      await receiver.close()
      await sim.close()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
  try {
    // The webhook is there before the other servers start, so each reads it at its start: a server
    // learns of a webhook added elsewhere only within FLEET_ENDPOINTS_STALE_MS (docs/webhooks.md), and a
    // trial's first texts may come sooner.
    await startMember()
    await members[0]!.server.value('webhooks:add', { url: receiver.url, events: ['accounts:message'] })
    for (let i = 1; i < (options.servers ?? 3); i++) await startMember()
    const n = options.accounts ?? 6
    const through = options.pairThrough === 'first' ? [members[0]!] : members
    const paired = await Promise.all(
      through.map(async (member, m) => {
        const out: Array<{ id: string; phone: string }> = []
        for (let i = m; i < n; i += through.length) out.push(await pairOn(member, sim, `Fault ${i}`))
        return out
      }),
    )
    fleet.accounts.push(...paired.flat())
  } catch (err) {
    await fleet.close()
    throw err
  }
  return fleet
}

async function pairOn(member: FaultMember, sim: TestSimulator, label: string): Promise<{ id: string; phone: string }> {
  const added = await member.server.value<AccountSummary>('accounts:add', { label })
  const qr = await member.events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null, 30_000)
  await sim.sim.scanQr((qr.payload as PairingState).qr!, { name: label })
  const done = await member.events.next(connected(added.id), 60_000)
  return { id: added.id, phone: (done.payload as AccountSummary).phone! }
}

export function connected(id: string) {
  return (m: EventMessage): boolean => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === 'connected'
}

/**
 * Waits until every account runs on one of `servers` (a live lease), the counts differ by at most one,
 * no hand-over is in flight, the same two reads in a row, and `watcher` shows every account connected.
 */
export async function waitUntilSettled(fleet: FaultFleet, servers: readonly FaultMember[], watcher: FaultMember, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let previous = ''
  const ids = new Set(servers.map((s) => s.id))
  for (;;) {
    const owners = await fleet.owners()
    const offered = await fleet.query<{ n: number }>("SELECT count(*)::int AS n FROM leases WHERE owner IS NULL AND offered_to IS NOT NULL AND offered_at > now() - interval '10 seconds'")
    const counts = servers.map((s) => [...owners.values()].filter((o) => o === s.id).length)
    const placed = fleet.accounts.every((a) => ids.has(owners.get(a.id) ?? ''))
    const even = Math.max(...counts) - Math.min(...counts) <= 1
    const shape = JSON.stringify([...owners].sort())
    if (placed && even && offered[0]!.n === 0 && shape === previous) {
      const list = await watcher.server.value<AccountSummary[]>('accounts:list')
      if (fleet.accounts.every((a) => list.find((x) => x.id === a.id)?.status === 'connected')) return
    }
    previous = shape
    if (Date.now() > deadline) {
      dumpLogs(fleet, 'unsettled')
      throw new Error(`the fleet did not settle within ${timeoutMs} ms: counts ${JSON.stringify(counts)}, placed ${placed}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** Under IRISH_FAULTS_DUMP, each server's log records, for tracing what went wrong (run with IRISH_FAULTS_LOG_LEVEL=debug). */
function dumpLogs(fleet: FaultFleet, tag: string): void {
  const dir = process.env.IRISH_FAULTS_DUMP
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  for (const m of fleet.members) writeFileSync(join(dir, `${tag}-${m.id}.log`), m.server.stderr.join(''))
  say(`server logs written to ${dir}`)
}

/** Texts from a simulated phone to the fleet's accounts, each text unique, and their tally. */
export class Traffic {
  readonly sent: Array<{ to: string; text: string }> = []
  private running = false
  private loop: Promise<void> | null = null

  constructor(
    private readonly fleet: FaultFleet,
    private readonly tag: string,
  ) {}

  async send(account: { id: string; phone: string }, label: string): Promise<void> {
    const text = `${this.tag} ${label} ${account.id} ${randomBytes(4).toString('hex')}`
    const entry: { to: string; text: string; id?: string } = { to: account.id, text }
    this.sent.push(entry)
    entry.id = (await this.fleet.sim.sim.sendFromPhone(SENDER_PHONE, account.phone, text)).id
  }

  /** One text to every account, one after another. */
  async round(label: string): Promise<void> {
    for (const account of this.fleet.accounts) await this.send(account, label)
  }

  /** Sends to the accounts in turn, one text every `everyMs`, until stop(). */
  start(everyMs = 150): void {
    this.running = true
    this.loop = (async () => {
      let i = 0
      while (this.running) {
        const account = this.fleet.accounts[i++ % this.fleet.accounts.length]!
        await this.send(account, `during-${i}`)
        await new Promise((resolve) => setTimeout(resolve, everyMs))
      }
    })()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  /**
   * Waits (up to `timeoutMs`) for every text on `watcher`'s stream and at the webhook, then counts.
   * A text is lost when it misses either; doubled when the stream shows it twice.
   */
  async tally(watcher: FaultMember, timeoutMs = 60_000): Promise<Pick<Figures, 'sent' | 'lost' | 'doubled' | 'webhookRepeats' | 'webhookDistinctIds'>> {
    const onStream = (text: string): EventMessage[] =>
      watcher.events.received.filter((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === text)
    const atHook = (text: string) =>
      this.fleet.receiver.received.filter((r) => r.event === 'accounts:message' && (r.body.data as ReceivedMessage).text === text)
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && this.sent.some((t) => onStream(t.text).length === 0 || atHook(t.text).length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    let lost = 0
    let doubled = 0
    let webhookRepeats = 0
    let webhookDistinctIds = 0
    for (const t of this.sent) {
      const shown = onStream(t.text)
      const hooks = atHook(t.text)
      if (shown.length === 0 || hooks.length === 0) {
        lost += 1
        say(`lost: "${t.text}" ${(t as { id?: string }).id} (stream ${shown.length}, webhook ${hooks.length})`)
      }
      if (shown.length > 1) doubled += 1
      if (shown.some((m) => (m.payload as ReceivedMessage).account !== t.to)) doubled += 1
      webhookRepeats += Math.max(0, hooks.length - 1)
      if (new Set(hooks.map((h) => h.delivery)).size > 1) webhookDistinctIds += 1
    }
    if (lost > 0) {
      dumpLogs(this.fleet, this.tag)
      const stats = this.fleet.sim.sim.stats()
      say(`simulator: ${stats.connections} connections, ${stats.loggedIn} logged in, ${stats.queuedStanzas} stanzas queued offline, ${stats.unackedMessages} messages written and not acknowledged`)
      for (const a of this.fleet.sim.sim.accounts()) say(`  ${a.jid}: ${a.devices.map((d) => `${d.id}:${d.connected ? 'on' : 'off'}`).join(' ')}`)
    }
    return { sent: this.sent.length, lost, doubled, webhookRepeats, webhookDistinctIds }
  }
}

/** Accounts whose intent is off though nobody stopped one. */
export async function switchedOff(fleet: FaultFleet): Promise<number> {
  const rows = await fleet.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts WHERE NOT want_running')
  return rows[0]!.n
}

/** Counts second logins of one device while its first connection was live, from now on. */
export function watchSecondSockets(fleet: FaultFleet): { count(): number; stop(): void } {
  let n = 0
  const onReplaced = (): void => void (n += 1)
  fleet.sim.sim.events.on('replaced', onReplaced)
  return { count: () => n, stop: () => void fleet.sim.sim.events.off('replaced', onReplaced) }
}

/**
 * Resolves when every account in `ids` has a live lease of a server in `on`, and `watcher` lists it
 * connected there (a connected event alone may come from a server that died right after).
 */
async function takenOver(fleet: FaultFleet, ids: readonly string[], on: readonly FaultMember[], watcher: FaultMember, timeoutMs: number): Promise<void> {
  const servers = new Set(on.map((m) => m.id))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const owners = await fleet.owners()
    const list = await watcher.server.value<AccountSummary[]>('accounts:list')
    const missing = ids.filter((id) => {
      const shown = list.find((a) => a.id === id)
      return !servers.has(owners.get(id) ?? '') || shown?.status !== 'connected' || !servers.has(shown.server ?? '')
    })
    if (missing.length === 0) return
    if (Date.now() > deadline) throw new Error(`not taken over by ${[...servers].join(', ')} within ${timeoutMs} ms: ${missing.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// ---------------------------------------------------------------------------------------------------
// The trials

/**
 * A server is paused (SIGSTOP) in the middle of a key write, its transaction open (the test hook holds
 * the write). The others keep their own accounts (no lease of theirs lost) and take the paused one's
 * within the lease + 10 s. Woken (SIGCONT), it finds its leases gone, stops those accounts and claims
 * no more than its fair share; no account is switched off.
 */
export async function pausedMidWrite(fleet: FaultFleet): Promise<Figures> {
  const [watcher, , paused] = fleet.members as [FaultMember, FaultMember, FaultMember]
  await waitUntilSettled(fleet, fleet.members, watcher)
  const traffic = new Traffic(fleet, 'paused')
  const notes: string[] = []
  const before = await fleet.owners()
  const moving = fleet.accounts.filter((a) => before.get(a.id) === paused.id)
  const staying = fleet.accounts.filter((a) => before.get(a.id) !== paused.id)
  if (moving.length === 0) throw new Error('the server to pause runs no account')
  const epochs = async () =>
    new Map((await fleet.query<{ account_id: string; epoch: number }>('SELECT account_id, epoch::int AS epoch FROM leases')).map((r) => [r.account_id, r.epoch]))
  const epochsBefore = await epochs()
  await traffic.round('before')

  // Hold its next key write, make one happen (a text to one of its accounts), and pause it there.
  writeFileSync(paused.holdFile, '')
  const heldAt = paused.server.stdout.length
  await traffic.send(moving[0]!, 'held')
  const holding = await new Promise<boolean>((resolve) => {
    const deadline = Date.now() + 20_000
    const look = (): void => {
      if (paused.server.stdout.slice(heldAt).some((l) => l.startsWith('test hook: holding a key write'))) return resolve(true)
      if (Date.now() > deadline) return resolve(false)
      setTimeout(look, 20)
    }
    look()
  })
  if (!holding) throw new Error('the paused server never held a key write')
  const pausedAt = performance.now()
  paused.server.child.kill('SIGSTOP')
  rmSync(paused.holdFile, { force: true })
  traffic.start()
  await takenOver(fleet, moving.map((a) => a.id), [watcher, fleet.members[1]!], watcher, FAULT_LEASE_MS + 20_000)
  const takeoverMs = performance.now() - pausedAt
  // The others kept every lease of their own: same epochs, same owners.
  const epochsDuring = await epochs()
  const owners = await fleet.owners()
  for (const a of staying) {
    if (epochsDuring.get(a.id) !== epochsBefore.get(a.id) || owners.get(a.id) !== before.get(a.id)) notes.push(`${a.id} moved although its server ran on`)
  }
  paused.server.child.kill('SIGCONT')
  // Woken, it never holds more than its fair share (two of six), sampled while it settles.
  const fair = Math.ceil(fleet.accounts.length / fleet.members.length)
  const watchUntil = Date.now() + FAULT_LEASE_MS * 2
  while (Date.now() < watchUntil) {
    const held = [...(await fleet.owners()).values()].filter((o) => o === paused.id).length
    if (held > fair) notes.push(`the woken server held ${held} accounts (fair share ${fair})`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await traffic.stop()
  await waitUntilSettled(fleet, fleet.members, watcher)
  await traffic.round('after')
  const tally = await traffic.tally(watcher)
  return { ...tally, switchedOff: await switchedOff(fleet), takeoverMs, secondSockets: 0, notes: [...new Set(notes)] }
}

/**
 * kill -9 of a server; as soon as the first of its accounts is claimed by another server, kill -9 of
 * that one too. Every account ends on the last server, and no text is lost.
 */
export async function secondCrash(fleet: FaultFleet): Promise<Figures> {
  const [first] = fleet.members.filter((m) => m !== fleet.members[0]) as [FaultMember]
  await waitUntilSettled(fleet, fleet.members, fleet.members[0]!)
  const traffic = new Traffic(fleet, 'crash')
  await traffic.round('before')
  const before = await fleet.owners()
  const victims = fleet.accounts.filter((a) => before.get(a.id) === first.id)
  const killedAt = performance.now()
  first.server.child.kill('SIGKILL')
  traffic.start()
  // The first of its accounts claimed elsewhere: that claimer dies too.
  let claimer: FaultMember | undefined
  const deadline = Date.now() + FAULT_LEASE_MS + 20_000
  while (!claimer) {
    const owners = await fleet.owners()
    const taken = victims.map((a) => owners.get(a.id)).find((o) => o !== undefined && o !== first.id)
    claimer = fleet.members.find((m) => m.id === taken)
    if (Date.now() > deadline) throw new Error('nobody claimed the first crashed server’s accounts')
    if (!claimer) await new Promise((resolve) => setTimeout(resolve, 25))
  }
  claimer.server.child.kill('SIGKILL')
  const survivor = fleet.members.find((m) => m !== first && m !== claimer)!
  await takenOver(fleet, fleet.accounts.filter((a) => before.get(a.id) !== survivor.id).map((a) => a.id), [survivor], survivor, FAULT_LEASE_MS * 2 + 30_000)
  const takeoverMs = performance.now() - killedAt
  await traffic.stop()
  await traffic.round('after')
  const tally = await traffic.tally(survivor)
  return { ...tally, switchedOff: await switchedOff(fleet), takeoverMs, secondSockets: 0, notes: [] }
}

/**
 * PostgreSQL restarts (fast shutdown, back after `downMs`) under traffic. Every server's stream
 * carries every text once; sends during the outage answer 503 with Retry-After, never 500.
 */
export async function databaseRestart(fleet: FaultFleet, cluster: PostgresCluster, downMs = 3000): Promise<Figures> {
  const [watcher] = fleet.members as [FaultMember]
  await waitUntilSettled(fleet, fleet.members, watcher)
  const traffic = new Traffic(fleet, 'restart')
  const notes: string[] = []
  await traffic.round('before')
  traffic.start()
  const restarting = cluster.restart(downMs)
  // While it is down, a command that needs the database says so honestly.
  await new Promise((resolve) => setTimeout(resolve, Math.min(1000, downMs / 2)))
  const answer = await fetch(`${watcher.server.url}/api/fleet:servers`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' })
  const body = (await answer.json()) as { ok: boolean; error?: { code: string } }
  if (answer.status !== 503 || body.error?.code !== 'unavailable' || !answer.headers.get('retry-after')) {
    notes.push(`during the outage fleet:servers answered ${answer.status} ${JSON.stringify(body)} (Retry-After ${answer.headers.get('retry-after')})`)
  }
  await restarting
  const backAt = performance.now()
  await waitUntilSettled(fleet, fleet.members, watcher, 90_000)
  const settledMs = performance.now() - backAt
  await traffic.stop()
  await traffic.round('after')
  // Every server's stream: each one relays every account's events.
  let lost = 0
  let doubled = 0
  let result: Awaited<ReturnType<Traffic['tally']>> | null = null
  for (const member of fleet.members) {
    const tally = await traffic.tally(member)
    lost = Math.max(lost, tally.lost)
    doubled = Math.max(doubled, tally.doubled)
    result ??= tally
  }
  return { ...result!, lost, doubled, switchedOff: await switchedOff(fleet), takeoverMs: settledMs, secondSockets: 0, notes }
}

/**
 * Six accounts paired through one server of three spread to at most three on any server within 30 s
 * (two each once settled); then a fourth server joins and gets its share. Every move is a graceful
 * hand-over: the simulator never sees a second connection of one device.
 */
export async function spreadAndJoin(fleet: FaultFleet): Promise<Figures & { spreadMs: number; joinMs: number; counts: number[] }> {
  const [watcher] = fleet.members as [FaultMember]
  const seconds = watchSecondSockets(fleet)
  const notes: string[] = []
  const traffic = new Traffic(fleet, 'spread')
  const started = performance.now()
  traffic.start(300)
  // Paired through the first server: all six ran there. Within 30 s at most three on any.
  let spreadMs = -1
  while (performance.now() - started < 30_000) {
    const owners = await fleet.owners()
    const per = fleet.members.map((m) => [...owners.values()].filter((o) => o === m.id).length)
    if (Math.max(...per) <= 3 && [...owners.keys()].length === fleet.accounts.length) {
      spreadMs = performance.now() - started
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (spreadMs < 0) notes.push('six accounts were not spread to at most three per server within 30 s')
  await waitUntilSettled(fleet, fleet.members, watcher)
  const joining = performance.now()
  const fourth = await fleet.startMember()
  let joinMs = -1
  while (performance.now() - joining < 30_000) {
    const owners = await fleet.owners()
    if ([...owners.values()].includes(fourth.id)) {
      joinMs = performance.now() - joining
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (joinMs < 0) notes.push('the fourth server got no account within 30 s')
  await waitUntilSettled(fleet, fleet.members, watcher)
  await traffic.stop()
  await traffic.round('after')
  const owners = await fleet.owners()
  const counts = fleet.members.map((m) => [...owners.values()].filter((o) => o === m.id).length)
  const tally = await traffic.tally(watcher)
  seconds.stop()
  return { ...tally, switchedOff: await switchedOff(fleet), takeoverMs: null, secondSockets: seconds.count(), notes, spreadMs, joinMs, counts }
}

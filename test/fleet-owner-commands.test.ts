// Every owner-bound command, asked of a fleet server that does not run the account, answers as the
// owner would. The commands come from the registry (the contract's `fleet` declarations), not from a
// list kept here: `probes` must name exactly those commands (the compiler and the first test hold it),
// so a new owner-bound command fails here until it has a probe.
// Two servers on a throwaway PostgreSQL: A runs the built-in simulator (so its accounts can be scanned
// and typed in for), B joins the same simulator with --capacity 0 (it serves the API and runs no
// accounts, so the fleet never hands it one) and is asked. Every account is added on A, so A holds its
// lease, and each probe checks that before asking B. A third server (SQLite) receives an export.
// Pairing by code goes end to end: accounts:pair-code on B, the simulator's POST /link-code, connected.
// So does the passkey check: a phone with a passkey scans on A, B answers, confirms or cancels it.
// A proxy set on B takes effect on A, through a real SOCKS5 server on 127.0.0.1, sealed in PostgreSQL.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  OWNER_BOUND_COMMANDS,
  type AccountHealth,
  type AccountStats,
  type AccountSummary,
  type BulkResult,
  type CommandOutput,
  type EventMessage,
  type FleetServer,
  type OwnerBoundCommand,
  type PairingState,
  type QueueEntry,
  type ReceivedMessage,
  type Result,
  type SimulatorInfo,
} from '../src/shared/contract'
import { createSoftPasskey } from '../src/simulator/passkey/authenticator'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'
import { startSocksProxy, type TestProxy } from './support/test-proxies'

const TOKEN = newApiToken()
const SOCKS_PASSWORD = 'fleet socks secret'

interface Member {
  server: ServerProcess
  events: EventStream
  dataDir: string
  id: string
}

describePostgres('owner-bound commands asked of a fleet server that does not run the account', () => {
  const ref = usePostgresCluster()
  const dataKey = newDataKey()
  let url: string
  let a: Member
  let b: Member
  let target: { server: ServerProcess; dataDir: string }
  let admin: string
  let socks: TestProxy
  /** host:port of the simulator A runs, as a proxy is asked to reach it. */
  let simulatorHost: string
  const dirs: string[] = []
  /** Connected accounts on A, for the probes that use one up. */
  const spare: AccountSummary[] = []
  let pairs = 0

  async function startMember(options: { simulator: boolean; env?: Record<string, string>; args?: string[] }): Promise<Member> {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-owner-'))
    dirs.push(dataDir)
    const server = await startServerProcess({ dataDir, dataKey, token: TOKEN, simulator: options.simulator, args: ['--database', url, ...(options.args ?? [])], env: options.env ?? {} })
    const events = await server.events()
    const self = (await server.value<FleetServer[]>('fleet:servers')).find((s) => s.url === server.url)
    if (!self) throw new Error(`the server at ${server.url} is not in fleet:servers`)
    return { server, events, dataDir, id: self.id }
  }

  async function call<T = unknown>(member: Member, command: string, input: unknown): Promise<Result<T>> {
    return (await member.server.call<T>(command, input)).body
  }

  async function value<T>(member: Member, command: string, input: unknown): Promise<T> {
    const body = await call<T>(member, command, input)
    if (!body.ok) throw new Error(`${command} on ${member === a ? 'A' : 'B'}: ${body.error.code}: ${body.error.message}`)
    return body.value
  }

  async function ownerOf(id: string): Promise<string | null> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ owner: string }>('SELECT owner FROM leases WHERE account_id = $1 AND owner IS NOT NULL AND expires_at > now()', [id])
      return rows[0]?.owner ?? null
    } finally {
      await client.end()
    }
  }

  /** The account's row in PostgreSQL, every column as stored. */
  async function accountRows(id: string): Promise<unknown[]> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query('SELECT * FROM accounts WHERE id = $1', [id])).rows
    } finally {
      await client.end()
    }
  }

  /** Asserted before asking B: the account runs on A, so B must forward. */
  async function runsOnA(id: string): Promise<void> {
    expect(await ownerOf(id)).toBe(a.id)
  }

  function statusEvent(id: string, status: string) {
    return (m: EventMessage): boolean => m.event === 'accounts:changed' && m.payload.id === id && m.payload.status === status
  }

  /** The next event on `member`'s stream after this moment that matches. */
  function nextEvent(member: Member, match: (m: EventMessage) => boolean, timeoutMs = 30_000): Promise<EventMessage> {
    const since = member.events.received.length
    return member.events.next((m) => member.events.received.indexOf(m) >= since && match(m), timeoutMs)
  }

  /** An account added on A and showing its first QR code. */
  async function showingQr(): Promise<AccountSummary> {
    const added = await value<AccountSummary>(a, 'accounts:add', { label: `Owner ${++pairs}` })
    await a.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null)
    return added
  }

  /** A connected account on A: a spare one, or one paired now by scanning its QR code on A. */
  async function connected(): Promise<AccountSummary> {
    const ready = spare.shift()
    if (ready) return ready
    const added = await showingQr()
    const done = nextEvent(a, statusEvent(added.id, 'connected'))
    await value(a, 'simulator:scan', { id: added.id })
    return (await done).payload as AccountSummary
  }

  async function onA(id: string): Promise<AccountSummary> {
    return (await value<AccountSummary[]>(a, 'accounts:list', {})).find((x) => x.id === id)!
  }

  /** B's answer equals A's to the same question, asked just before and just after (either, if it moved). */
  async function sameAsOwner<T>(command: string, input: unknown): Promise<T> {
    const before = await call<T>(a, command, input)
    const asked = await call<T>(b, command, input)
    const after = await call<T>(a, command, input)
    expect([before, after]).toContainEqual(asked)
    return (asked as { ok: true; value: T }).value
  }

  /** The pairing state event on `member`'s stream after this moment where the account's passkey check is in `phase`. */
  function passkeyEvent(member: Member, id: string, phase: 'required' | 'confirm') {
    return nextEvent(member, (m) => m.event === 'accounts:qr' && m.payload.id === id && m.payload.passkey?.phase === phase)
  }

  /** An account on A whose passkey check waits for an answer: a phone of A's demo authenticator scanned it. */
  async function atPasskeyChallenge(): Promise<AccountSummary> {
    const account = await showingQr()
    const required = passkeyEvent(a, account.id, 'required')
    expect(await value(a, 'simulator:scan', { id: account.id, passkey: true })).toEqual({ passkey: 'required' })
    await required
    return account
  }

  /** The same, answered on A: the confirmation code is showing. */
  async function atPasskeyCode(): Promise<AccountSummary> {
    const account = await atPasskeyChallenge()
    const confirm = passkeyEvent(a, account.id, 'confirm')
    await value(a, 'simulator:authenticate', { id: account.id })
    await confirm
    return account
  }

  let sender: AccountSummary | null = null
  let receiver: AccountSummary | null = null
  let sentText = ''

  /** Two connected accounts the read-only probes share; the receiver has been sent one message through B. */
  async function sharedPair(): Promise<{ from: AccountSummary; to: AccountSummary }> {
    sender ??= await connected()
    receiver ??= await connected()
    return { from: sender, to: receiver }
  }

  async function sendThroughB(): Promise<ReceivedMessage> {
    const { from, to } = await sharedPair()
    const text = `through a non-owner ${Date.now()}`
    const arrived = nextEvent(a, (m) => m.event === 'accounts:message' && m.payload.account === to.id && m.payload.text === text)
    await runsOnA(from.id)
    const sent = await value<CommandOutput<'accounts:send-text'>>(b, 'accounts:send-text', { id: from.id, to: `+${(await onA(to.id)).phone}`, text })
    expect(sent.messageId).toEqual(expect.any(String))
    sentText = text
    return (await arrived).payload as ReceivedMessage
  }

  /** What each owner-bound command is asked, and what shows that the owner answered. */
  const probes: Record<OwnerBoundCommand, () => Promise<void>> = {
    'accounts:remove': async () => {
      const account = await connected()
      await runsOnA(account.id)
      const removed = nextEvent(a, (m) => m.event === 'accounts:removed' && m.payload.id === account.id)
      expect(await value(b, 'accounts:remove', { id: account.id })).toEqual({ done: true })
      await removed
      expect((await value<AccountSummary[]>(a, 'accounts:list', {})).some((x) => x.id === account.id)).toBe(false)
    },
    'accounts:logout': async () => {
      const account = await connected()
      await runsOnA(account.id)
      const answer = await value<AccountSummary>(b, 'accounts:logout', { id: account.id })
      expect(answer).toMatchObject({ id: account.id, status: 'logged-out' })
      expect(await onA(account.id)).toMatchObject({ status: 'logged-out' })
    },
    'accounts:start': async () => {
      // Asked to start an account it runs, the owner says so; a server that is not the owner would try to
      // open a second socket and be refused by the lease with another answer.
      const { from } = await sharedPair()
      await runsOnA(from.id)
      const asked = await call(b, 'accounts:start', { id: from.id })
      expect(asked).toEqual(await call(a, 'accounts:start', { id: from.id }))
      expect(asked).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('already running') } })
    },
    'accounts:stop': async () => {
      const account = await connected()
      await runsOnA(account.id)
      expect(await value<AccountSummary>(b, 'accounts:stop', { id: account.id })).toMatchObject({ id: account.id, status: 'stopped' })
      expect(await onA(account.id)).toMatchObject({ status: 'stopped' })
    },
    'accounts:rename': async () => {
      const { to } = await sharedPair()
      await runsOnA(to.id)
      const label = `Renamed through B ${Date.now()}`
      expect(await value<AccountSummary>(b, 'accounts:rename', { id: to.id, label })).toMatchObject({ id: to.id, label })
      // The owner keeps the row in memory: it has the new label, so its next status change keeps it.
      expect(await onA(to.id)).toMatchObject({ label })
    },
    'accounts:send-text': async () => {
      const received = await sendThroughB()
      expect(received.text).toBe(sentText)
    },
    'accounts:messages': async () => {
      if (!sentText) await sendThroughB()
      const { to } = await sharedPair()
      await runsOnA(to.id)
      const messages = await sameAsOwner<ReceivedMessage[]>('accounts:messages', { id: to.id })
      expect(messages.map((m) => m.text)).toContain(sentText)
    },
    'accounts:health': async () => {
      // Of a health answer only nextRetryAt (while a reconnect waits, under a second) lives in the owner's
      // memory alone; the rest a non-owner could read from the shared database. This probe shows that
      // the answer is the owner's; the others above and below also show that the non-owner alone could
      // not have given it.
      const { from } = await sharedPair()
      await runsOnA(from.id)
      const health = await sameAsOwner<AccountHealth>('accounts:health', { id: from.id })
      expect(health).toMatchObject({ id: from.id, status: 'connected' })
      expect(health.keyCounts['pre-key']).toBeGreaterThan(0)
    },
    'accounts:pairing': async () => {
      const account = await showingQr()
      await runsOnA(account.id)
      const state = await sameAsOwner<PairingState>('accounts:pairing', { id: account.id })
      // The QR code is in the owner's memory: only the owner can show it.
      expect(state.qr).not.toBeNull()
      await value(a, 'accounts:remove', { id: account.id })
    },
    'simulator:scan': async () => {
      const account = await showingQr()
      await runsOnA(account.id)
      const done = nextEvent(b, statusEvent(account.id, 'connected'))
      // B runs no simulator; A does, and holds the QR code.
      expect(await value(b, 'simulator:scan', { id: account.id })).toMatchObject({ jid: expect.stringMatching(/@s\.whatsapp\.net$/) })
      spare.push((await done).payload as AccountSummary)
    },
    'transfer:export': async () => {
      const account = await connected()
      await runsOnA(account.id)
      const exported = await value<CommandOutput<'transfer:export'>>(b, 'transfer:export', { id: account.id, passphrase: 'a long enough passphrase', mode: 'move' })
      expect(exported.account).toMatchObject({ id: account.id, status: 'moved' })
      expect(exported.bytes).toBeGreaterThan(0)
      // The owner closed its socket and marked the account moved: no second copy runs anywhere.
      expect(await onA(account.id)).toMatchObject({ status: 'moved' })
    },
    'transfer:export-to-server': async () => {
      const account = await connected()
      await runsOnA(account.id)
      const moved = await value<CommandOutput<'transfer:export-to-server'>>(b, 'transfer:export-to-server', { id: account.id, url: target.server.url, token: target.server.token })
      expect(moved.account).toMatchObject({ id: account.id, status: 'moved' })
      expect(await onA(account.id)).toMatchObject({ status: 'moved' })
      const there = await target.server.value<AccountSummary[]>('accounts:list')
      expect(there.map((x) => x.phone)).toContain(account.phone)
    },
    'accounts:pair-code': async () => {
      // End to end: the code is asked on B, WhatsApp (the simulator) gets it from A's socket, the person
      // types it on the phone (the simulator's POST /link-code), and the account connects.
      const account = await showingQr()
      await runsOnA(account.id)
      const phone = '15557000001'
      const { code } = await value<CommandOutput<'accounts:pair-code'>>(b, 'accounts:pair-code', { id: account.id, phone: `+${phone}` })
      expect(code).toMatch(/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/)
      const done = nextEvent(b, statusEvent(account.id, 'connected'))
      const typed = await fetch(`${admin}/link-code`, {
        method: 'POST',
        // The embedded simulator's admin API takes the server's own token.
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ phone, code }),
      })
      expect(typed.status).toBe(200)
      const paired = (await done).payload as AccountSummary
      expect(paired.phone).toBe(phone)
      spare.push(paired)
    },
    'simulator:enter-code': async () => {
      const account = await showingQr()
      await runsOnA(account.id)
      const phone = '15557000002'
      await value(b, 'accounts:pair-code', { id: account.id, phone })
      const done = nextEvent(b, statusEvent(account.id, 'connected'))
      // The code is in A's memory and the simulator in A's process: B asks, A types.
      expect(await value(b, 'simulator:enter-code', { id: account.id })).toMatchObject({ jid: `${phone}@s.whatsapp.net` })
      spare.push((await done).payload as AccountSummary)
    },
    'accounts:stats': async () => {
      // The texts of the last 24 hours are counted in the owner's memory: only the owner knows them.
      if (!sentText) await sendThroughB()
      const { to } = await sharedPair()
      await runsOnA(to.id)
      const [stats] = await sameAsOwner<AccountStats[]>('accounts:stats', { ids: [to.id] })
      expect(stats).toMatchObject({ id: to.id, ok: true, webhookFailures: 0 })
      expect(stats!.messages24h).toBeGreaterThan(0)
    },
    'accounts:tag': async () => {
      // The owner keeps the row in memory: it writes the tags, so its next status change keeps them.
      const { to } = await sharedPair()
      await runsOnA(to.id)
      const results = await value<BulkResult[]>(b, 'accounts:tag', { ids: [to.id], add: ['through-b'] })
      expect(results).toEqual([expect.objectContaining({ id: to.id, ok: true, account: expect.objectContaining({ tags: expect.arrayContaining(['through-b']) }) })])
      expect((await onA(to.id)).tags).toContain('through-b')
    },
    'accounts:passkey-response': async () => {
      // A key this test holds: registered with the simulator's admin API, the scan through it too.
      const account = await showingQr()
      await runsOnA(account.id)
      const phone = '15557000003'
      const passkey = createSoftPasskey()
      const post = (path: string, body: unknown) =>
        fetch(`${admin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) })
      expect((await post('/passkey', { phone, ...passkey.registration })).status).toBe(200)
      const { qr } = await value<PairingState>(a, 'accounts:pairing', { id: account.id })
      const required = passkeyEvent(b, account.id, 'required')
      const scanned = await post('/scan', { qr, phone })
      expect(await scanned.json()).toEqual({ passkey: 'required' })
      const { passkey: step } = (await required).payload as PairingState
      if (step?.phase !== 'required') throw new Error('unreachable')
      const answered = await value<PairingState>(b, 'accounts:passkey-response', { id: account.id, credential: passkey.assert(step.options) })
      expect(answered).toMatchObject({ id: account.id, method: 'passkey' })
      const done = nextEvent(b, statusEvent(account.id, 'connected'))
      await value(a, 'accounts:passkey-confirm', { id: account.id })
      spare.push((await done).payload as AccountSummary)
    },
    'accounts:passkey-confirm': async () => {
      const account = await atPasskeyCode()
      await runsOnA(account.id)
      const done = nextEvent(b, statusEvent(account.id, 'connected'))
      expect(await value(b, 'accounts:passkey-confirm', { id: account.id })).toMatchObject({ id: account.id, passkey: null, passkeyError: null })
      spare.push((await done).payload as AccountSummary)
    },
    'accounts:passkey-cancel': async () => {
      const account = await atPasskeyChallenge()
      await runsOnA(account.id)
      expect(await value(b, 'accounts:passkey-cancel', { id: account.id })).toMatchObject({ id: account.id, passkey: null, method: 'qr' })
      // The check lived in A's memory only: A no longer shows it.
      expect(await value<PairingState>(a, 'accounts:pairing', { id: account.id })).toMatchObject({ passkey: null })
      await value(a, 'accounts:remove', { id: account.id })
    },
    'simulator:authenticate': async () => {
      // B has no simulator and no demo authenticator; A holds both, and the check.
      const account = await atPasskeyChallenge()
      await runsOnA(account.id)
      const confirm = passkeyEvent(b, account.id, 'confirm')
      expect(await value<PairingState>(b, 'simulator:authenticate', { id: account.id })).toMatchObject({ id: account.id, method: 'passkey' })
      const { passkey } = (await confirm).payload as PairingState
      expect(passkey).toEqual({ phase: 'confirm', code: expect.stringMatching(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/) })
      const done = nextEvent(a, statusEvent(account.id, 'connected'))
      await value(a, 'accounts:passkey-confirm', { id: account.id })
      spare.push((await done).payload as AccountSummary)
    },
    'accounts:bulk': async () => {
      const account = await connected()
      await runsOnA(account.id)
      const results = await value<BulkResult[]>(b, 'accounts:bulk', { ids: [account.id], action: 'stop' })
      expect(results).toEqual([expect.objectContaining({ id: account.id, ok: true, account: expect.objectContaining({ status: 'stopped' }) })])
      expect(await onA(account.id)).toMatchObject({ status: 'stopped' })
    },
    'accounts:set-limits': async () => {
      const { from } = await sharedPair()
      await runsOnA(from.id)
      const results = await value<BulkResult[]>(b, 'accounts:set-limits', { ids: [from.id], limits: { minGapMs: 60_000 } })
      expect(results).toEqual([expect.objectContaining({ id: from.id, ok: true, account: expect.objectContaining({ limits: expect.objectContaining({ minGapMs: 60_000 }) }) })])
      // The owner keeps the row in memory and plans its queue by it.
      expect((await onA(from.id)).limits.minGapMs).toBe(60_000)
    },
    'accounts:queue': async () => {
      // A minute between two sends: the second waits in the owner's queue, which B shows as A does.
      const { from, to } = await sharedPair()
      await runsOnA(from.id)
      await value(a, 'accounts:set-limits', { ids: [from.id], limits: { minGapMs: 60_000 } })
      const phone = `+${(await onA(to.id)).phone}`
      await value(a, 'accounts:send-text', { id: from.id, to: phone, text: `first ${Date.now()}` })
      const queued = await value<CommandOutput<'accounts:send-text'>>(a, 'accounts:send-text', { id: from.id, to: phone, text: `waits ${Date.now()}` })
      expect(queued).toMatchObject({ state: 'queued', sendAt: expect.any(Number) })
      const queue = await sameAsOwner<QueueEntry[]>('accounts:queue', { id: from.id })
      expect(queue.map((q) => q.messageId)).toContain(queued.messageId)
    },
    'accounts:queue-cancel': async () => {
      const { from } = await sharedPair()
      await runsOnA(from.id)
      const waiting = await value<QueueEntry[]>(a, 'accounts:queue', { id: from.id })
      expect(waiting.length).toBeGreaterThan(0)
      expect(await value(b, 'accounts:queue-cancel', { id: from.id, messageIds: waiting.map((q) => q.messageId) })).toEqual({ cancelled: waiting.length })
      expect(await value(a, 'accounts:queue', { id: from.id })).toEqual([])
      await value(a, 'accounts:set-limits', { ids: [from.id], limits: { minGapMs: null } })
    },
    'accounts:set-proxy': async () => {
      // The owner reconnects its socket through the proxy at once: a proxy nobody listens on leaves the
      // account reconnecting with the condition on A; cleared, it connects directly again.
      const account = await connected()
      await runsOnA(account.id)
      const failing = nextEvent(a, (m) => m.event === 'accounts:changed' && m.payload.id === account.id && m.payload.condition?.code === 'proxy-unreachable')
      const results = await value<BulkResult[]>(b, 'accounts:set-proxy', { ids: [account.id], url: 'socks5://probe:secret@127.0.0.1:1', reconnect: true })
      expect(results).toEqual([expect.objectContaining({ id: account.id, ok: true, account: expect.objectContaining({ proxy: 'socks5://probe:***@127.0.0.1:1' }) })])
      await failing

      // A real SOCKS5 server: A reconnects through it, and PostgreSQL holds its password sealed only.
      const tunnels = socks.tunnels.length
      const through = nextEvent(a, statusEvent(account.id, 'connected'))
      await value(b, 'accounts:set-proxy', { ids: [account.id], url: socks.url, reconnect: true })
      expect(((await through).payload as AccountSummary).proxy).toBe(`socks5h://irish:***@${socks.host}`)
      expect(socks.tunnels.slice(tunnels)).toEqual([simulatorHost])
      const rows = JSON.stringify(await accountRows(account.id))
      expect(rows).toContain(`irish:***@${socks.host}`)
      expect(rows).not.toContain(SOCKS_PASSWORD)
      expect(rows).not.toContain(encodeURIComponent(SOCKS_PASSWORD))

      const back = nextEvent(a, statusEvent(account.id, 'connected'))
      await value(b, 'accounts:set-proxy', { ids: [account.id], url: null, reconnect: true })
      expect(((await back).payload as AccountSummary).proxy).toBeNull()
      expect(socks.tunnels.slice(tunnels)).toEqual([simulatorHost])
    },
  }

  beforeAll(async () => {
    url = await ref.cluster.createDatabase()
    a = await startMember({ simulator: true })
    admin = (await a.server.value<SimulatorInfo>('simulator:info')).admin!
    // A prints how a second server joins its simulator.
    const printed = a.server.stdout.map((line) => /IRISH_WHATSAPP_URL=(\S+) IRISH_WHATSAPP_ROOT_KEY=([0-9a-f]{64})/.exec(line)).find(Boolean)
    if (!printed) throw new Error(`A did not print its simulator's address:\n${a.server.stdout.join('\n')}`)
    const simulatorEnv = { IRISH_WHATSAPP_URL: printed[1]!, IRISH_WHATSAPP_ROOT_KEY: printed[2]! }
    simulatorHost = new URL(printed[1]!).host
    socks = await startSocksProxy(SOCKS_PASSWORD)
    b = await startMember({ simulator: false, env: simulatorEnv, args: ['--capacity', '0'] })
    const targetDir = mkdtempSync(join(tmpdir(), 'irish-owner-target-'))
    dirs.push(targetDir)
    target = { server: await startServerProcess({ dataDir: targetDir, dataKey: newDataKey(), env: simulatorEnv }), dataDir: targetDir }
  }, 120_000)

  afterAll(async () => {
    for (const member of [b, a]) {
      member?.events.close()
      await member?.server.stop().catch(() => undefined)
    }
    await target?.server.stop().catch(() => undefined)
    await socks?.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('has a probe for exactly the owner-bound commands of the registry', () => {
    expect(Object.keys(probes).sort()).toEqual([...OWNER_BOUND_COMMANDS].sort())
    expect(OWNER_BOUND_COMMANDS.length).toBeGreaterThan(10)
  })

  for (const command of OWNER_BOUND_COMMANDS) {
    it(`${command}: answered by the owner`, () => probes[command](), 90_000)
  }
})

// Named tokens and roles through the real headless server (a child process with the built-in simulator,
// real Baileys): every role against every command of the registry, account-limited tokens that cannot
// probe other ids, event streams that carry only what a token may see, and a revoke that closes a live
// stream. docs/security.md, "Roles".

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { EVENTS_CLOSE_UNAUTHORIZED } from '../src/shared/channels'
import {
  accountOf,
  COMMAND_NAMES,
  commands,
  ROLES,
  roleAllows,
  type AccountSummary,
  type AuditEntry,
  type BulkResult,
  type EventMessage,
  type KeyCountOverview,
  type PairingState,
  type ReceivedMessage,
  type Role,
  type TokenSummary,
} from '../src/shared/contract'
import { newDataKey, openEventStream, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

const dataDir = mkdtempSync(join(tmpdir(), 'irish-roles-'))
let server: ServerProcess
let adminEvents: EventStream
const tokens = {} as Record<Role | 'limited' | 'limitedViewer', string>
let alice: AccountSummary
let bob: AccountSummary

async function add(name: string, role: Role, accounts?: string[]): Promise<string> {
  const added = await server.value<{ token: string; name: string }>('tokens:add', { name, role, ...(accounts ? { accounts } : {}) })
  expect(added.name).toBe(name)
  expect(added.token).toMatch(/^irish_[A-Za-z0-9_-]{43}$/)
  return added.token
}

async function pair(label: string): Promise<AccountSummary> {
  // A new account starts pairing at once.
  const added = await server.value<AccountSummary>('accounts:add', { label })
  await adminEvents.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  await server.value('simulator:scan', { id: added.id })
  const connected = await adminEvents.next(
    (m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected',
    60_000,
  )
  return connected.payload as AccountSummary
}

/** A raw event socket with a token, that also reports how it closed. */
function rawStream(token: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${token}`])
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.once('close', (code, reason) => done({ code, reason: reason.toString() })))
    ws.once('error', reject)
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === 'ready') resolve({ ws, closed })
    })
  })
}

beforeAll(async () => {
  server = await startServerProcess({ dataDir, dataKey: newDataKey(), simulator: true })
  adminEvents = await server.events()
  alice = await pair('Alice')
  bob = await pair('Bob')
  tokens.viewer = await add('vera', 'viewer')
  tokens.operator = await add('otto', 'operator')
  tokens.admin = await add('ada', 'admin')
  tokens.limited = await add('lim', 'operator', [alice.id])
  tokens.limitedViewer = await add('limview', 'viewer', [alice.id])
}, 180_000)

afterAll(async () => {
  adminEvents?.close()
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('roles across every command of the registry', () => {
  it('declares the roles the way the roles are defined', () => {
    const role = (name: string): Role => commands[name as keyof typeof commands].role
    // viewer reads: lists, health, telemetry, activity, pairing state.
    for (const name of ['accounts:list', 'accounts:health', 'accounts:pairing', 'accounts:activity', 'telemetry:snapshot', 'telemetry:series', 'telemetry:ranking', 'telemetry:key-counts', 'fleet:servers', 'tokens:whoami']) {
      expect(role(name), name).toBe('viewer')
    }
    // operator also pairs, starts, stops, logs out, sends, and reads received messages.
    for (const name of ['accounts:add', 'accounts:start', 'accounts:stop', 'accounts:logout', 'accounts:send-text', 'accounts:messages', 'accounts:pair-code', 'simulator:scan', 'accounts:bulk']) {
      expect(role(name), name).toBe('operator')
    }
    // admin also removes, exports, imports, hands off, and changes settings, webhooks, tokens and limits.
    for (const name of COMMAND_NAMES.filter((c) => /^(transfer|webhooks|audit|store):/.test(c) || (c.startsWith('tokens:') && c !== 'tokens:whoami'))) {
      expect(role(name), name).toBe('admin')
    }
    expect(role('accounts:remove')).toBe('admin')
    expect(role('settings:set')).toBe('admin')
  })

  it.each(COMMAND_NAMES)('%s: refused with 403 naming its role below it, let through at and above it', async (name) => {
    const needed = commands[name].role
    for (const held of ROLES) {
      const { status, body } = await server.call(name, {}, tokens[held])
      if (roleAllows(held, needed)) {
        expect([401, 403], `${held} on ${name}: ${JSON.stringify(body)}`).not.toContain(status)
      } else {
        expect(status, `${held} on ${name}`).toBe(403)
        expect(body).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining(`needs the ${needed} role`) } })
      }
    }
  })

  it('answers a revoked or unknown token with 401, whatever the command', async () => {
    expect((await server.call('accounts:list', {}, 'irish_not-a-token-anyone-was-given-0000000000')).status).toBe(401)
  })
})

describe('a token limited to some accounts', () => {
  it('sees only its accounts in lists and totals', async () => {
    const { body } = await server.call<AccountSummary[]>('accounts:list', {}, tokens.limited)
    expect(body.ok && body.value.map((a) => a.id)).toEqual([alice.id])
    const counts = await server.call<KeyCountOverview>('telemetry:key-counts', {}, tokens.limitedViewer)
    expect(counts.body.ok && counts.body.value.accounts.map((row) => row.account)).toEqual([alice.id])
    const own = counts.body.ok ? counts.body.value.accounts[0]!.counts : {}
    expect(counts.body.ok && counts.body.value.totals).toEqual(own)
    const who = await server.call<{ name: string; accounts: string[] }>('tokens:whoami', {}, tokens.limited)
    expect(who.body).toEqual({ ok: true, value: { name: 'lim', role: 'operator', accounts: [alice.id] } })
  })

  it('gets not-found for another account, worded exactly as for an id that exists nowhere', async () => {
    const ghost = 'acc-ffffffffff'
    for (const command of ['accounts:health', 'accounts:stop', 'accounts:activity', 'accounts:pairing'] as const) {
      const other = await server.call(command, { id: bob.id }, tokens.limited)
      const none = await server.call(command, { id: ghost }, tokens.limited)
      expect(other.status, command).toBe(404)
      expect(none.status, command).toBe(404)
      expect(JSON.stringify(other.body).replaceAll(bob.id, 'ID')).toBe(JSON.stringify(none.body).replaceAll(ghost, 'ID'))
    }
    // Bob is untouched by the refused stop.
    expect((await server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === bob.id)?.status).toBe('connected')
    const bulk = await server.call<BulkResult[]>('accounts:bulk', { ids: [bob.id, ghost], action: 'stop' }, tokens.limited)
    expect(bulk.body.ok).toBe(true)
    const [forBob, forGhost] = bulk.body.ok ? bulk.body.value : []
    expect(JSON.stringify(forBob).replaceAll(bob.id, 'ID')).toBe(JSON.stringify(forGhost).replaceAll(ghost, 'ID'))
    expect(forBob).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })

  it('is refused what acts on every account or adds one (403), and an admin token is never limited', async () => {
    expect((await server.call('accounts:add', {}, tokens.limited)).status).toBe(403)
    expect((await server.call('telemetry:snapshot', {}, tokens.limitedViewer)).status).toBe(403)
    expect((await server.call('telemetry:snapshot', { account: alice.id }, tokens.limitedViewer)).status).toBe(200)
    const admin = await server.call('tokens:add', { name: 'lim-admin', role: 'admin', accounts: [alice.id] })
    expect(admin.status).toBe(400)
  })
})

describe('event streams', () => {
  it("carry no QR payload, no linking code and no message text to a viewer, and only a limited token's accounts", async () => {
    const viewer = await openEventStream(server.url, tokens.viewer)
    const limited = await openEventStream(server.url, tokens.limitedViewer)
    try {
      const carol = await server.value<AccountSummary>('accounts:add', { label: 'Carol' })
      const isQr = (m: EventMessage): boolean => m.event === 'accounts:qr' && (m.payload as PairingState).id === carol.id
      const adminQr = (await adminEvents.next((m) => isQr(m) && (m.payload as PairingState).qr !== null)).payload as PairingState
      expect(adminQr.qr).not.toBeNull()
      const viewerQr = (await viewer.next(isQr)).payload as PairingState
      expect(viewerQr).toMatchObject({ id: carol.id, qr: null, code: null })
      const answered = await server.call<PairingState>('accounts:pairing', { id: carol.id }, tokens.viewer)
      expect(answered.body.ok && answered.body.value).toMatchObject({ id: carol.id, qr: null, code: null })
      await server.value('accounts:stop', { id: carol.id })

      const text = `for operators only ${Date.now()}`
      const isMessage = (m: EventMessage): boolean => m.event === 'accounts:message' && (m.payload as ReceivedMessage).account === alice.id
      const forAdmin = adminEvents.next((m) => isMessage(m) && (m.payload as ReceivedMessage).text === text)
      await server.value('accounts:send-text', { id: bob.id, to: `+${alice.phone}`, text })
      await forAdmin
      expect(((await viewer.next(isMessage)).payload as ReceivedMessage).text).toBe('')
      expect(((await limited.next(isMessage)).payload as ReceivedMessage).text).toBe('')
      expect(JSON.stringify(viewer.received)).not.toContain(text)
      expect(JSON.stringify(limited.received)).not.toContain(text)
      // The limited stream never carried an event about another account.
      await server.value('accounts:rename', { id: bob.id, label: 'Bob renamed' })
      await viewer.next((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).label === 'Bob renamed')
      // Telemetry ticks name accounts in their points: only the watched ones of its own.
      const about = limited.received.filter((m) => m.event !== 'telemetry:tick').map((m) => accountOf(m.event, m.payload))
      expect(new Set(about)).toEqual(new Set([alice.id]))
    } finally {
      viewer.close()
      limited.close()
    }
  }, 60_000)

  it('closes a revoked token\'s live stream, then refuses the token', async () => {
    const doomed = await add('doomed', 'operator')
    const { closed } = await rawStream(doomed)
    await server.value('tokens:revoke', { name: 'doomed' })
    expect(await closed).toEqual({ code: EVENTS_CLOSE_UNAUTHORIZED, reason: 'token revoked' })
    expect((await server.call('accounts:list', {}, doomed)).status).toBe(401)
    const listed = await server.value<TokenSummary[]>('tokens:list')
    expect(listed.map((t) => t.name)).not.toContain('doomed')
    expect(JSON.stringify(listed)).not.toContain('irish_')
  })

  it('keeps counting a revoked token that retries against itself, not against the address it shares', async () => {
    const stale = await add('stale', 'viewer')
    await server.value('tokens:revoke', { name: 'stale' })
    const statuses: number[] = []
    for (let i = 0; i < 40; i += 1) statuses.push((await server.call('accounts:list', {}, stale)).status)
    expect(statuses[0]).toBe(401)
    expect(statuses).toContain(429)
    // Another client behind the same address (this test) is not held back.
    expect((await server.call('accounts:list', {}, tokens.viewer)).status).toBe(200)
  })
})

describe('the audit trail over HTTP', () => {
  it('records who ran what, refusals included, by token name', async () => {
    await server.call('accounts:health', { id: alice.id }, tokens.viewer)
    await server.call('accounts:stop', { id: bob.id }, tokens.viewer)
    await server.call('accounts:health', { id: bob.id }, tokens.limited)
    const trail = await server.value<AuditEntry[]>('audit:list', { limit: 1000 })
    const find = (actor: string, command: string, result: string, account: string) =>
      trail.find((e) => e.actor === actor && e.command === command && e.result === result && e.accounts.includes(account))
    expect(find('vera', 'accounts:health', 'ok', alice.id)).toBeDefined()
    expect(find('vera', 'accounts:stop', 'forbidden', bob.id)).toBeDefined()
    expect(find('lim', 'accounts:health', 'not-found', bob.id)).toBeDefined()
    expect(trail.find((e) => e.command === 'tokens:revoke' && e.subject === 'doomed')?.actor).toBe('default')
    // Newest first.
    expect(trail.map((e) => e.at)).toEqual([...trail.map((e) => e.at)].sort((x, y) => y - x))
  })
})

// The audit trail from every way in, each with the right actor: HTTP with named tokens (a real server
// process with the built-in simulator and real Baileys), the irish CLI over --api and on a data dir, and
// the desktop's IPC handlers (under Node, with Electron's ipcMain stood in: Electron cannot run here).
// Then the database files are searched for every message text, passphrase and token the test used.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, AuditEntry, PairingState } from '../src/shared/contract'
import { createCore } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import { createFrameCheck, registerIpcHandlers } from '../src/main/electron/ipc'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

const ROOT = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'irish-audit-'))
const dataDir = join(work, 'data')
const dataKey = newDataKey()
const MESSAGE = `the quarterly numbers are 41 and 7 ${Date.now()}`
const PASSPHRASE = 'correct horse battery staple audit'
const WEBHOOK_SECRET = 'whsec-never-in-the-trail-0123456789'
const secrets: string[] = [MESSAGE, PASSPHRASE, WEBHOOK_SECRET]
let server: ServerProcess
let events: EventStream
let alice: AccountSummary
let bob: AccountSummary

async function irish(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/irish.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: work, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, stdout, stderr }
}

async function pair(label: string): Promise<AccountSummary> {
  const added = await server.value<AccountSummary>('accounts:add', { label })
  await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
  await server.value('simulator:scan', { id: added.id })
  const connected = await events.next((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected', 60_000)
  return connected.payload as AccountSummary
}

async function addToken(name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const { token } = await server.value<{ token: string }>('tokens:add', { name, role })
  secrets.push(token)
  return token
}

function trail(entries: AuditEntry[], actor: string, command: string): AuditEntry | undefined {
  return entries.find((e) => e.actor === actor && e.command === command)
}

beforeAll(async () => {
  server = await startServerProcess({ dataDir, dataKey, simulator: true })
  secrets.push(server.token)
  events = await server.events()
  alice = await pair('Alice')
  bob = await pair('Bob')
}, 120_000)

afterAll(async () => {
  events?.close()
  await server?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('the audit trail', () => {
  it('records HTTP commands under each token, reads and writes, refusals included, and no input but names and ids', async () => {
    const ops = await addToken('ops', 'operator')
    const vic = await addToken('vic', 'viewer')
    const arrived = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === MESSAGE)
    expect((await server.call('accounts:send-text', { id: alice.id, to: `+${bob.phone}`, text: MESSAGE }, ops)).status).toBe(200)
    await arrived
    expect((await server.call('accounts:list', {}, vic)).status).toBe(200)
    expect((await server.call('accounts:send-text', { id: alice.id, to: `+${bob.phone}`, text: MESSAGE }, vic)).status).toBe(403)
    expect((await server.call('transfer:export', { id: bob.id, passphrase: PASSPHRASE, mode: 'copy' })).status).toBe(200)
    const hook = await server.value<{ id: string }>('webhooks:add', { url: 'https://hooks.example/in?key=abc', events: ['accounts:message'], secret: WEBHOOK_SECRET })
    await server.value('webhooks:remove', { id: hook.id })

    const entries = await server.value<AuditEntry[]>('audit:list', { limit: 1000 })
    expect(trail(entries, 'ops', 'accounts:send-text')).toMatchObject({ accounts: [alice.id], result: 'ok', subject: null })
    expect(trail(entries, 'vic', 'accounts:list')).toMatchObject({ accounts: [], result: 'ok' })
    expect(trail(entries, 'vic', 'accounts:send-text')).toMatchObject({ accounts: [alice.id], result: 'forbidden' })
    expect(trail(entries, 'default', 'transfer:export')).toMatchObject({ accounts: [bob.id], result: 'ok' })
    expect(trail(entries, 'default', 'webhooks:remove')).toMatchObject({ subject: hook.id })
    expect(entries.find((e) => e.command === 'tokens:add' && e.subject === 'ops')?.actor).toBe('default')
    // The one that added a new account names it.
    expect(entries.find((e) => e.command === 'accounts:add' && e.accounts.includes(alice.id))).toBeDefined()
    const server_ = entries[0]!.server
    expect(entries.every((e) => e.server === server_)).toBe(true)
    expect(JSON.stringify(entries)).not.toContain(MESSAGE)
  }, 60_000)

  it('records the irish CLI over --api under the token it was given', async () => {
    const clara = await addToken('clara', 'admin')
    const listed = await irish(['list', '--api', server.url], { IRISH_API_TOKEN: clara })
    expect(listed.code).toBe(0)
    const jsonl = await irish(['audit', '--api', server.url, '--since', '1h', '--actor', 'clara', '--format', 'jsonl'], { IRISH_API_TOKEN: clara })
    expect(jsonl.stderr).toBe('')
    const lines = jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditEntry)
    expect(lines.map((e) => e.command)).toEqual(['accounts:list'])
    expect(lines[0]).toMatchObject({ actor: 'clara', result: 'ok' })
    const refused = await irish(['tokens', 'add', '--name', 'x', '--role', 'viewer', '--api', server.url], { IRISH_API_TOKEN: secrets.at(-2)! })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/needs the admin role/)
  }, 60_000)

  it('records the CLI on a data dir as cli, and the desktop window over IPC as desktop', async () => {
    await server.stop()
    const listed = await irish(['list', '--data-dir', dataDir], { IRISH_DATA_KEY: dataKey })
    expect(listed.code).toBe(0)

    const core = await createCore({ dataDir, keyVault: envVault(dataKey), logger: silentLogger(), appVersion: '0.0.0-test' })
    try {
      const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>()
      const ipcMain = { handle: (channel: string, handler: never) => void handlers.set(channel, handler), removeHandler: () => undefined, on: () => ipcMain, off: () => ipcMain }
      registerIpcHandlers({ ipcMain: ipcMain as never, dispatch: core.dispatch, isTrustedFrame: createFrameCheck(['file://']), logger: silentLogger() })
      const frame = { senderFrame: { url: 'file:///app/index.html', parent: null } }
      expect(await handlers.get('accounts:health')!(frame, { id: alice.id })).toMatchObject({ ok: true })
      const entries = await core.audit.list({ limit: 1000 })
      expect(trail(entries, 'desktop', 'accounts:health')).toMatchObject({ accounts: [alice.id], result: 'ok' })
      expect(trail(entries, 'cli', 'accounts:list')).toMatchObject({ result: 'ok' })
    } finally {
      await core.close()
    }
  }, 60_000)

  it('leaves no message text, passphrase or token in the database files', () => {
    const files = readdirSync(dataDir).filter((name) => name.startsWith('irish.db'))
    expect(files).toContain('irish.db')
    for (const name of files) {
      const path = join(dataDir, name)
      if (!statSync(path).isFile()) continue
      const bytes = readFileSync(path)
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret, 'utf8')), `${name} holds ${secret.slice(0, 12)}…`).toBe(false)
        expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${name} holds ${secret.slice(0, 12)}… (UTF-16)`).toBe(false)
      }
    }
  })
})

// Backups that restore, end to end: a real server with four accounts paired for real against a
// simulator of their own, messages flowing between them while store:backup and `irish backup` copy the
// store; `irish restore` into a new data dir; a server there connects every account without a QR code
// and the messages they send each other decrypt. Refused: a key that does not open the backup (naming the
// one it needs), a data dir that is not empty, and an older backup over newer state (unless
// --allow-older, after a warning).

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, BackupInfo, PairingState, ReceivedMessage } from '../src/shared/contract'
import { keyIdOf } from '../src/main/core/crypto/sealer'
import { decodeDataKey } from '../src/main/core/crypto/key-vault'
import { muteLibsignalLogs } from './support/baileys-clients'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'
import { startTestSimulator, type TestSimulator } from './support/transfer-support'

const ROOT = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'irish-backup-'))
const dataKey = newDataKey()
const keyId = keyIdOf(decodeDataKey(dataKey)!)
const token = newApiToken()
let sim: TestSimulator
let unmute: () => void
let server: ServerProcess
let events: EventStream
const accounts: AccountSummary[] = []

async function irish(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/irish.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: work, IRISH_DATA_KEY: dataKey, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, stdout, stderr }
}

async function start(dataDir: string): Promise<{ server: ServerProcess; events: EventStream }> {
  const started = await startServerProcess({ dataDir, dataKey, token, env: sim.env })
  return { server: started, events: await started.events() }
}

/** Sends `text` from `from` to `to`, and resolves once `to` has it, decrypted. */
async function exchange(on: { server: ServerProcess; events: EventStream }, from: AccountSummary, to: AccountSummary, text: string): Promise<void> {
  const arrived = on.events.next((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).account === to.id && (m.payload as ReceivedMessage).text === text, 30_000)
  await on.server.value('accounts:send-text', { id: from.id, to: `+${to.phone}`, text })
  await arrived
}

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  sim = await startTestSimulator()
  ;({ server, events } = await start(join(work, 'original')))
  // The traffic below is a burst; the built-in send limits would queue it (docs/proxies-and-limits.md).
  await server.value('settings:set', { defaultLimits: { perMinute: null, perHour: null, perDay: null, newContactsPerDay: null, minGapMs: null } })
  for (const label of ['Ann', 'Ben', 'Cat', 'Dan']) {
    const added = await server.value<AccountSummary>('accounts:add', { label })
    const qr = await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
    await sim.sim.scanQr((qr.payload as PairingState).qr!, { name: label })
    const connected = await events.next((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected', 60_000)
    accounts.push(connected.payload as AccountSummary)
  }
}, 180_000)

afterAll(async () => {
  events?.close()
  await server?.stop()
  await sim?.close()
  rmSync(work, { recursive: true, force: true })
  unmute?.()
})

describe('backups', () => {
  const first = join(work, 'under-traffic.irishbackup')
  const second = join(work, 'by-cli.irishbackup')
  const restored = join(work, 'restored')

  it('copies the running store under message traffic, and names the key it needs', async () => {
    const [ann, ben, cat, dan] = accounts as [AccountSummary, AccountSummary, AccountSummary, AccountSummary]
    let sent = 0
    let flowing = true
    const traffic = (async () => {
      while (flowing) {
        sent += 1
        await Promise.all([exchange({ server, events }, ann, ben, `ann to ben ${sent}`), exchange({ server, events }, cat, dan, `cat to dan ${sent}`)])
      }
    })()
    try {
      await exchange({ server, events }, ben, ann, 'before the backup')
      const info = await server.value<BackupInfo>('store:backup', { path: first })
      expect(info).toMatchObject({ path: first, keyId, accounts: 4 })
      expect(statSync(first).mode & 0o777).toBe(0o600)
      expect(readFileSync(first).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0')
      const cli = await irish(['backup', '--out', second, '--api', server.url], { IRISH_API_TOKEN: token })
      expect(cli.code, cli.stderr).toBe(0)
      expect(cli.stdout).toContain(`needs data key ${keyId}`)
      const refused = await server.call('store:backup', { path: first })
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('never overwrites') } })
      expect((await server.call('store:backup', { path: 'relative.irishbackup' })).status).toBe(400)
    } finally {
      flowing = false
      await traffic
    }
    // Everything sent has arrived: nothing is left queued for the original store's sessions.
    expect(sent).toBeGreaterThan(1)
    await server.stop()
    events.close()
  }, 120_000)

  it('refuses a key that does not open the backup, naming the one it needs, and a data dir that is not empty', async () => {
    const otherKey = newDataKey()
    const wrong = await irish(['restore', '--from', first, '--data-dir', join(work, 'never')], { IRISH_DATA_KEY: otherKey })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain(`needs data key k-${keyId}`)
    expect(existsSync(join(work, 'never'))).toBe(false)
    const occupied = await irish(['restore', '--from', first, '--data-dir', join(work, 'original')])
    expect(occupied.code).toBe(1)
    expect(occupied.stderr).toMatch(/is not empty.*--replace/)
  }, 60_000)

  it('restores into a new data dir, where a server connects every account and their messages decrypt', async () => {
    const done = await irish(['restore', '--from', first, '--data-dir', restored])
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toContain('Restored 4 account(s)')
    const again = await start(restored)
    try {
      const listed = async (): Promise<AccountSummary[]> => again.server.value<AccountSummary[]>('accounts:list')
      const deadline = Date.now() + 90_000
      while ((await listed()).some((a) => a.status !== 'connected') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300))
      expect((await listed()).map((a) => [a.id, a.status])).toEqual(accounts.map((a) => [a.id, 'connected']))
      const [ann, ben, cat, dan] = accounts as [AccountSummary, AccountSummary, AccountSummary, AccountSummary]
      await exchange(again, ann, ben, 'after the restore, ann to ben')
      await exchange(again, ben, ann, 'after the restore, ben to ann')
      await exchange(again, dan, cat, 'after the restore, dan to cat')
      await exchange(again, cat, dan, 'after the restore, cat to dan')
    } finally {
      again.events.close()
      await again.server.stop()
    }
  }, 180_000)

  it('refuses the older backup over the newer state, and restores it with --allow-older after a warning', async () => {
    // The restored store has connected since: its accounts' creds were written again.
    const refused = await irish(['restore', '--from', first, '--data-dir', restored, '--replace'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/This backup holds older state of \+\d+ \(device \d+:\d+\).*written \d+ time\(s\), and this store has seen \d+ writes/)
    expect(refused.stderr).toContain('--allow-older')
    const allowed = await irish(['restore', '--from', first, '--data-dir', restored, '--replace', '--allow-older'])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stderr).toMatch(/warning: This backup holds older state/)
    expect(allowed.stdout).toMatch(/device\(s\) were restored older/)
    // What the replaced store had seen is remembered: the same older backup is refused again.
    const still = await irish(['restore', '--from', second, '--data-dir', restored, '--replace'])
    expect(still.code).toBe(1)
    expect(still.stderr).toMatch(/older state/)
  }, 120_000)
})

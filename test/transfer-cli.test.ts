// The `irish` CLI as a person runs it: separate processes, exit codes, stdout and stderr. Data dirs are
// opened in the CLI's own process; the last test talks to a server over --api.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary } from '../src/shared/contract'
import { muteLibsignalLogs } from './support/baileys-clients'
import { newDataKey, startServerProcess, type ServerProcess } from './support/server-process'
import { pairBaileysFolder, startTestSimulator, type TestSimulator } from './support/transfer-support'

const ROOT = resolve(import.meta.dirname, '..')
const PASSPHRASE = 'a long enough passphrase'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

async function irish(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/irish.ts', ...args], {
    cwd: ROOT,
    // No inherited passphrase, token or data key: each test says what the CLI gets.
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

let work: string
let unmute: () => void
let simulator: TestSimulator
let folder: string
let phone: string
let server: ServerProcess | null = null
const source = { dir: '', key: newDataKey() }
const target = { dir: '', key: newDataKey() }

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  work = mkdtempSync(join(tmpdir(), 'irish-cli-'))
  source.dir = join(work, 'source')
  target.dir = join(work, 'target')
  folder = join(work, 'baileys')
  simulator = await startTestSimulator()
  phone = await pairBaileysFolder(simulator.sim, folder)
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await simulator?.close()
  rmSync(work, { recursive: true, force: true })
  unmute?.()
})

// Every case starts the CLI from its sources (tsx), several at once in places: seconds each on a
// loaded machine (four at once took over 15 s at a load of 17 on 2 cores), so a case gets a minute.
describe('irish CLI', { timeout: 60_000 }, () => {
  it('prints help for the whole CLI and for each command', async () => {
    const [global, exportHelp] = await Promise.all([irish(['--help']), irish(['export', '--help'])])
    expect(global.code).toBe(0)
    expect(global.stdout).toMatch(/^Usage: npm run irish -- <command>/)
    for (const command of ['list', 'export', 'export-to-server', 'import', 'import-folder']) expect(global.stdout).toContain(`  ${command}`)
    expect(exportHelp.code).toBe(0)
    expect(exportHelp.stdout).toMatch(/--mode move\|copy/)
    expect(exportHelp.stdout).toMatch(/IRISH_PASSPHRASE/)
  })

  it('exits 64 on usage errors, with the usage on stderr', async () => {
    const [unknown, missing, passphraseFlag, both] = await Promise.all([
      irish(['explode']),
      irish(['export', '--account', 'acc-1']),
      // There is no --passphrase flag on purpose (shell history).
      irish(['import', '--passphrase', PASSPHRASE]),
      irish(['list', '--api', 'http://127.0.0.1:9', '--data-dir', source.dir]),
    ])
    expect(unknown.code).toBe(64)
    expect(unknown.stderr).toMatch(/Unknown command "explode"/)
    expect(missing.code).toBe(64)
    expect(missing.stderr).toMatch(/--out is required[\s\S]*Usage: irish export/)
    expect(passphraseFlag.code).toBe(64)
    expect(passphraseFlag.stderr).toMatch(/Unknown option '--passphrase'/)
    expect(both.code).toBe(64)
    expect(both.stderr).toMatch(/--api or --data-dir, not both/)
  })

  let bundleFile: string

  it('imports a Baileys folder into a data dir and exports it to a bundle file (move)', async () => {
    const imported = await irish(['import-folder', '--dir', folder, '--label', 'From CLI', '--data-dir', source.dir, '--json'], {
      IRISH_DATA_KEY: source.key,
    })
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    const account = JSON.parse(imported.stdout) as AccountSummary
    expect(account).toMatchObject({ phone, label: 'From CLI', status: 'stopped' })

    const listed = await irish(['list', '--data-dir', source.dir], { IRISH_DATA_KEY: source.key })
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`${account.id}  stopped  +${phone}  "From CLI"`)

    bundleFile = join(work, 'moved.irishbundle')
    const exported = await irish(['export', '--account', account.id, '--out', bundleFile, '--data-dir', source.dir], {
      IRISH_DATA_KEY: source.key,
      IRISH_PASSPHRASE: PASSPHRASE,
    })
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/marked moved/)
    expect(readFileSync(bundleFile).subarray(0, 8).toString('ascii')).toBe('IRISHBDL')

    const after = await irish(['list', '--data-dir', source.dir], { IRISH_DATA_KEY: source.key })
    // The file written, not the app's suggested name: the take-back dialog reads this record.
    expect(after.stdout).toContain(`${account.id}  moved -> file moved.irishbundle`)
    const json = await irish(['list', '--data-dir', source.dir, '--json'], { IRISH_DATA_KEY: source.key })
    expect((JSON.parse(json.stdout) as AccountSummary[])[0]!.movedTo).toEqual({ target: 'file moved.irishbundle', at: expect.any(Number) })

    const overwrite = await irish(['export', '--account', account.id, '--out', bundleFile, '--data-dir', source.dir], {
      IRISH_DATA_KEY: source.key,
      IRISH_PASSPHRASE: PASSPHRASE,
    })
    expect(overwrite.code).toBe(1)
    expect(overwrite.stderr).toMatch(/already exists/)
  }, 60_000)

  it('inspects a bundle without a data key or keychain, and refuses a cut-off one clearly', async () => {
    // No IRISH_DATA_KEY, no key file, no D-Bus session: there is no way to a data key here.
    const inspected = await irish(['inspect', '--file', bundleFile])
    expect(inspected.stderr).toBe('')
    expect(inspected.code).toBe(0)
    expect(inspected.stdout).toContain(`+${phone}`)
    const cut = join(work, 'cut.irishbundle')
    writeFileSync(cut, readFileSync(bundleFile).subarray(0, 40))
    const refused = await irish(['inspect', '--file', cut])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error: The session bundle is incomplete/m)
  })

  it('shows the activity log of an account, with who asked (the CLI)', async () => {
    const listed = await irish(['list', '--data-dir', source.dir, '--json'], { IRISH_DATA_KEY: source.key })
    const [account] = JSON.parse(listed.stdout) as AccountSummary[]
    const log = await irish(['activity', '--account', account!.id, '--data-dir', source.dir], { IRISH_DATA_KEY: source.key })
    expect(log.code).toBe(0)
    expect(log.stdout).toMatch(/cli\s+transfer\s+Export to a file \(move\): done/)
    expect(log.stdout).toMatch(/system\s+transfer\s+Moved to file/)
    expect(log.stdout).toMatch(/cli\s+transfer\s+Import from a Baileys folder: done/)
    const bad = await irish(['activity', '--account', account!.id, '--limit', '0', '--data-dir', source.dir], { IRISH_DATA_KEY: source.key })
    expect(bad.code).toBe(64)
  })

  it('imports the bundle into another data dir; a wrong passphrase exits 1 and says so', async () => {
    const passphraseFile = join(work, 'passphrase.txt')
    writeFileSync(passphraseFile, 'wrong passphrase here\n', { mode: 0o600 })
    const wrong = await irish(['import', '--file', bundleFile, '--passphrase-file', passphraseFile, '--data-dir', target.dir], {
      IRISH_DATA_KEY: target.key,
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^error: Wrong passphrase/m)
    expect(wrong.stderr).not.toContain('wrong passphrase here')

    writeFileSync(passphraseFile, `${PASSPHRASE}\n`)
    const imported = await irish(['import', '--file', bundleFile, '--passphrase-file', passphraseFile, '--data-dir', target.dir, '--json'], {
      IRISH_DATA_KEY: target.key,
    })
    expect(imported.code).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({ phone, label: 'From CLI', status: 'stopped' })
  }, 30_000)

  it('refuses a data dir a server holds and points to --api, which then works; the account connects', async () => {
    server = await startServerProcess({ dataDir: target.dir, dataKey: target.key, env: simulator.env })
    const locked = await irish(['list', '--data-dir', target.dir], { IRISH_DATA_KEY: target.key })
    expect(locked.code).toBe(1)
    expect(locked.stderr).toMatch(/Another Irish Desktop process[\s\S]*--api/)

    const viaApi = await irish(['list', '--api', server.url, '--json'], { IRISH_API_TOKEN: server.token })
    expect(viaApi.code).toBe(0)
    const [account] = JSON.parse(viaApi.stdout) as AccountSummary[]
    expect(account).toMatchObject({ phone, status: 'stopped' })

    const events = await server.events()
    try {
      const connected = events.next(
        (m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === account!.id && (m.payload as AccountSummary).status === 'connected',
        20_000,
      )
      await server.value('accounts:start', { id: account!.id })
      await connected
    } finally {
      events.close()
    }
  }, 60_000)
})

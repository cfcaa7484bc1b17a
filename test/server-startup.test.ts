// What the headless server says when it cannot start: one line naming what and how to fix it, a
// sysexits code, and nothing created or started before the check (no data dir, no simulator lines).
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newDataKey, startServerProcess } from './support/server-process'

const ROOT = resolve(import.meta.dirname, '..')

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the server's entry (as `npm run serve` does, from the sources) to its exit. */
function runServer(args: string[], options: { asUser?: string } = {}): Promise<Outcome> {
  const command = [process.execPath, '--import', 'tsx', 'src/main/server/server-entry.ts', ...args]
  const id = (flag: string): string => execFileSync('id', [flag, options.asUser!], { encoding: 'utf8' }).trim()
  const [file, ...rest] = options.asUser ? ['setpriv', '--reuid', id('-u'), '--regid', id('-g'), '--clear-groups', ...command] : command
  const child = spawn(file!, rest, {
    cwd: ROOT,
    env: { ...process.env, IRISH_API_TOKEN: randomBytes(24).toString('base64url'), IRISH_DATA_KEY: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolvePromise) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    }),
  )
}

async function listenOn(port = 0): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolvePromise) => server.listen(port, '127.0.0.1', resolvePromise))
  return server
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port
}

function oneErrorLine(outcome: Outcome): string {
  const lines = outcome.stderr.trim().split('\n')
  expect(lines, outcome.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^error: /)
  return lines[0]!
}

// Each case starts the server from its sources (tsx): seconds each on a loaded machine, so the cases
// get a minute, not vitest's default 15 s.
describe('a server that cannot start', { timeout: 60_000 }, () => {
  let work: string
  let busy: Server
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'irish-startup-'))
    busy = await listenOn()
  })
  afterAll(async () => {
    await new Promise((r) => busy.close(r))
    rmSync(work, { recursive: true, force: true })
  })

  it('names a busy port and exits 69 before its simulator starts or its data dir is made', async () => {
    const dataDir = join(work, 'busy')
    const outcome = await runServer(['--port', String(portOf(busy)), '--simulator', '--data-dir', dataDir])
    expect(outcome.code).toBe(69)
    expect(oneErrorLine(outcome)).toMatch(new RegExp(`port ${portOf(busy)} on 127\\.0\\.0\\.1 is already in use.*--port <n>`))
    expect(outcome.stdout).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('says an address is not this machine\'s and exits 69', async () => {
    const dataDir = join(work, 'host')
    // 192.0.2.1 (TEST-NET-1) is on no interface here; binding fails locally, nothing is sent.
    const outcome = await runServer(['--host', '192.0.2.1', '--port', '0', '--data-dir', dataDir])
    expect(outcome.code).toBe(69)
    expect(oneErrorLine(outcome)).toContain('cannot listen on 192.0.2.1: it is not an address of this machine')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('refuses a data dir that is a file with 64, and leaves the file alone', async () => {
    const file = join(work, 'a-file')
    writeFileSync(file, 'mine')
    const outcome = await runServer(['--port', '0', '--data-dir', file])
    expect(outcome.code).toBe(64)
    expect(oneErrorLine(outcome)).toBe(`error: --data-dir: ${file} is a file, not a directory; give a folder (it is created when missing).`)
    expect(readFileSync(file, 'utf8')).toBe('mine')
    const below = await runServer(['--port', '0', '--data-dir', join(file, 'data')])
    expect(below.code).toBe(64)
    expect(oneErrorLine(below)).toContain(`cannot be created: ${file} is a file`)
  })

  it('refuses a data dir this user may not write with 77, creating nothing', async () => {
    const parent = join(work, 'read-only')
    mkdirSync(parent, { mode: 0o755 })
    chmodSync(work, 0o755)
    // Root may write anywhere: as root, the server runs as `nobody` for this case.
    const asUser = process.getuid?.() === 0 ? 'nobody' : undefined
    if (!asUser) chmodSync(parent, 0o555)
    const outcome = await runServer(['--port', '0', '--data-dir', join(parent, 'data')], asUser ? { asUser } : {})
    expect(outcome.code).toBe(77)
    expect(oneErrorLine(outcome)).toContain(`cannot be created: ${parent} is not writable by this user`)
    expect(readdirSync(parent)).toEqual([])
  })

  it('says an unreachable database cannot be reached and exits 69, before the data dir is made', async () => {
    const closed = await listenOn()
    const port = portOf(closed)
    await new Promise((r) => closed.close(r))
    const dataDir = join(work, 'db')
    const outcome = await runServer(['--port', '0', '--data-dir', dataDir, '--database', `postgres://irish:secret-pw@127.0.0.1:${port}/fleet`])
    expect(outcome.code).toBe(69)
    const line = oneErrorLine(outcome)
    expect(line).toContain(`the database at postgres://irish:***@127.0.0.1:${port}/fleet cannot be reached (ECONNREFUSED`)
    expect(line).not.toContain('secret-pw')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('gives a bad flag the usage and 64', async () => {
    const outcome = await runServer(['--prot', '7420'])
    expect(outcome.code).toBe(64)
    expect(outcome.stderr).toMatch(/^Unknown option '--prot'.*\n\nUsage: npm run serve/s)
    const port = await runServer(['--simulator-port', 'x', '--simulator'])
    expect(port.code).toBe(64)
    expect(port.stderr).toMatch(/^--simulator-port must be a number from 0 to 65535\./)
  })

  it('answers --help with the usage on stdout and 0, creating nothing', async () => {
    const dataDir = join(work, 'help')
    const outcome = await runServer(['--help', '--data-dir', dataDir])
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(/^Usage: npm run serve -- \[options\]/)
    expect(outcome.stdout).toContain('--connect-concurrency <n>')
    expect(outcome.stderr).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('names a busy simulator port, and the flag that picks another', async () => {
    const dataDir = join(work, 'sim-busy')
    const outcome = await runServer(['--port', '0', '--simulator', '--simulator-port', String(portOf(busy)), '--data-dir', dataDir])
    expect(outcome.code).toBe(69)
    expect(oneErrorLine(outcome)).toMatch(new RegExp(`port ${portOf(busy)} on 127\\.0\\.0\\.1 is already in use.*--simulator-port <n>`))
    expect(existsSync(dataDir)).toBe(false)
  })
})

describe('the demo across restarts', { timeout: 120_000 }, () => {
  const SECOND_LINE = /^\s+(IRISH_WHATSAPP_URL=ws:\/\/127\.0\.0\.1:(\d+)\/ws\/chat IRISH_WHATSAPP_ROOT_KEY=[0-9a-f]{64} IRISH_SIMULATOR_ADMIN=\S+ IRISH_SIMULATOR_ADMIN_TOKEN=\S+ npm run serve .*)$/
  let dataDir: string
  const dataKey = newDataKey()
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'irish-demo-restart-'))
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  async function printedLine(args: string[] = []): Promise<{ line: string; port: number }> {
    const server = await startServerProcess({ dataDir, simulator: true, args, dataKey })
    try {
      const match = server.stdout.map((l) => SECOND_LINE.exec(l)).find(Boolean)
      expect(match, server.stdout.join('\n')).toBeTruthy()
      return { line: match![1]!, port: Number(match![2]) }
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }

  it('keeps the simulator\'s ports, root key and admin token, so a second server\'s line stays valid', async () => {
    const first = await printedLine()
    const again = await printedLine()
    expect(again.line).toBe(first.line)
    // Told otherwise: a new port, the same root key.
    const moved = await printedLine(['--simulator-port', '0'])
    expect(moved.line.replace(/:\d+\/ws\/chat/, '')).toBe(first.line.replace(/:\d+\/ws\/chat/, ''))
  })
})

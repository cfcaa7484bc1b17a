// A newcomer's first hour, on a machine where keytar cannot load (its native build failed, or the
// optional dependency was left out): the demo (`--simulator`) starts with no keychain at all and
// prints its sign-in link on every start, with the line that starts a second server on the same
// simulator; a production server prints its token once, then where it is; a server that needs the
// keychain stops with a message that names the fix; `npm run simulator -- --help` explains itself.
// keytar is made unloadable for real, by a module hook in the server's process
// (support/no-keytar.mjs), not by mocking the key vault.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'irish-no-keychain-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The server with keytar unloadable, no data key in the environment (unless given) and no D-Bus session. */
function serve(args: string[], env: Record<string, string> = {}) {
  return spawn(
    process.execPath,
    ['--import', './test/support/no-keytar.mjs', '--import', 'tsx', 'src/main/server/server-entry.ts', '--host', '127.0.0.1', '--port', '0', ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: work, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
}

/** Starts a server, collects its stdout until "listening on", and stops it; returns the lines and the URL. */
async function startAndStop(args: string[], env: Record<string, string> = {}, whileUp?: (url: string, lines: string[]) => Promise<void>) {
  const child = serve(args, env)
  const lines: string[] = []
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line)
        const match = /^listening on (\S+)/.exec(line)
        if (match) resolveUrl(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${lines.join('\n')}`)))
    })
    await whileUp?.(url, lines)
    return { url, lines }
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

describe('without a usable keychain module', () => {
  it('the demo starts, prints its sign-in link on every start, and answers', async () => {
    const dataDir = join(work, 'demo')
    const first = await startAndStop(['--simulator', '--data-dir', dataDir], {}, async (url, lines) => {
      const token = lines.find((l) => l.startsWith('open the UI at '))!.split('#token=')[1]!
      const response = await fetch(`${url}/api/accounts:list`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' })
      expect(response.status).toBe(200)
    })
    const link = first.lines.find((l) => l.startsWith('open the UI at '))
    expect(link).toMatch(/#token=[A-Za-z0-9_-]+$/)
    // How to run a second server on the same simulator, to try "Export to a server".
    expect(first.lines.some((l) => /IRISH_WHATSAPP_URL=ws:\/\/127\.0\.0\.1:\d+\S* IRISH_WHATSAPP_ROOT_KEY=[0-9a-f]{64} IRISH_SIMULATOR_ADMIN=\S+ IRISH_SIMULATOR_ADMIN_TOKEN=\S+ npm run serve/.test(l))).toBe(true)

    // The token is in the data dir now; a demo still prints the link, with the same token.
    const second = await startAndStop(['--simulator', '--data-dir', dataDir])
    const again = second.lines.find((l) => l.startsWith('open the UI at '))
    expect(again?.split('#token=')[1]).toBe(link!.split('#token=')[1])
    expect(second.lines.some((l) => l.startsWith('API token (shown once'))).toBe(false)
  }, 90_000)

  it('a production server prints the token only on the start that made it, then says where it is', async () => {
    const dataDir = join(work, 'prod-with-key')
    const env = { IRISH_DATA_KEY: Buffer.alloc(32, 7).toString('base64') }
    const first = await startAndStop(['--data-dir', dataDir], env)
    expect(first.lines.some((l) => l.startsWith('open the UI at '))).toBe(true)
    const second = await startAndStop(['--data-dir', dataDir], env)
    expect(second.lines.some((l) => l.includes('#token='))).toBe(false)
    expect(second.lines).toContain(`API token: in ${join(dataDir, 'api-token')} (printed only on the start that made it)`)
  }, 90_000)

  it('a server that needs the keychain stops and names the fix', async () => {
    const child = serve(['--data-dir', join(work, 'prod')])
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(1)
    expect(stderr).toMatch(/^error: The OS keychain module \(keytar\) could not be loaded/m)
    expect(stderr).toContain('libsecret-1-dev')
    // The fix it names is the one test/keytar-fix.test.ts shows to work.
    expect(stderr).toContain('then run `npm install keytar` in the project folder (or `npm ci` again)')
    expect(stderr).toContain('--key-file')
    expect(stderr).toContain('IRISH_DATA_KEY')
    // The reason is a person's message, not a stack trace.
    expect(stderr).not.toMatch(/\n\s+at /)
  }, 60_000)

  it('the simulator explains itself with --help, and refuses an unknown option with the usage', async () => {
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
      const [code] = (await once(child, 'exit')) as [number | null]
      return { code, out }
    }
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/^Usage: npm run simulator -- \[options\]/)
    expect(help.out).toContain('IRISH_WHATSAPP_ROOT_KEY=<rootKey>')
    const bad = await run(['--bogus'])
    expect(bad.code).toBe(64)
    expect(bad.out).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm run simulator/)
  }, 60_000)
})

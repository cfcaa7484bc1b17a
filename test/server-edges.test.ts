// The headless server process under hostile conditions: out of file handles while serving the UI, what
// goes to stdout and stderr, and an operator-chosen token that is too weak. A real server process, no
// simulator (these tests need no account).

import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { newDataKey, startServerProcess } from './support/server-process'

const root = mkdtempSync(join(tmpdir(), 'irish-edges-'))
const ui = join(root, 'ui')
mkdirSync(join(ui, 'assets'), { recursive: true })
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Irish</title>')
for (let i = 0; i < 20; i += 1) writeFileSync(join(ui, 'assets', `chunk-${i}.js`), `export const n = ${i}\n`.repeat(500))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function get(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('out of file handles while serving the UI', () => {
  it('keeps running and answers the next request once handles are free again', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    // 160 handles: the server needs ~40 of its own, so a few hundred connections exhaust the rest.
    const server = await startServerProcess({ dataDir, dataKey: newDataKey(), args: ['--ui-dir', ui], wrapper: ['prlimit', '--nofile=160:160'] })
    try {
      const { port } = new URL(server.url)
      const sockets: Socket[] = []
      const answered = new Set<string>()
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          return new Promise<void>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1')
            sockets.push(socket)
            socket.on('error', () => resolve())
            socket.on('close', () => resolve())
            socket.on('data', (chunk) => {
              answered.add(chunk.toString('latin1').slice(0, 12))
              resolve()
            })
            socket.on('connect', () => socket.write(`GET /assets/chunk-${i % 20}.js HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`))
          })
        }),
      )
      // Every answer was a page or "busy"; none was a crash (a crash would also end the process below).
      for (const head of answered) expect(head).toMatch(/^HTTP\/1\.1 (200|503)/)
      for (const socket of sockets) socket.destroy()
      expect(server.child.exitCode).toBeNull()
      expect(await getEventually(server.url, '/assets/chunk-3.js')).toBe(200)
      expect(await server.stop()).toBe(0)
    } finally {
      await server.stop().catch(() => undefined)
    }
  }, 60_000)
})

/** The server frees the handles as it notices the closed sockets; the first request after may race that. */
async function getEventually(url: string, path: string): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const status = await get(url, path).catch(() => 0)
    if (status === 200 || attempt >= 50) return status
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('stdout and stderr', () => {
  it('prints the sign-in link and the ready line alone on stdout and keeps the token out of every log record', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    const server = await startServerProcess({ dataDir, dataKey: newDataKey(), token: '', env: { IRISH_API_TOKEN: '' }, args: ['--log-level', 'debug'] })
    try {
      const token = server.stdout.find((l) => l.startsWith('API token'))!.split(': ').pop()!
      expect(server.stdout).toContain(`open the UI at ${server.url}/#token=${token}`)
      expect(server.stdout.at(-1)).toBe(`listening on ${server.url}`)
      // No JSON log record on stdout.
      expect(server.stdout.some((line) => line.startsWith('{'))).toBe(false)
      expect((await server.call('accounts:list', {}, token)).status).toBe(200)
      expect((await server.call('accounts:list', {}, 'not-the-token-not-the-token')).status).toBe(401)
      expect(await server.stop()).toBe(0)
      const logs = server.stderr.join('')
      expect(logs).toContain('"level"')
      expect(logs).not.toContain(token)
    } finally {
      await server.stop().catch(() => undefined)
    }
  }, 30_000)
})

describe('token strength at start', () => {
  // One of the three an attack review started servers with (the estimator's own tests have them all):
  // repetition and dictionary words count for nothing.
  it('refuses IRISH_API_TOKEN=passwordpasswordpassword1234, saying how to make a good one', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    const start = startServerProcess({ dataDir, dataKey: newDataKey(), token: 'passwordpasswordpassword1234' })
    await expect(start).rejects.toThrow(/IRISH_API_TOKEN is too weak: about \d+ bits, and at least 128 are needed.*openssl rand -hex 32/)
  }, 60_000)

  it('refuses a weak token written into the token file', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    writeFileSync(join(dataDir, 'api-token'), 'passwordpasswordpassword1234\n', { mode: 0o600 })
    const start = startServerProcess({ dataDir, dataKey: newDataKey(), token: '', env: { IRISH_API_TOKEN: '' } })
    await expect(start).rejects.toThrow(/api-token in the data dir holds a weak token/)
  }, 60_000)

  it('accepts what the hint makes (64 hex characters)', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    const server = await startServerProcess({ dataDir, dataKey: newDataKey(), token: randomBytes(32).toString('hex') })
    expect((await server.call('accounts:list', {})).status).toBe(200)
    expect(await server.stop()).toBe(0)
  }, 60_000)
})

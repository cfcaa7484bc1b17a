import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisconnectReason } from '@whiskeysockets/baileys'
import { startSimulatorAdmin, type SimulatorAdmin } from './admin.js'
import { createTestSocket, MemoryAuthStore, useSimulator, waitForClose, waitForOpen, waitForQr } from '../../test/support/baileys-clients.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })
let admin: SimulatorAdmin

beforeAll(async () => {
  admin = await startSimulatorAdmin(suite.sim)
})
afterAll(async () => {
  await admin.close()
})

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${admin.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('admin API', () => {
  it('pairs through POST /scan, lists through GET /accounts and kicks through POST /kick', async () => {
    const store = new MemoryAuthStore()
    const first = suite.track(createTestSocket(suite.sim, store))
    const qr = await waitForQr(first)
    const restarted = waitForClose(first)
    const scanned = await call('POST', '/scan', { qr, phone: '447700900123', name: 'Admin Test' })
    expect(scanned).toEqual({ status: 200, json: { jid: '447700900123@s.whatsapp.net', lid: expect.stringMatching(/^\d+@lid$/), device: 1 } })
    expect(await restarted).toBe(DisconnectReason.restartRequired)

    const sock = suite.track(createTestSocket(suite.sim, store))
    await waitForOpen(sock)
    const listed = await call('GET', '/accounts')
    expect(listed.status).toBe(200)
    expect(listed.json.accounts).toEqual([
      expect.objectContaining({
        jid: '447700900123@s.whatsapp.net',
        name: 'Admin Test',
        devices: [expect.objectContaining({ id: 1, jid: '447700900123:1@s.whatsapp.net', connected: true })],
      }),
    ])

    const closed = waitForClose(sock)
    expect(await call('POST', '/kick', { jid: '447700900123@s.whatsapp.net', code: 440 })).toEqual({ status: 200, json: { kicked: 1 } })
    expect(await closed).toBe(DisconnectReason.connectionReplaced)
  })

  it.each([
    ['POST', '/scan', '{not json'],
    ['POST', '/scan', {}],
    ['POST', '/scan', { qr: 'x', phone: '12ab' }],
    ['POST', '/kick', { jid: '447700900123@s.whatsapp.net', code: 999 }],
    ['POST', '/kick', { jid: 'nobody', code: 401 }],
    ['POST', '/scan', { qr: 'not-a-qr' }],
  ])('%s %s with %j is a 400 with a message', async (method, path, body) => {
    const res = await call(method, path, body)
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: { code: 'invalid-input', message: expect.any(String) } })
  })

  it('answers 404 for unknown routes, unknown QR refs and unknown accounts', async () => {
    expect((await call('GET', '/nope')).status).toBe(404)
    expect((await call('DELETE', '/accounts')).status).toBe(404)
    const qr = `https://wa.me/settings/linked_devices#2@gone,${Buffer.alloc(32).toString('base64')},${Buffer.alloc(32).toString('base64')},${Buffer.alloc(32).toString('base64')},1`
    expect((await call('POST', '/scan', { qr })).status).toBe(404)
    expect((await call('POST', '/kick', { jid: '19990000000@s.whatsapp.net', code: 401 })).status).toBe(404)
  })

  it('refuses a request whose Host is not loopback', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${admin.url}/accounts`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })
})

describe('cli', () => {
  it('prints one JSON line with url, root key and admin URL, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', () => reject(new Error('cli exited before printing')))
      })
      const info = JSON.parse(line) as { url: string; rootKey: string; admin: string }
      expect(info.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/)
      expect(info.rootKey).toMatch(/^[0-9a-f]{64}$/)
      expect(info.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const res = await fetch(`${info.admin}/accounts`)
      expect(await res.json()).toEqual({ accounts: [] })
      const stats = (await (await fetch(`${info.admin}/stats`)).json()) as { connections: number; memory: { rss: number } }
      expect(stats.connections).toBe(0)
      expect(stats.memory.rss).toBeGreaterThan(0)
      const store = new MemoryAuthStore()
      const sock = suite.track(createTestSocket({ url: info.url, rootKeyHex: info.rootKey }, store))
      await waitForQr(sock)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 15_000)
})

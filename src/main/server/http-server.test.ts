// The headless server's edges, in process: static files under churn, slow bodies, Host and Origin,
// failed-token limits, the large-body budget, connection and WebSocket caps. The core behind the
// transport is a recording dispatch (the commands themselves are tested against the real core in
// test/server.test.ts); everything HTTP here is the real server on 127.0.0.1.

import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { Dispatch } from '../core/api/dispatch'
import { createEventBus } from '../core/events'
import { silentLogger } from '../core/logger'
import { pickEncoding } from './compression'
import { DEFAULT_FAILED_AUTH_POLICY } from './failed-auth'
import { startApiServer, type ApiServer, type ApiServerOptions } from './http-server'

const TOKEN = 'k3Jq9vX2mN8pL4wR7tY1zA6bC5dE0fG-'
const root = mkdtempSync(join(tmpdir(), 'irish-http-'))
const ui = join(root, 'ui')
mkdirSync(join(ui, 'assets'), { recursive: true })
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Irish</title>')
writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)\n'.repeat(2000))

const calls: Array<{ command: string; input: unknown }> = []
const dispatch: Dispatch = async (command, input) => {
  calls.push({ command, input })
  return { ok: true, value: { command } }
}

const started: ApiServer[] = []
async function start(extra: Partial<ApiServerOptions> = {}): Promise<ApiServer> {
  const server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    dispatch,
    events: createEventBus(silentLogger()),
    logger: silentLogger(),
    staticDir: ui,
    ...extra,
  })
  started.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A raw request, so Host and other headers fetch() would fix can be sent as an attacker would. */
function raw(url: string, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const auth = { authorization: `Bearer ${TOKEN}` }

describe('the API document', () => {
  it('is served without a token and names no account; anything else under /api still needs one', async () => {
    const server = await start({ version: '9.8.7' })
    calls.length = 0
    const served = await raw(server.url, '/api/openapi.json', {})
    expect(served.status).toBe(200)
    expect(served.headers['content-type']).toMatch(/^application\/json/)
    const doc = JSON.parse(served.text) as { openapi: string; info: { version: string }; paths: Record<string, unknown> }
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.version).toBe('9.8.7')
    expect(doc.paths['/api/accounts:pair-code']).toBeDefined()
    // Made from the contract alone: the core was not asked anything.
    expect(calls).toEqual([])
    expect((await raw(server.url, '/api/openapi.json', {}, 'POST', '{}')).status).toBe(401)
    expect((await raw(server.url, '/api/accounts:list', {}, 'POST', '{}')).status).toBe(401)
    // The Host rule holds for it as for every path.
    expect((await raw(server.url, '/api/openapi.json', { host: 'evil.example' })).status).toBe(421)
  })
})

describe('static files', () => {
  it('survives files that appear and vanish while they are served, and answers the next request', async () => {
    const server = await start()
    const churn = join(ui, 'assets', 'churn.js')
    let running = true
    const churner = (async () => {
      // Replaces the file over and over: some requests find it, some do not, some lose it mid-way.
      while (running) {
        writeFileSync(churn, 'x'.repeat(64 * 1024))
        await new Promise((r) => setImmediate(r))
        try {
          unlinkSync(churn)
        } catch {
          // Already gone.
        }
        await new Promise((r) => setImmediate(r))
      }
    })()
    const statuses = new Set<number>()
    for (let round = 0; round < 20; round += 1) {
      const results = await Promise.all(Array.from({ length: 20 }, () => raw(server.url, '/assets/churn.js', {})))
      for (const r of results) statuses.add(r.status)
    }
    running = false
    await churner
    expect([...statuses].every((s) => s === 200 || s === 404)).toBe(true)
    const next = await raw(server.url, '/assets/app.js', {})
    expect(next.status).toBe(200)
    expect(next.text.length).toBe('console.log(1)\n'.length * 2000)
  }, 30_000)

  it('answers a directory, a traversal and a NUL byte without serving anything outside the build', async () => {
    const server = await start()
    expect((await raw(server.url, '/assets.js', {})).status).toBe(404)
    // Normalised inside the build: an unknown page, so the app itself, never the system's file.
    const traversal = await raw(server.url, '/..%2f..%2fetc%2fpasswd', {})
    expect(traversal.text).not.toContain('root:')
    expect(traversal.text).toContain('<title>Irish</title>')
    expect((await raw(server.url, '/a%00b.js', {})).status).toBe(404)
    expect((await raw(server.url, '/%E0%A4%A', {})).status).toBe(400)
    const spa = await raw(server.url, '/accounts/abc', {})
    expect(spa.status).toBe(200)
    expect(spa.text).toContain('<title>Irish</title>')
  })
})

describe('slow bodies', () => {
  /** Sends headers and then one byte every 300 ms; resolves with the ms until the server closed it. */
  function trickle(url: string, headers: string): Promise<number> {
    const { port } = new URL(url)
    return new Promise((resolve) => {
      const socket = connect(Number(port), '127.0.0.1')
      const begun = Date.now()
      socket.on('connect', () => {
        socket.write(`POST /api/accounts:list HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${headers}\r\n`)
      })
      const timer = setInterval(() => socket.writable && socket.write('{'), 300)
      socket.on('data', () => undefined)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        clearInterval(timer)
        resolve(Date.now() - begun)
      })
    })
  }

  it('closes a trickling body within seconds, with and without a token', async () => {
    const server = await start()
    const [withToken, without] = await Promise.all([trickle(server.url, `Authorization: Bearer ${TOKEN}\r\n`), trickle(server.url, '')])
    // The default policy: after a 5 s grace, at least 8 KiB/s on average.
    expect(withToken).toBeLessThan(8_000)
    expect(without).toBeLessThan(2_000)
    expect(calls.some((c) => c.command === 'accounts:list')).toBe(false)
  }, 15_000)
})

describe('Host and Origin', () => {
  it('answers only the host names it serves (421 otherwise), for pages, the API and the event socket', async () => {
    const server = await start({ allowedHosts: ['irish.example.org'] })
    const port = new URL(server.url).port
    expect((await raw(server.url, '/', { host: `attacker.example:${port}` })).status).toBe(421)
    expect((await raw(server.url, '/api/accounts:list', { host: `attacker.example:${port}`, ...auth }, 'POST', '{}')).status).toBe(421)
    expect((await raw(server.url, '/', { host: `localhost:${port}` })).status).toBe(200)
    expect((await raw(server.url, '/', { host: `[::1]:${port}` })).status).toBe(200)
    expect((await raw(server.url, '/', { host: 'irish.example.org' })).status).toBe(200)
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1'], { headers: { host: 'rebound.example' } })
    expect(await upgradeStatus(ws)).toBe(421)
  })

  it('refuses a foreign Origin on the API (403) and on the event socket', async () => {
    const server = await start()
    const foreign = await raw(server.url, '/api/accounts:list', { origin: 'http://evil.example', ...auth }, 'POST', '{}')
    expect(foreign.status).toBe(403)
    const same = await raw(server.url, '/api/accounts:list', { origin: server.url, ...auth }, 'POST', '{}')
    expect(same.status).toBe(200)
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${TOKEN}`], { origin: 'http://evil.example' })
    expect(await upgradeStatus(ws)).toBe(403)
    const good = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${TOKEN}`], { origin: server.url })
    expect(await upgradeStatus(good)).toBe(101)
    good.close()
  })
})

describe('failed token attempts', () => {
  const policy = { ...DEFAULT_FAILED_AUTH_POLICY, freeFailures: 5, baseDelayMs: 2_000, maxAddresses: 100 }
  let guesses = 0
  /** A new wrong token each time, as a guesser sends. */
  const guess = (): Record<string, string> => ({ authorization: `Bearer wrong-${(guesses += 1)}` })

  it('makes an address wait after its free failures, even with the right token, and tells it how long', async () => {
    const server = await start({ failedAuth: policy })
    for (let i = 0; i < 5; i += 1) {
      expect((await raw(server.url, '/api/accounts:list', guess(), 'POST', '{}')).status).toBe(401)
    }
    const sixth = await raw(server.url, '/api/accounts:list', guess(), 'POST', '{}')
    expect(sixth.status).toBe(401)
    const blocked = await raw(server.url, '/api/accounts:list', auth, 'POST', '{}')
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(blocked.text)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  it('slows a stale token sent again and again, not the other clients at its address', async () => {
    const server = await start({ failedAuth: policy })
    const stale = { authorization: 'Bearer a-revoked-token-retrying' }
    const statuses: number[] = []
    for (let i = 0; i < 12; i += 1) statuses.push((await raw(server.url, '/api/accounts:list', stale, 'POST', '{}')).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.at(-1)).toBe(429)
    const refused = await raw(server.url, '/api/accounts:list', stale, 'POST', '{}')
    expect(JSON.parse(refused.text)).toMatchObject({ error: { message: expect.stringMatching(/This API token was refused too often/) } })
    expect((await raw(server.url, '/api/accounts:list', auth, 'POST', '{}')).status).toBe(200)
  })

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const untrusted = await start({ failedAuth: policy })
    for (let i = 0; i < 6; i += 1) {
      await raw(untrusted.url, '/api/accounts:list', { ...guess(), 'x-forwarded-for': `10.0.0.${i}` }, 'POST', '{}')
    }
    // Each request named another client, but the peer is not a proxy: all six count against 127.0.0.1.
    expect((await raw(untrusted.url, '/api/accounts:list', { ...auth, 'x-forwarded-for': '10.0.0.99' }, 'POST', '{}')).status).toBe(429)

    const proxied = await start({ failedAuth: policy, trustedProxies: ['127.0.0.1'] })
    for (let i = 0; i < 6; i += 1) {
      await raw(proxied.url, '/api/accounts:list', { ...guess(), 'x-forwarded-for': '203.0.113.7' }, 'POST', '{}')
    }
    expect((await raw(proxied.url, '/api/accounts:list', { ...auth, 'x-forwarded-for': '203.0.113.7' }, 'POST', '{}')).status).toBe(429)
    // A forged left-most entry does not help: the proxy appended the real client last.
    expect((await raw(proxied.url, '/api/accounts:list', { ...auth, 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }, 'POST', '{}')).status).toBe(429)
    expect((await raw(proxied.url, '/api/accounts:list', { ...auth, 'x-forwarded-for': '198.51.100.2' }, 'POST', '{}')).status).toBe(200)
  })

  it('counts wrong tokens on the event socket too', async () => {
    const server = await start({ failedAuth: policy })
    for (let i = 0; i < 6; i += 1) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.wrong-${i}`])
      expect(await upgradeStatus(ws)).toBe(401)
    }
    const right = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${TOKEN}`])
    expect(await upgradeStatus(right)).toBe(429)
  })

  it('compares no more than the server budget of guesses sent from hundreds of loopback addresses, and keeps serving a client at work', async () => {
    // The default policy: 100 first failures a minute for the whole server.
    const server = await start()
    const { port } = new URL(server.url)
    // The client at work has used its token before the flood.
    expect((await fromAddress(port, '127.0.0.1', TOKEN)).status).toBe(200)
    const addresses = Array.from({ length: 500 }, (_, i) => `127.${1 + (i >> 8)}.${(i >> 4) & 15}.${1 + (i & 15)}`)
    const counts = new Map<number, number>()
    const started = performance.now()
    let sent = 0
    const sender = async (lane: number): Promise<void> => {
      for (let round = 0; round < 8; round += 1) {
        const { status } = await fromAddress(port, addresses[(lane * 8 + round) % addresses.length]!, `guess-${lane}-${round}`)
        counts.set(status, (counts.get(status) ?? 0) + 1)
        sent += 1
      }
    }
    const flood = Promise.all(Array.from({ length: 250 }, (_, lane) => sender(lane)))
    // While the flood runs, the client at work is answered.
    const during = await fromAddress(port, '127.0.0.1', TOKEN)
    await flood
    const seconds = (performance.now() - started) / 1000
    const compared = counts.get(401) ?? 0
    console.log(`token guessing: ${sent} guesses from ${addresses.length} addresses in ${seconds.toFixed(1)} s; ${compared} compared (${(compared / seconds).toFixed(0)}/s), ${counts.get(429) ?? 0} refused unread`)
    expect(during.status).toBe(200)
    expect([...counts.keys()].sort()).toEqual([401, 429])
    // 100 free, plus what refills while the flood lasts (100 a minute).
    expect(compared).toBeLessThanOrEqual(100 + Math.ceil((seconds * 100) / 60))
    // With the budget spent: the client at work still gets in; a new address is refused before its token
    // is compared, and told when to come back.
    expect((await fromAddress(port, '127.0.0.1', TOKEN)).status).toBe(200)
    const late = await fromAddress(port, '127.200.0.1', 'guess-late')
    expect(late.status).toBe(429)
    expect(JSON.parse(late.text)).toMatchObject({ error: { message: expect.stringMatching(/Too many wrong API tokens have reached this server/) } })
  }, 60_000)
})

/** A POST from a chosen loopback source address (all of 127.0.0.0/8 reaches the server on Linux). */
function fromAddress(port: string, localAddress: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/accounts:list', method: 'POST', localAddress, agent: false, headers: { authorization: `Bearer ${token}`, host: `127.0.0.1:${port}` } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end('{}')
  })
}

describe('bounded resources', () => {
  it('holds at most the budget of large bodies at once and answers the rest 503 with Retry-After', async () => {
    const large = new Map([['transfer:import', 4 * 1024 * 1024]])
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let entered!: () => void
    const importing = new Promise<void>((r) => (entered = r))
    const server = await start({
      largeBodyCommands: large,
      largeBodyBudgetBytes: 4 * 1024 * 1024,
      dispatch: async (command) => {
        if (command === 'transfer:import') {
          entered()
          await held
        }
        return { ok: true, value: null }
      },
    })
    const body = JSON.stringify({ bundle: 'A'.repeat(3 * 1024 * 1024) })
    const first = raw(server.url, '/api/transfer:import', { ...auth, 'content-type': 'application/json' }, 'POST', body)
    // The first is being imported (held in the dispatch) when the second arrives.
    await importing
    const second = await raw(server.url, '/api/transfer:import', { ...auth, 'content-type': 'application/json' }, 'POST', body)
    expect(second.status).toBe(503)
    expect(second.headers['retry-after']).toBe('5')
    // Small commands are not held back by the budget.
    expect((await raw(server.url, '/api/accounts:list', auth, 'POST', '{}')).status).toBe(200)
    release()
    expect((await first).status).toBe(200)
    const third = await raw(server.url, '/api/transfer:import', { ...auth, 'content-type': 'application/json' }, 'POST', body)
    expect(third.status).toBe(200)
  }, 20_000)

  it('closes connections beyond the cap and serves again once they are gone', async () => {
    const server = await start({ maxConnections: 4 })
    const { port } = new URL(server.url)
    const idle: Socket[] = []
    for (let i = 0; i < 4; i += 1) {
      const s = connect(Number(port), '127.0.0.1')
      await new Promise((r) => s.once('connect', r))
      idle.push(s)
    }
    const extra = connect(Number(port), '127.0.0.1')
    extra.on('error', () => undefined)
    await new Promise((r) => extra.once('close', r))
    for (const s of idle) s.destroy()
    await waitFor(async () => (await raw(server.url, '/', {}).catch(() => ({ status: 0 }))).status === 200)
  })

  it('caps event sockets that have not authenticated yet', async () => {
    const server = await start({ maxPendingEventSockets: 3 })
    const url = `${server.url.replace('http', 'ws')}/api/events`
    const waiting = Array.from({ length: 3 }, () => new WebSocket(url, ['irish.v1']))
    expect(await Promise.all(waiting.map(upgradeStatus))).toEqual([101, 101, 101])
    expect(await upgradeStatus(new WebSocket(url, ['irish.v1']))).toBe(503)
    // With the token, a client still gets in.
    const authed = new WebSocket(url, ['irish.v1', `bearer.${TOKEN}`])
    expect(await upgradeStatus(authed)).toBe(101)
    for (const ws of [...waiting, authed]) ws.close()
  })
})

/** A request that keeps the raw bytes, so a compressed body can be checked byte for byte. */
function rawBytes(url: string, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('compression', () => {
  const script = 'console.log(1)\n'.repeat(2000)

  it('serves a script as brotli or gzip by Accept-Encoding, and as it is to a client that takes neither', async () => {
    const server = await start()
    const br = await rawBytes(server.url, '/assets/app.js', { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('Accept-Encoding')
    expect(Number(br.headers['content-length'])).toBe(br.bytes.length)
    expect(br.bytes.length).toBeLessThan(script.length / 20)
    expect(brotliDecompressSync(br.bytes).toString()).toBe(script)

    const gz = await rawBytes(server.url, '/assets/app.js', { 'accept-encoding': 'gzip;q=1, br;q=0.5' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.bytes).toString()).toBe(script)

    for (const refused of ['identity', 'br;q=0, gzip;q=0', '']) {
      const plain = await rawBytes(server.url, '/assets/app.js', { 'accept-encoding': refused })
      expect(plain.headers['content-encoding']).toBeUndefined()
      expect(plain.bytes.toString()).toBe(script)
    }
    const head = await rawBytes(server.url, '/assets/app.js', { 'accept-encoding': 'br' }, 'HEAD')
    expect(head.headers['content-encoding']).toBe('br')
    expect(head.bytes.length).toBe(0)
  })

  it('compresses a file again once it changes, and leaves small files alone', async () => {
    const server = await start()
    const file = join(ui, 'assets', 'changing.css')
    writeFileSync(file, 'a{color:red}\n'.repeat(500))
    const first = await rawBytes(server.url, '/assets/changing.css', { 'accept-encoding': 'br' })
    expect(brotliDecompressSync(first.bytes).toString()).toBe('a{color:red}\n'.repeat(500))
    writeFileSync(file, 'b{color:blue}\n'.repeat(400))
    const second = await rawBytes(server.url, '/assets/changing.css', { 'accept-encoding': 'br' })
    expect(brotliDecompressSync(second.bytes).toString()).toBe('b{color:blue}\n'.repeat(400))
    const small = await rawBytes(server.url, '/index.html', { 'accept-encoding': 'br' })
    expect(small.headers['content-encoding']).toBeUndefined()
  })

  it('compresses JSON answers over 1 KiB, never smaller ones', async () => {
    const big = Array.from({ length: 200 }, (_, i) => ({ id: `acc-${i}`, label: `Account ${i}`, status: 'connected' }))
    const server = await start({ dispatch: async (command) => ({ ok: true, value: command === 'accounts:list' ? big : { small: true } }) })
    const list = await rawBytes(server.url, '/api/accounts:list', { ...auth, 'accept-encoding': 'br, gzip', 'content-type': 'application/json' }, 'POST', '{}')
    expect(list.headers['content-encoding']).toBe('br')
    expect(JSON.parse(brotliDecompressSync(list.bytes).toString())).toEqual({ ok: true, value: big })
    const gz = await rawBytes(server.url, '/api/accounts:list', { ...auth, 'accept-encoding': 'gzip', 'content-type': 'application/json' }, 'POST', '{}')
    expect(JSON.parse(gunzipSync(gz.bytes).toString())).toEqual({ ok: true, value: big })
    const small = await rawBytes(server.url, '/api/settings:get', { ...auth, 'accept-encoding': 'br', 'content-type': 'application/json' }, 'POST', '{}')
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(small.bytes.toString())).toEqual({ ok: true, value: { small: true } })
  })

  it('reads Accept-Encoding as RFC 9110 says: q-values, a wildcard, and q=0 refusing', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br')
    expect(pickEncoding('gzip')).toBe('gzip')
    expect(pickEncoding('br;q=0.2, gzip;q=0.8')).toBe('gzip')
    expect(pickEncoding('*')).toBe('br')
    expect(pickEncoding('*;q=0.5, br;q=0')).toBe('gzip')
    expect(pickEncoding('identity')).toBeNull()
    expect(pickEncoding(undefined)).toBeNull()
    expect(pickEncoding('gzip;q=0')).toBeNull()
  })
})

function upgradeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.once('upgrade', (res) => resolve(res.statusCode ?? 0))
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', () => undefined)
  })
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a limit with a known end', () => {
  it('answers rate-limited with 429 and Retry-After in whole seconds until the end', async () => {
    const retryAt = Date.now() + 90_000
    const limited: Dispatch = async () => ({ ok: false, error: { code: 'rate-limited', message: 'Limited until later.', retryAt } })
    const server = await start({ dispatch: limited })
    const response = await fetch(`${server.url}/api/accounts:send-text`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'acc-x', to: '+15550001111', text: 'hi' }),
    })
    expect(response.status).toBe(429)
    const seconds = Number(response.headers.get('retry-after'))
    expect(seconds).toBeGreaterThanOrEqual(89)
    expect(seconds).toBeLessThanOrEqual(90)
    expect(await response.json()).toEqual({ ok: false, error: { code: 'rate-limited', message: 'Limited until later.', retryAt } })
  })
})

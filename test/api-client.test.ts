// The one API client (src/shared/api-client.ts) against small real HTTP servers on 127.0.0.1 that answer
// as an Irish server, a proxy or a broken program would: the output comes back checked, a refusal keeps
// the server's own code and message, and every way of not answering becomes `unavailable` naming the
// server, never a raw fetch error. The client's users (CLI, export to a server, fleet forwarding, the
// browser transport) run their own suites through it.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiRefusedError, ApiUnavailableError, createApiClient } from '../src/shared/api-client'
import { CLIENT_HEADER } from '../src/shared/channels'
import { AppError } from '../src/shared/errors'

const servers: Server[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((done) => server.close(() => done()))))
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => handler(req, res, body))
  })
  servers.push(server)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((done) => server.close(() => done()))
  return `http://127.0.0.1:${port}`
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('createApiClient', () => {
  it('posts the input with the token in the header (never the URL) and returns the output as the contract reads it', async () => {
    const seen: Array<{ url: string | undefined; auth: string | undefined; client: string | string[] | undefined; body: string }> = []
    const base = await serve((req, res, body) => {
      seen.push({ url: req.url, auth: req.headers.authorization, client: req.headers[CLIENT_HEADER], body })
      json(res, 200, { ok: true, value: { instanceId: 'abc', extra: 'dropped by the contract' } })
    })
    const client = createApiClient({ baseUrl: `${base}/`, token: 's3cret-token', client: 'cli' })
    expect(await client.call('transfer:identity', {})).toEqual({ instanceId: 'abc' })
    expect(seen).toEqual([{ url: '/api/transfer:identity', auth: 'Bearer s3cret-token', client: 'cli', body: '{}' }])
  })

  it("a refusal keeps the server's code, message and HTTP status", async () => {
    const base = await serve((_req, res) => json(res, 409, { ok: false, error: { code: 'conflict', message: 'Already running.' } }))
    const error = await failure(createApiClient({ baseUrl: base, token: 't' }).call('accounts:start', { id: 'acc-1' }))
    expect(error).toBeInstanceOf(ApiRefusedError)
    expect(error).toMatchObject({ code: 'conflict', message: 'Already running.', status: 409 })
  })

  it('a server that is not running is unavailable, named, and certainly never reached', async () => {
    const base = await closedPort()
    const error = await failure(createApiClient({ baseUrl: base, token: 't', name: 'Server srv-9' }).call('accounts:list', {}))
    expect(error).toBeInstanceOf(ApiUnavailableError)
    expect(error).toMatchObject({ code: 'unavailable', reason: 'unreachable', mayHaveArrived: false })
    expect(error.message).toBe('Server srv-9 cannot be reached (connection refused: is it running, on that port?).')
  })

  it('a server that takes too long is unavailable after the timeout, and the request may have arrived', async () => {
    const base = await serve(() => {
      // Never answers; the client gives up.
    })
    const error = await failure(createApiClient({ baseUrl: base, token: 't' }).call('accounts:list', {}, { timeoutMs: 200 }))
    expect(error).toMatchObject({ code: 'unavailable', reason: 'timeout', mayHaveArrived: true })
    expect(error.message).toBe(`${base} did not answer within 0.2 s.`)
  })

  it('a connection broken before the answer is unavailable, and the request may have arrived', async () => {
    const base = await serve((req) => req.socket.destroy())
    const error = await failure(createApiClient({ baseUrl: base, token: 't' }).call('accounts:list', {}))
    expect(error).toMatchObject({ code: 'unavailable', reason: 'interrupted', mayHaveArrived: true })
    expect(error.message).toMatch(new RegExp(`^${base.replace(/\./g, '\\.')} `))
    expect(error.message).not.toMatch(/fetch failed/)
  })

  it("a proxy's error page is unavailable with its status; its 401 still means the token was refused", async () => {
    const page = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html>Bad gateway</html>')
    })
    expect(await failure(createApiClient({ baseUrl: page, token: 't' }).call('accounts:list', {}))).toMatchObject({
      code: 'unavailable',
      reason: 'not-irish',
      status: 502,
      message: `${page} did not answer like an Irish server (HTTP 502).`,
    })
    const guard = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' })
      res.end('no')
    })
    expect(await failure(createApiClient({ baseUrl: guard, token: 't' }).call('accounts:list', {}))).toMatchObject({ code: 'unauthorized', status: 401 })
  })

  it('an answer the contract does not allow is unavailable, not passed on', async () => {
    const base = await serve((_req, res) => json(res, 200, { ok: true, value: [{ id: 'NOT AN ID' }] }))
    const error = await failure(createApiClient({ baseUrl: base, token: 't' }).call('accounts:list', {}))
    expect(error).toMatchObject({ code: 'unavailable', reason: 'off-contract' })
    expect(error.message).toMatch(/answered accounts:list with something this version does not understand/)
  })

  it('does not follow a redirect, which could carry the token elsewhere', async () => {
    let reached = 0
    const elsewhere = await serve((_req, res) => {
      reached += 1
      json(res, 200, { ok: true, value: [] })
    })
    const base = await serve((_req, res) => {
      res.writeHead(307, { location: `${elsewhere}/api/accounts:list` })
      res.end()
    })
    const error = await failure(createApiClient({ baseUrl: base, token: 't' }).call('accounts:list', {}))
    expect(error).toMatchObject({ code: 'unavailable', reason: 'not-irish' })
    expect(error.message).toMatch(/a redirect, which is not followed/)
    expect(reached).toBe(0)
  })

  it('uses the fetch it is given', async () => {
    const calls: string[] = []
    const fake: typeof fetch = async (url) => {
      calls.push(String(url))
      return new Response(JSON.stringify({ ok: true, value: { done: true } }), { status: 200 })
    }
    expect(await createApiClient({ baseUrl: 'https://irish.example', token: 't', fetch: fake }).call('accounts:remove', { id: 'acc-1' })).toEqual({ done: true })
    expect(calls).toEqual(['https://irish.example/api/accounts:remove'])
  })
})

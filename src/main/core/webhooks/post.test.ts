// One webhook POST against real HTTP receivers on 127.0.0.1: an answer from this machine (or a private
// network) is never kept, only its status and timing; no answer is read past 1 KiB. Every receiver here
// is on loopback, so the case of a public receiver is had by telling the poster to treat loopback as
// public (the one seam, `keepsAnswer`).

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPoster, keepsAnswerFrom, RESPONSE_PREVIEW_BYTES, type Poster } from './post'

const servers: Server[] = []
const posters: Poster[] = []

afterEach(async () => {
  for (const poster of posters.splice(0)) poster.close()
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  }
})

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
}

function poster(keepsAnswer?: (address: string | undefined) => boolean): Poster {
  const created = createPoster({ timeoutMs: 30_000, allowPrivate: false, maxSocketsPerHost: 4, ...(keepsAnswer ? { keepsAnswer } : {}) })
  posters.push(created)
  return created
}

describe('what is kept of an answer', () => {
  it('keeps only the status and timing of an answer from this machine', async () => {
    const url = await serve((req, res) => {
      req.resume()
      req.on('end', () => res.writeHead(403, { 'content-type': 'text/plain' }).end('{"db_password":"hunter2"}'))
    })
    const outcome = await poster().post(url, {}, '{}')
    expect(outcome).toMatchObject({ ok: false, statusCode: 403, error: 'HTTP 403', response: null })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('keeps the first 1 KiB of an answer from a public address', async () => {
    const url = await serve((req, res) => {
      req.resume()
      req.on('end', () => res.writeHead(200).end('a'.repeat(RESPONSE_PREVIEW_BYTES) + 'b'.repeat(1000)))
    })
    const outcome = await poster(() => true).post(url, {}, '{}')
    expect(outcome).toMatchObject({ ok: true, statusCode: 200, error: null, response: 'a'.repeat(RESPONSE_PREVIEW_BYTES) })
  })

  it('judges the connected address: public ones are kept, this machine and private networks are not', () => {
    expect(keepsAnswerFrom('8.8.8.8')).toBe(true)
    expect(keepsAnswerFrom('2606:4700::1111')).toBe(true)
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '::ffff:192.168.1.1', 'fd00::1', '169.254.169.254', undefined]) {
      expect(keepsAnswerFrom(address)).toBe(false)
    }
  })
})

describe('how much of an answer is read', () => {
  it('stops reading a 512 MB answer after 1 KiB, keeping or not', async () => {
    for (const keep of [true, false]) {
      let written = 0
      let closed!: () => void
      const gone = new Promise<void>((resolve) => (closed = resolve))
      const chunk = Buffer.alloc(64 * 1024, 'x')
      const url = await serve((req, res) => {
        req.resume()
        req.on('end', () => {
          res.writeHead(200, { 'content-length': String(512 * 2 ** 20) })
          res.on('close', closed)
          const pump = (): void => {
            while (written < 512 * 2 ** 20 && !res.destroyed) {
              written += chunk.length
              if (!res.write(chunk)) return void res.once('drain', pump)
            }
            res.end()
          }
          pump()
        })
      })
      const outcome = await poster(() => keep).post(url, {}, '{}')
      expect(outcome).toMatchObject({ ok: true, statusCode: 200 })
      expect(outcome.response).toBe(keep ? 'x'.repeat(RESPONSE_PREVIEW_BYTES) : null)
      await gone
      // What the kernel's socket buffers took before the client closed, not the 512 MB.
      expect(written).toBeLessThan(32 * 2 ** 20)
    }
  })
})

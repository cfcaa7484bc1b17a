// Tests only: a webhook receiver on 127.0.0.1 that records what arrives and answers as told (a status,
// or never). It checks the signature the way docs/webhooks.md tells receivers to. Stopped by the test that
// started it (close() also drops requests it left hanging).

import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifySignature } from '../../src/main/core/webhooks/signing'

export interface Received {
  /** The request's path and query string. */
  path: string
  event: string
  delivery: string
  signature: string | undefined
  raw: string
  body: { id: string; event: string; account: string | null; timestamp: number; occurredAt: number; data: unknown }
  at: number
}

export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** Resolves with the first request (already received or future) that matches. */
  next(match: (r: Received) => boolean, timeoutMs?: number): Promise<Received>
  /** Resolves once `count` requests match. */
  count(match: (r: Received) => boolean, count: number, timeoutMs?: number): Promise<Received[]>
  verify(r: Received, secret: string): boolean
  close(): Promise<void>
}

/** 'hang' never answers (the slow endpoint). */
export type Answer = number | 'hang'

export async function startReceiver(answer: (r: Received, req: IncomingMessage) => Answer = () => 200, port = 0): Promise<Receiver> {
  const received: Received[] = []
  const waiters = new Set<() => void>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const r: Received = {
        path: req.url ?? '',
        event: String(req.headers['x-irish-event']),
        delivery: String(req.headers['x-irish-delivery']),
        signature: req.headers['x-irish-signature'] as string | undefined,
        raw,
        body: JSON.parse(raw) as Received['body'],
        at: Date.now(),
      }
      received.push(r)
      for (const wake of [...waiters]) wake()
      const status = answer(r, req)
      if (status === 'hang') return
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : 'try later')
    })
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const bound = (server.address() as AddressInfo).port

  function count(match: (r: Received) => boolean, n: number, timeoutMs = 15_000): Promise<Received[]> {
    return new Promise((resolve, reject) => {
      // Looks only at what arrived since the last look (a benchmark waits for tens of thousands), and
      // from the start again if the caller emptied `received`.
      let hits: Received[] = []
      let seen = 0
      const check = (): boolean => {
        if (received.length < seen) {
          hits = []
          seen = 0
        }
        for (; seen < received.length; seen += 1) if (match(received[seen]!)) hits.push(received[seen]!)
        if (hits.length < n) return false
        clearTimeout(timer)
        waiters.delete(wake)
        resolve(hits)
        return true
      }
      const wake = (): void => void check()
      const timer = setTimeout(() => {
        waiters.delete(wake)
        reject(new Error(`receiver: ${received.filter(match).length} of ${n} matching requests within ${timeoutMs} ms (${received.length} in all)`))
      }, timeoutMs)
      if (!check()) waiters.add(wake)
    })
  }

  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    count,
    next: async (match, timeoutMs) => (await count(match, 1, timeoutMs))[0]!,
    verify: (r, secret) => verifySignature(secret, r.raw, r.signature),
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

// Eight clients send the import command a body of ~89 MB each at the same moment (the largest a bundle
// may be, as base64 in JSON). The server holds at most one such body at a time (its large-body budget)
// and answers the others 503 with Retry-After, so its peak memory stays under a stated bound instead of
// growing ~90 MB per request (1.2 GiB with eight, before the budget). A real server process.

import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_BUNDLE_BASE64_CHARS } from '../src/shared/policy'
import { processMemory } from './support/proc-memory'
import { newDataKey, startServerProcess } from './support/server-process'

/** The stated bound for the server's peak resident memory (VmHWM) through the whole burst. */
const PEAK_RSS_BOUND_MIB = 768

const root = mkdtempSync(join(tmpdir(), 'irish-import-mem-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function post(url: string, token: string, body: Buffer): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/api/transfer:import`,
      { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }))
      },
    )
    // A refused body is cut off by the server mid-upload: the answer, not the write, is the outcome.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)))
    req.end(body)
  })
}

describe('concurrent large import bodies', () => {
  it(`keep the server under ${PEAK_RSS_BOUND_MIB} MiB, with the overflow told to retry`, async () => {
    const server = await startServerProcess({ dataDir: mkdtempSync(join(root, 'd-')), dataKey: newDataKey() })
    try {
      const before = processMemory(server.child.pid!).peakMiB
      // Valid JSON and base64 of the largest bundle (64 MiB): the server must read it all to judge it.
      const head = Buffer.from('{"passphrase":"x","bundle":"')
      const body = Buffer.alloc(head.length + MAX_BUNDLE_BASE64_CHARS - 4 + 2, 'A')
      head.copy(body, 0)
      Buffer.from('"}').copy(body, body.length - 2)
      const filler = body.length
      const results = await Promise.all(Array.from({ length: 8 }, () => post(server.url, server.token, body)))
      const peak = processMemory(server.child.pid!).peakMiB
      console.log(`import burst: 8 × ${(filler / 1e6).toFixed(1)} MB; peak RSS ${peak.toFixed(0)} MiB (before ${before.toFixed(0)} MiB, bound ${PEAK_RSS_BOUND_MIB} MiB); answers ${results.map((r) => r.status).join(' ')}`)
      // Each admitted body is judged (not a bundle: 400); the rest are told to come back.
      for (const r of results) expect([400, 503]).toContain(r.status)
      expect(results.some((r) => r.status === 400)).toBe(true)
      expect(results.filter((r) => r.status === 503).every((r) => r.retryAfter === '5')).toBe(true)
      expect(peak).toBeLessThan(PEAK_RSS_BOUND_MIB)
      expect((await server.call('accounts:list')).status).toBe(200)
    } finally {
      await server.stop()
    }
  }, 120_000)
})

// One HTTP POST of a webhook delivery, with a hard timeout and a guarded DNS lookup. Never throws:
// every outcome (2xx, another status, timeout, refused connection) comes back as a value.
// Main process, Electron-free. Never logs the body or the headers (the signature is derived from the secret).
//
// An answer is read up to RESPONSE_PREVIEW_BYTES and no further (the connection is closed past that), and
// its text is kept for the deliveries view only when it came from a public address. From this machine or
// a private network only the status and the timing are kept: otherwise whoever holds the API token could
// aim a webhook at any local service (a database's HTTP port, a cloud metadata endpoint reached with
// --webhooks-allow-private) and read its answers through webhooks:deliveries.

import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { addressScope, guardedLookup } from './url-policy'

/** The most of an answer that is read, and kept for the deliveries view. */
export const RESPONSE_PREVIEW_BYTES = 1024

/** Whether an answer from the address a request connected to may be kept: public addresses only. */
export function keepsAnswerFrom(remoteAddress: string | undefined): boolean {
  return remoteAddress !== undefined && addressScope(remoteAddress) === 'public'
}

export interface PostOutcome {
  ok: boolean
  statusCode: number | null
  error: string | null
  response: string | null
  durationMs: number
}

export interface Poster {
  post(url: string, headers: Record<string, string>, body: string): Promise<PostOutcome>
  /** Aborts every request in flight (their rows stay pending and go out again after a restart). */
  close(): void
}

export interface PosterOptions {
  timeoutMs: number
  allowPrivate: boolean
  maxSocketsPerHost: number
  /** Which connected addresses' answers are kept (default keepsAnswerFrom); tests pretend a loopback receiver is public. */
  keepsAnswer?: (remoteAddress: string | undefined) => boolean
}

export function createPoster(options: PosterOptions): Poster {
  const keepsAnswer = options.keepsAnswer ?? keepsAnswerFrom
  // Keep-alive: a busy endpoint gets its events over a few reused connections, not one TLS handshake each.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost, lookup: guardedLookup(options.allowPrivate) }
  const http = new HttpAgent(agentOptions)
  const https = new HttpsAgent(agentOptions)
  const inFlight = new Set<() => void>()

  return {
    post(url, headers, body) {
      const started = performance.now()
      const target = new URL(url)
      const secure = target.protocol === 'https:'
      return new Promise<PostOutcome>((resolve) => {
        let settled = false
        const finish = (outcome: Omit<PostOutcome, 'durationMs'>): void => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          inFlight.delete(abort)
          resolve({ ...outcome, durationMs: Math.round(performance.now() - started) })
        }
        const req = (secure ? httpsRequest : httpRequest)(
          target,
          {
            method: 'POST',
            agent: secure ? https : http,
            headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'irish-webhooks/1' },
          },
          (res) => {
            const status = res.statusCode ?? 0
            const keep = keepsAnswer(res.socket?.remoteAddress)
            const chunks: Buffer[] = []
            let read = 0
            const answered = (): void => {
              const response = keep ? Buffer.concat(chunks).subarray(0, RESPONSE_PREVIEW_BYTES).toString('utf8') : null
              finish({ ok: status >= 200 && status < 300, statusCode: status, error: status >= 200 && status < 300 ? null : `HTTP ${status}`, response })
            }
            res.on('data', (chunk: Buffer) => {
              read += chunk.length
              if (keep) chunks.push(chunk)
              if (read > RESPONSE_PREVIEW_BYTES) {
                // Enough: the rest is never read (a receiver answering 500 MB costs one chunk), and the
                // connection goes rather than back to the pool with an answer still arriving.
                answered()
                res.destroy()
              }
            })
            res.on('end', answered)
            res.on('error', (err) => finish({ ok: false, statusCode: res.statusCode ?? null, error: describe(err), response: null }))
          },
        )
        const abort = (): void => {
          req.destroy(new Error('the server is stopping'))
        }
        inFlight.add(abort)
        const timer = setTimeout(() => {
          finish({ ok: false, statusCode: null, error: `no answer within ${Math.round(options.timeoutMs / 1000)} s`, response: null })
          req.destroy()
        }, options.timeoutMs)
        req.on('error', (err) => finish({ ok: false, statusCode: null, error: describe(err), response: null }))
        req.end(body)
      })
    },
    close() {
      for (const abort of [...inFlight]) abort()
      http.destroy()
      https.destroy()
    },
  }
}

/** A short reason for the deliveries view: the error code and message, no stack. */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string }
  const message = e.message ?? String(err)
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message
}

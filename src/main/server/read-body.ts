// Reads a request body for the headless server under three bounds: a size limit, a shared byte budget
// for large bodies (session bundles), and time (a body that stalls or trickles is given up within
// seconds, so slow clients cannot hold connections and memory). Node only.

import type { IncomingMessage } from 'node:http'
import type { ByteBudget } from './limits'

export interface BodyTimeouts {
  /** No byte for this long: the body is given up. */
  idleMs: number
  /** After `graceMs`, the body must have arrived at `minBytesPerSecond` on average. */
  graceMs: number
  minBytesPerSecond: number
}

// 8 KiB/s is far below any real link (a 64 MiB bundle needs ~750 KB/s to fit the 120 s request limit)
// and far above a slow-loris trickle.
export const DEFAULT_BODY_TIMEOUTS: BodyTimeouts = { idleMs: 10_000, graceMs: 5_000, minBytesPerSecond: 8 * 1024 }

export type BodyOutcome =
  | { kind: 'ok'; bytes: Buffer; release(): void }
  | { kind: 'too-large' | 'too-slow' | 'busy' | 'aborted'; release(): void }

export interface ReadBodyOptions {
  limit: number
  timeouts: BodyTimeouts
  /** When given, the body's bytes are reserved from it until `release()`. */
  budget?: ByteBudget
}

export function readBody(req: IncomingMessage, { limit, timeouts, budget }: ReadBodyOptions): Promise<BodyOutcome> {
  let reserved = 0
  const release = (): void => {
    budget?.release(reserved)
    reserved = 0
  }
  const reserve = (bytes: number): boolean => {
    if (!budget) return true
    if (!budget.tryReserve(bytes)) return false
    reserved += bytes
    return true
  }
  const header = req.headers['content-length']
  const declared = header === undefined ? null : Number(header)
  if (declared !== null && (!Number.isSafeInteger(declared) || declared > limit)) return Promise.resolve({ kind: 'too-large', release })
  if (declared !== null && !reserve(declared)) return Promise.resolve({ kind: 'busy', release })

  return new Promise((resolve) => {
    // With a declared length the body goes straight into one buffer: no chunk list and concat copy.
    const whole = declared !== null ? Buffer.allocUnsafe(declared) : null
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const started = Date.now()

    const finish = (outcome: BodyOutcome): void => {
      if (settled) return
      settled = true
      clearInterval(watchdog)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onAbort)
      req.off('close', onClose)
      // Keep the stream flowing into nothing so a late chunk cannot pile up in its buffer.
      req.on('error', () => undefined)
      if (outcome.kind !== 'ok') req.resume()
      resolve(outcome)
    }
    let lastData = started
    const watchdog = setInterval(() => {
      const now = Date.now()
      const elapsed = now - started
      const tooSlow = elapsed > timeouts.graceMs && (size * 1000) / elapsed < timeouts.minBytesPerSecond
      if (now - lastData > timeouts.idleMs || tooSlow) finish({ kind: 'too-slow', release })
    }, Math.min(500, timeouts.idleMs, timeouts.graceMs))

    const onData = (chunk: Buffer): void => {
      lastData = Date.now()
      if (size + chunk.length > limit) {
        finish({ kind: 'too-large', release })
        return
      }
      if (whole) {
        chunk.copy(whole, size)
      } else {
        if (!reserve(chunk.length)) {
          finish({ kind: 'busy', release })
          return
        }
        chunks.push(chunk)
      }
      size += chunk.length
    }
    const onEnd = (): void => {
      const bytes = whole ? whole.subarray(0, size) : Buffer.concat(chunks)
      chunks.length = 0
      finish({ kind: 'ok', bytes, release })
    }
    const onAbort = (): void => finish({ kind: 'aborted', release })
    const onClose = (): void => {
      if (!req.complete) onAbort()
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onAbort)
    req.on('close', onClose)
  })
}

// Resource bounds for the headless server: how many bytes of large request bodies may be held at once,
// and which address a request comes from (failed-auth.ts counts wrong tokens by it). Node only.

import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/**
 * A budget of bytes that large request bodies (session bundles) may hold at once. A body reserves its
 * declared length before it is read (or its chunks as they arrive); past the budget it is refused with a
 * retry hint instead of growing memory until the process dies.
 */
export class ByteBudget {
  private used = 0

  constructor(readonly capacity: number) {}

  tryReserve(bytes: number): boolean {
    if (bytes < 0 || this.used + bytes > this.capacity) return false
    this.used += bytes
    return true
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }

  get inUse(): number {
    return this.used
  }
}

/**
 * The address a request comes from. `X-Forwarded-For` is believed only when the connection itself comes
 * from a configured proxy, and then the rightmost address that is not a trusted proxy is the client
 * (everything to its left was written by the client and may be forged).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown')
  if (!trustedProxies.has(peer)) return peer
  const header = req.headers['x-forwarded-for']
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => normalizeAddress(part.trim()))
    .filter((part) => isIP(part) !== 0)
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const hop = chain[i]!
    if (!trustedProxies.has(hop)) return hop
  }
  return peer
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

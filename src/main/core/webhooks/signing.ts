// The webhook signature: `sha256=<hex of HMAC-SHA256(secret, raw body)>` in x-irish-signature.
// Main process, Electron-free. docs/webhooks.md shows a receiver's check in a few lines of Node.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { WEBHOOK_HEADERS } from '../../../shared/contract'

export const SIGNATURE_HEADER = WEBHOOK_HEADERS.signature
export const EVENT_HEADER = WEBHOOK_HEADERS.event
export const DELIVERY_HEADER = WEBHOOK_HEADERS.delivery

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** What a receiver does: recompute and compare in constant time. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false
  const expected = Buffer.from(sign(secret, body))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** 32 random bytes: as strong as the HMAC key can use. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

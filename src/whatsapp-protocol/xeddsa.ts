// Main process, Electron-free. Verification of the XEdDSA-style signatures Baileys and libsignal make with X25519 keys, using
// Node's Ed25519. Needed because Baileys rc14's Curve.verify ignores libsignal's boolean result and
// so reports every well-formed signature as valid; the simulator must not inherit that.
//
// Cost matters: every connect checks the server's certificate chain (two signatures), and a mass
// reconnect does that thousands of times. The field inversion is an extended Euclid (a third of
// Fermat's 255 squarings), and a signature already found valid is remembered: verification is a pure
// function of (key, message, signature), so the same chain presented again verifies again without the
// curve work. Only valid results are kept, by their exact bytes, in a small bounded map.

import { createPublicKey, verify } from 'node:crypto'

/** The field prime of Curve25519 and Ed25519, 2^255 - 19. */
export const P = (1n << 255n) - 19n
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * The inverse of `a` modulo P (extended Euclid), and 0 for 0 (as Fermat's a^(P-2) gives, so a key that
 * maps to no point still fails verification rather than throwing).
 */
export function invertModP(a: bigint): bigint {
  let r0 = P
  let r1 = ((a % P) + P) % P
  let t0 = 0n
  let t1 = 1n
  while (r1 !== 0n) {
    const q = r0 / r1
    const r2 = r0 - q * r1
    r0 = r1
    r1 = r2
    const t2 = t0 - q * t1
    t0 = t1
    t1 = t2
  }
  // r0 is gcd(a, P): 1 for every a not divisible by the prime P.
  if (r0 !== 1n) return 0n
  return t0 < 0n ? t0 + P : t0
}

function readLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

function writeLittleEndian(n: bigint): Buffer {
  const out = Buffer.alloc(32)
  let v = n
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** The Edwards y coordinate (32 bytes, little-endian, sign bit clear) of Montgomery u: y = (u - 1) / (u + 1). */
export function montgomeryToEdwardsY(rawU: Uint8Array): Buffer {
  const u = readLittleEndian(rawU) & ((1n << 255n) - 1n)
  return writeLittleEndian((((u - 1n + P) % P) * invertModP((u + 1n) % P)) % P)
}

/** Signatures found valid, by their exact bytes; a few hundred covers every server certificate in use. */
const VERIFIED_MAX = 256
const verified = new Map<string, true>()

function remember(key: string): void {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
  verified.set(key, true)
}

/** True only when `signature` over `message` was made by the private half of X25519 key `publicKey`. */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const raw = publicKey.length === 33 ? publicKey.subarray(1) : publicKey
  if (raw.length !== 32 || signature.length !== 64) return false
  const memo = `${Buffer.from(raw).toString('base64')}.${Buffer.from(signature).toString('base64')}.${Buffer.from(message).toString('base64')}`
  if (verified.has(memo)) return true
  const edPub = montgomeryToEdwardsY(raw)
  const sig = Buffer.from(signature)
  edPub[31] = (edPub[31]! & 0x7f) | (sig[63]! & 0x80)
  sig[63] = sig[63]! & 0x7f
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, edPub]), format: 'der', type: 'spki' })
    const valid = verify(null, message, key, sig)
    if (valid) remember(memo)
    return valid
  } catch {
    return false
  }
}

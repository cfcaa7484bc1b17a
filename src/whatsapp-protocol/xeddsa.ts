// Main process, Electron-free. Verification of the XEdDSA-style signatures Baileys and libsignal make with X25519 keys, using
// Node's Ed25519. Needed because Baileys rc14's Curve.verify ignores libsignal's boolean result and
// so reports every well-formed signature as valid; the simulator must not inherit that.

import { createPublicKey, verify } from 'node:crypto'

const P = (1n << 255n) - 19n
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n
  let b = base % P
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P
    b = (b * b) % P
    e >>= 1n
  }
  return result
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

/** True only when `signature` over `message` was made by the private half of X25519 key `publicKey`. */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const raw = publicKey.length === 33 ? publicKey.subarray(1) : publicKey
  if (raw.length !== 32 || signature.length !== 64) return false
  const u = readLittleEndian(raw) & ((1n << 255n) - 1n)
  // Birational map Montgomery u -> Edwards y = (u - 1) / (u + 1).
  const y = (((u - 1n + P) % P) * modPow((u + 1n) % P, P - 2n)) % P
  const edPub = writeLittleEndian(y)
  const sig = Buffer.from(signature)
  edPub[31] = (edPub[31]! & 0x7f) | (sig[63]! & 0x80)
  sig[63] = sig[63]! & 0x7f
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, edPub]), format: 'der', type: 'spki' })
    return verify(null, message, key, sig)
  } catch {
    return false
  }
}

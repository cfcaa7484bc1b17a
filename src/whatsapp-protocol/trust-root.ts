// Node only (main process, server, tests, benchmarks). Makes Baileys accept a Noise certificate chain rooted in a key other
// than WhatsApp's (the local simulator's). Process-wide by nature: Baileys reads the root from its
// mutable WA_CERT_DETAILS export. Never called by default; only an explicit setting or a test does.

import { Curve, WA_CERT_DETAILS } from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors'
import { xeddsaVerify } from './xeddsa'

const DEFAULT_ROOT = Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY)
let trusted: string | null = null

/** Trusts `rootKeyHex` (64 hex chars, a raw X25519 public key) for every Baileys socket in this process. */
export function trustWhatsAppRoot(rootKeyHex: string): void {
  if (!/^[0-9a-fA-F]{64}$/.test(rootKeyHex)) {
    throw new AppError('invalid-input', 'The trusted root key must be 64 hexadecimal characters')
  }
  const hex = rootKeyHex.toLowerCase()
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(hex, 'hex')
  trusted = hex
}

/** The root trusted through trustWhatsAppRoot, or null while Baileys' built-in root is in force. */
export function trustedRoot(): string | null {
  return trusted
}

export function restoreDefaultRoot(): void {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(DEFAULT_ROOT)
  trusted = null
}

let signaturesEnforced = false

/**
 * Makes Baileys' signature checks real, process-wide. Baileys 7.0.0-rc14's Curve.verify treats "did not
 * throw" as valid, but libsignal's verifySignature returns false instead of throwing, so every
 * well-formed signature passes: the Noise certificate chain (the only server authentication besides
 * TLS) and the pair-success account signature are not checked at all. Without this, trusting a root
 * would mean nothing: any server would be accepted. Curve is a plain mutable export that the noise
 * handler and the pairing code read at call time, so replacing its verify fixes both.
 * Remove when xeddsa.test.ts shows that Baileys verifies for itself.
 */
export function enforceSignatureChecks(): void {
  if (signaturesEnforced) return
  Curve.verify = function verifyXeddsa(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return xeddsaVerify(publicKey, message, signature)
  }
  signaturesEnforced = true
}

// The simulated phone's half of pairing by code ("Link with phone number"), as WhatsApp's companion
// link-code registration works: the companion sends its ephemeral key wrapped under the code
// (companion_hello), the phone answers with its own ephemeral key wrapped the same way (a notification),
// the companion sends a key bundle encrypted under the shared secret (companion_finish), and both
// derive the ADV secret that keys pair-success's HMAC. The crypto mirrors Baileys 7.0.0-rc14's client
// (Socket/socket.js requestPairingCode, Socket/messages-recv.js link_code_companion_reg).

import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { Curve } from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors.js'

const pbkdf2Async = promisify(pbkdf2)

/** The characters Baileys draws a code from (bytesToCrockford): no 0, I, O or U. */
export const LINK_CODE_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ'
const PBKDF2_ITERATIONS = 2 << 16
const WRAPPED_BYTES = 80
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key'
const ADV_INFO = 'adv_secret'

/** What a person types on the phone, as the phone reads it: dash and spaces dropped, any letter case. */
export function normaliseLinkCode(typed: string): string {
  const code = typed.replace(/[\s-]/g, '').toUpperCase()
  if (code.length !== 8 || [...code].some((c) => !LINK_CODE_ALPHABET.includes(c))) {
    throw new AppError('invalid-input', 'A linking code is 8 letters and digits, like ABCD-EFGH.')
  }
  return code
}

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256')
}

/** salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code, salt), iv, key(32)): 80 bytes, unauthenticated. */
export async function wrapKey(code: string, publicKey: Uint8Array): Promise<Buffer> {
  const salt = randomBytes(32)
  const iv = randomBytes(16)
  const cipher = createCipheriv('aes-256-ctr', await codeKey(code, salt), iv)
  return Buffer.concat([salt, iv, cipher.update(publicKey), cipher.final()])
}

/** The inverse of wrapKey. A wrong code yields 32 bytes of noise, not an error: CTR cannot tell. */
export async function unwrapKey(code: string, wrapped: Uint8Array): Promise<Buffer> {
  const bytes = Buffer.from(wrapped)
  if (bytes.length !== WRAPPED_BYTES) throw new AppError('invalid-input', 'The wrapped key is not 80 bytes')
  const decipher = createDecipheriv('aes-256-ctr', await codeKey(code, bytes.subarray(0, 32)), bytes.subarray(32, 48))
  return Buffer.concat([decipher.update(bytes.subarray(48, 80)), decipher.final()])
}

export interface OpenedKeyBundle {
  companionIdentity: Buffer
  primaryIdentity: Buffer
  random: Buffer
}

/**
 * Decrypts companion_finish's key bundle: salt(32) ‖ iv(12) ‖ AES-256-GCM(HKDF(shared, salt, info),
 * iv, companion identity ‖ primary identity ‖ random) ‖ tag(16). Returns null when the tag fails,
 * which is how the phone learns that the code typed was wrong.
 */
export function openKeyBundle(shared: Uint8Array, bundle: Uint8Array): OpenedKeyBundle | null {
  const bytes = Buffer.from(bundle)
  if (bytes.length !== 32 + 12 + 96 + 16) return null
  const key = Buffer.from(hkdfSync('sha256', shared, bytes.subarray(0, 32), BUNDLE_INFO, 32))
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(32, 44))
  decipher.setAuthTag(bytes.subarray(bytes.length - 16))
  try {
    const plain = Buffer.concat([decipher.update(bytes.subarray(44, bytes.length - 16)), decipher.final()])
    return { companionIdentity: plain.subarray(0, 32), primaryIdentity: plain.subarray(32, 64), random: plain.subarray(64, 96) }
  } catch {
    return null
  }
}

/** Both sides' ADV secret: HKDF(ephemeral shared ‖ identity shared ‖ random, no salt, "adv_secret"). */
export function deriveAdvSecret(ephemeralShared: Uint8Array, identityShared: Uint8Array, random: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.concat([ephemeralShared, identityShared, random]), Buffer.alloc(0), ADV_INFO, 32))
}

/** The phone's side of one attempt, after the person typed `code`: its hello and how to finish. */
export interface PhoneAttempt {
  /** Wrapped primary ephemeral public key for the notification. */
  wrappedPrimaryEphemeral: Buffer
  /**
   * Opens the companion's key bundle and derives the ADV secret; null for a wrong code (the tag fails)
   * or a bundle naming other identities than the ones registered.
   */
  finish(bundle: Uint8Array, companionIdentity: Uint8Array): Buffer | null
}

export async function startPhoneAttempt(input: {
  code: string
  wrappedCompanionEphemeral: Uint8Array
  /** The account's identity key pair (the key that also signs the device identity). */
  primaryIdentity: { public: Buffer; private: Buffer }
  /** The identity key the companion registered with (its Noise payload's eIdent). */
  registeredIdentity: Buffer
}): Promise<PhoneAttempt> {
  const companionEphemeral = await unwrapKey(input.code, input.wrappedCompanionEphemeral)
  const primaryEphemeral = Curve.generateKeyPair()
  const wrappedPrimaryEphemeral = await wrapKey(input.code, primaryEphemeral.public)
  return {
    wrappedPrimaryEphemeral,
    finish(bundle, companionIdentity) {
      const ephemeralShared = Buffer.from(Curve.sharedKey(primaryEphemeral.private, companionEphemeral))
      const opened = openKeyBundle(ephemeralShared, bundle)
      if (!opened) return null
      const identity = Buffer.from(companionIdentity)
      if (!opened.companionIdentity.equals(identity) || !identity.equals(input.registeredIdentity)) return null
      if (!opened.primaryIdentity.equals(input.primaryIdentity.public)) return null
      const identityShared = Curve.sharedKey(input.primaryIdentity.private, identity)
      return deriveAdvSecret(ephemeralShared, identityShared, opened.random)
    },
  }
}


// The companion's cryptography for passkey-gated linking, as pure functions over bytes: the hand-off
// key and proof, the commitment to an ephemeral identity, the key that encrypts the pairing request,
// the confirmation code and the encrypted request itself. Main process, Electron-free. Every value
// here is a pairing secret: never log one. The protocol: docs/passkey-linking.md.

import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto'
import { bytesToCrockford, proto } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'

const HANDOFF_INFO = 'shortcake-passkey-handoff-v1'
const ENCRYPTION_INFO = 'Pairing Information Encryption Key'
/** How long after the challenge the hand-off key may prove the prologue (the reference client's window). */
export const HANDOFF_KEY_TTL_MS = 5 * 60_000
export const X25519_KEY_BYTES = 32
export const NONCE_BYTES = 32
export const ADV_SECRET_BYTES = 32
export const IV_BYTES = 12

/** HKDF-SHA256 over the adv secret in force when the challenge arrived (no salt). */
export function handoffKey(advSecret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', advSecret, Buffer.alloc(0), HANDOFF_INFO, 32))
}

/** HMAC-SHA256 of the prologue payload under the hand-off key: proves this companion is the one scanned. */
export function handoffProof(key: Uint8Array, prologuePayload: Uint8Array): Buffer {
  return createHmac('sha256', key).update(prologuePayload).digest()
}

export interface CompanionIdentity {
  publicKey: Uint8Array
  /** DeviceProps.PlatformType of the companion, as it registered. */
  deviceType: number
  /** The ref the server handed out for this prologue. */
  ref: string
}

/** CompanionEphemeralIdentity, as protobuf bytes: what the commitment covers. */
export function encodeCompanionIdentity(identity: CompanionIdentity): Buffer {
  return Buffer.from(
    proto.CompanionEphemeralIdentity.encode({
      publicKey: identity.publicKey,
      deviceType: identity.deviceType,
      ref: identity.ref,
    }).finish(),
  )
}

/** SHA-256(identity ‖ nonce): binds the companion to a nonce it reveals only after the phone's key. */
export function commitment(identityBytes: Uint8Array, companionNonce: Uint8Array): Buffer {
  return createHash('sha256').update(identityBytes).update(companionNonce).digest()
}

export function encodeProloguePayload(identityBytes: Uint8Array, commitmentHash: Uint8Array): Buffer {
  return Buffer.from(
    proto.ProloguePayload.encode({ companionEphemeralIdentity: identityBytes, commitment: { hash: commitmentHash } }).finish(),
  )
}

/** HKDF-SHA256(shared, salt "Companion Pairing <deviceType> with ref <ref>", info, 32). */
export function encryptionKey(shared: Uint8Array, deviceType: number, ref: string): Buffer {
  const salt = Buffer.from(`Companion Pairing ${deviceType} with ref ${ref}`, 'utf8')
  return Buffer.from(hkdfSync('sha256', shared, salt, ENCRYPTION_INFO, 32))
}

/**
 * The code both screens show: the first 5 bytes of the phone's nonce XOR the first 5 of
 * SHA-256(companion nonce ‖ phone's public key), in the linking-code alphabet, as XXXX-XXXX.
 */
export function confirmationCode(companionNonce: Uint8Array, primaryPublicKey: Uint8Array, primaryNonce: Uint8Array): string {
  const digest = createHash('sha256').update(companionNonce).update(primaryPublicKey).digest()
  const bytes = Buffer.alloc(5)
  for (let i = 0; i < 5; i++) bytes[i] = primaryNonce[i]! ^ digest[i]!
  const code = bytesToCrockford(bytes)
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

export interface PairingRequest {
  /** The companion's Noise static public key. */
  noisePublicKey: Uint8Array
  /** The companion's Signal identity public key. */
  identityPublicKey: Uint8Array
  /** The adv secret pair-success will be checked against (the one made when the challenge arrived). */
  advSecret: Uint8Array
}

/** EncryptedPairingRequest { AES-256-GCM(key, iv, PairingRequest) ‖ tag, iv }, as protobuf bytes. */
export function encryptPairingRequest(key: Uint8Array, iv: Uint8Array, request: PairingRequest): Buffer {
  const plain = proto.PairingRequest.encode({
    companionPublicKey: request.noisePublicKey,
    companionIdentityKey: request.identityPublicKey,
    advSecret: request.advSecret,
  }).finish()
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()])
  return Buffer.from(proto.EncryptedPairingRequest.encode({ encryptedPayload: sealed, iv }).finish())
}

export interface PrimaryEphemeralIdentity {
  publicKey: Buffer
  nonce: Buffer
}

/** Reads the phone's PrimaryEphemeralIdentity; both fields must be 32 bytes. */
export function decodePrimaryIdentity(bytes: Uint8Array): PrimaryEphemeralIdentity {
  let decoded: proto.PrimaryEphemeralIdentity
  try {
    decoded = proto.PrimaryEphemeralIdentity.decode(bytes)
  } catch (err) {
    throw new AppError('invalid-input', 'WhatsApp sent a phone identity that is not valid protobuf', { cause: err })
  }
  const publicKey = Buffer.from(decoded.publicKey ?? [])
  const nonce = Buffer.from(decoded.nonce ?? [])
  if (publicKey.length !== X25519_KEY_BYTES || nonce.length !== NONCE_BYTES) {
    throw new AppError('invalid-input', `WhatsApp sent a phone identity with a ${publicKey.length}-byte key and a ${nonce.length}-byte nonce (32 each expected)`)
  }
  return { publicKey, nonce }
}

/** PKCS#8 prefix of a raw X25519 private key (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

export interface X25519KeyPair {
  privateKey: KeyObject
  publicKey: Buffer
}

/** An X25519 key pair from 32 random bytes (so a recorded run can be replayed byte for byte). */
export function x25519KeyPair(privateBytes: Uint8Array): X25519KeyPair {
  if (privateBytes.length !== X25519_KEY_BYTES) throw new AppError('internal', 'An X25519 private key is 32 bytes')
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, privateBytes]), format: 'der', type: 'pkcs8' })
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
  return { privateKey, publicKey: Buffer.from(jwk.x ?? '', 'base64url') }
}

export function x25519(privateKey: KeyObject, peerPublicKey: Uint8Array): Buffer {
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peerPublicKey).toString('base64url') }, format: 'jwk' })
  return diffieHellman({ privateKey, publicKey })
}

/**
 * The DeviceProps.PlatformType Baileys registers a socket with, read from the socket's `browser` as
 * Baileys 7.0.0-rc14 reads it (Utils/validate-connection.js): the second field upper-cased, ANDROID as
 * ANDROID_PHONE, anything unknown as CHROME. The identity and the key derivation both carry it.
 */
export function platformTypeOf(browser: readonly [string, string, string]): number {
  const { PlatformType } = proto.DeviceProps
  const name = browser[1].toUpperCase()
  if (name === 'ANDROID') return PlatformType.ANDROID_PHONE
  return (PlatformType as unknown as Record<string, number | undefined>)[name] ?? PlatformType.CHROME
}

// The companion's passkey cryptography, each value checked against one computed here independently:
// HKDF written out from HMAC (RFC 5869), protobuf bytes laid out by hand, AES-GCM opened with
// node:crypto, base32 written out bit by bit, X25519 against RFC 7748's vectors and libsignal's curve.

import { createDecipheriv, createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Browsers, Curve } from '@whiskeysockets/baileys'
import {
  commitment,
  confirmationCode,
  decodePrimaryIdentity,
  encodeCompanionIdentity,
  encodeProloguePayload,
  encryptionKey,
  encryptPairingRequest,
  handoffKey,
  handoffProof,
  platformTypeOf,
  x25519,
  x25519KeyPair,
} from './protocol'

/** RFC 5869 HKDF-SHA256 for one output block, from HMAC alone. No salt is HashLen zero bytes. */
function hkdf32(ikm: Buffer, salt: Buffer | null, info: string): Buffer {
  const prk = createHmac('sha256', salt ?? Buffer.alloc(32)).update(ikm).digest()
  return createHmac('sha256', prk).update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.from([1])])).digest()
}

/** The linking-code alphabet over 5-bit groups, from a string of bits. */
function base32(bytes: Buffer): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTVWXYZ'
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('')
  let out = ''
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)]
  return out
}

const fill = (byte: number, size = 32): Buffer => Buffer.alloc(size, byte)
const hex = (value: string): Buffer => Buffer.from(value, 'hex')

// RFC 7748 §6.1.
const ALICE_PRIVATE = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
const ALICE_PUBLIC = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
const BOB_PRIVATE = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
const BOB_PUBLIC = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
const SHARED = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742')

describe('passkey linking: the companion cryptography', () => {
  it('derives the hand-off key from the adv secret (no salt) and proves the prologue with it', () => {
    const advSecret = fill(0x11)
    const key = handoffKey(advSecret)
    expect(key).toEqual(hkdf32(advSecret, null, 'shortcake-passkey-handoff-v1'))
    const payload = Buffer.from('prologue payload bytes')
    expect(handoffProof(key, payload)).toEqual(createHmac('sha256', key).update(payload).digest())
    expect(handoffKey(fill(0x12))).not.toEqual(key)
  })

  it('encodes the ephemeral identity and commits to it with the nonce', () => {
    const publicKey = fill(0xaa)
    const identity = encodeCompanionIdentity({ publicKey, deviceType: 7, ref: 'pk-ref' })
    // field 1 bytes(32), field 2 varint 7, field 3 string "pk-ref"
    expect(identity).toEqual(Buffer.concat([hex('0a20'), publicKey, hex('1007'), hex('1a06'), Buffer.from('pk-ref')]))
    const nonce = fill(0x42)
    const hash = commitment(identity, nonce)
    expect(hash).toEqual(createHash('sha256').update(Buffer.concat([identity, nonce])).digest())
    // field 1 bytes(identity), field 2 message { field 1 bytes(32) }
    expect(encodeProloguePayload(identity, hash)).toEqual(Buffer.concat([hex('0a'), Buffer.from([identity.length]), identity, hex('12220a20'), hash]))
  })

  it('derives the encryption key with the device type and ref in the salt', () => {
    const shared = fill(0x05)
    expect(encryptionKey(shared, 1, 'pk-abc')).toEqual(hkdf32(shared, Buffer.from('Companion Pairing 1 with ref pk-abc'), 'Pairing Information Encryption Key'))
    expect(encryptionKey(shared, 7, 'pk-abc')).not.toEqual(encryptionKey(shared, 1, 'pk-abc'))
  })

  it('computes the confirmation code from both nonces and the phone key, as XXXX-XXXX', () => {
    const companionNonce = fill(0x01)
    const primaryKey = fill(0x02)
    const primaryNonce = Buffer.concat([hex('0123456789'), fill(0, 27)])
    const digest = createHash('sha256').update(Buffer.concat([companionNonce, primaryKey])).digest()
    const five = Buffer.from([0, 1, 2, 3, 4].map((i) => primaryNonce[i]! ^ digest[i]!))
    const expected = base32(five)
    expect(confirmationCode(companionNonce, primaryKey, primaryNonce)).toBe(`${expected.slice(0, 4)}-${expected.slice(4)}`)
    // All-zero bytes are the alphabet's first letter; the first five nonce bytes are all that count.
    const zeroDigestNonce = Buffer.concat([digest.subarray(0, 5), fill(0xff, 27)])
    expect(confirmationCode(companionNonce, primaryKey, zeroDigestNonce)).toBe('1111-1111')
  })

  it('encrypts the pairing request with AES-256-GCM under the derived key', () => {
    const key = fill(0x33)
    const iv = fill(0x44, 12)
    const request = { noisePublicKey: fill(0x01), identityPublicKey: fill(0x02), advSecret: fill(0x03) }
    const wrapped = encryptPairingRequest(key, iv, request)
    // EncryptedPairingRequest: field 1 bytes(ciphertext ‖ tag: 3 × 34 + 16 = 118), field 2 bytes(iv)
    expect(wrapped.subarray(0, 2)).toEqual(hex('0a76'))
    const sealed = wrapped.subarray(2, 2 + 118)
    expect(wrapped.subarray(120)).toEqual(Buffer.concat([hex('120c'), iv]))
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAuthTag(sealed.subarray(102))
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, 102)), decipher.final()])
    expect(plain).toEqual(Buffer.concat([hex('0a20'), request.noisePublicKey, hex('1220'), request.identityPublicKey, hex('1a20'), request.advSecret]))
  })

  it('makes X25519 keys from 32 bytes and agrees as RFC 7748 and libsignal do', () => {
    const alice = x25519KeyPair(ALICE_PRIVATE)
    const bob = x25519KeyPair(BOB_PRIVATE)
    expect(alice.publicKey).toEqual(ALICE_PUBLIC)
    expect(bob.publicKey).toEqual(BOB_PUBLIC)
    expect(x25519(alice.privateKey, BOB_PUBLIC)).toEqual(SHARED)
    expect(x25519(bob.privateKey, ALICE_PUBLIC)).toEqual(SHARED)
    // The simulator's phone agrees through Baileys' curve (libsignal), with a key pair of its own.
    const phone = Curve.generateKeyPair()
    expect(x25519(alice.privateKey, phone.public)).toEqual(Curve.sharedKey(phone.private, ALICE_PUBLIC))
  })

  it("reads the phone's ephemeral identity and refuses one with short fields", () => {
    const publicKey = fill(0x07)
    const nonce = fill(0x08)
    expect(decodePrimaryIdentity(Buffer.concat([hex('0a20'), publicKey, hex('1220'), nonce]))).toEqual({ publicKey, nonce })
    expect(() => decodePrimaryIdentity(Buffer.concat([hex('0a10'), fill(7, 16), hex('1220'), nonce]))).toThrow(/16-byte key and a 32-byte nonce/)
    expect(() => decodePrimaryIdentity(hex('0aff'))).toThrow(/not valid protobuf/)
  })

  it('names the device type Baileys registers a browser with', () => {
    expect(platformTypeOf(Browsers.ubuntu('Chrome'))).toBe(1)
    expect(platformTypeOf(Browsers.macOS('Desktop'))).toBe(7)
    expect(platformTypeOf(['Android', 'Android', '14'])).toBe(16)
    expect(platformTypeOf(['X', 'Netscape', '4'])).toBe(1)
  })
})

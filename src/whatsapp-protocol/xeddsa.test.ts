import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Curve } from '@whiskeysockets/baileys'
import { invertModP, montgomeryToEdwardsY, P, xeddsaVerify } from './xeddsa'

describe('xeddsaVerify', () => {
  it('accepts signatures made with Baileys Curve.sign, for many keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = Curve.generateKeyPair()
      const msg = randomBytes(1 + i * 7)
      expect(xeddsaVerify(key.public, msg, Curve.sign(key.private, msg))).toBe(true)
    }
  })

  it('rejects a wrong key, a changed message and a random signature', () => {
    const key = Curve.generateKeyPair()
    const msg = Buffer.from('details')
    const sig = Curve.sign(key.private, msg)
    expect(xeddsaVerify(Curve.generateKeyPair().public, msg, sig)).toBe(false)
    expect(xeddsaVerify(key.public, Buffer.from('detailz'), sig)).toBe(false)
    expect(xeddsaVerify(key.public, msg, randomBytes(64))).toBe(false)
  })

  it('documents why it exists: Baileys rc14 Curve.verify accepts any well-formed signature', () => {
    // If this starts failing, Baileys fixed Curve.verify and enforceSignatureChecks (trust-root.ts) can go.
    const key = Curve.generateKeyPair()
    expect(Curve.verify(key.public, Buffer.from('x'), randomBytes(64))).toBe(true)
  })
})

describe('the field inversion and the Montgomery-to-Edwards map', () => {
  /** The reference: Fermat's little theorem, a^(P-2) mod P, by square and multiply. */
  function fermatInverse(a: bigint): bigint {
    let result = 1n
    let base = a % P
    let e = P - 2n
    while (e > 0n) {
      if (e & 1n) result = (result * base) % P
      base = (base * base) % P
      e >>= 1n
    }
    return result
  }

  it('inverts known values: 1, 2 (whose inverse is (P + 1) / 2), P - 1 (its own inverse) and 0 (0, as Fermat gives)', () => {
    expect(invertModP(1n)).toBe(1n)
    expect(invertModP(2n)).toBe((P + 1n) / 2n)
    expect(invertModP(P - 1n)).toBe(P - 1n)
    expect(invertModP(0n)).toBe(0n)
    expect(invertModP(P)).toBe(0n)
  })

  it('agrees with Fermat on random field elements, and a * a^-1 = 1', () => {
    for (let i = 0; i < 200; i++) {
      const a = BigInt(`0x${randomBytes(32).toString('hex')}`) % P
      if (a === 0n) continue
      const inverse = invertModP(a)
      expect(inverse).toBe(fermatInverse(a))
      expect((a * inverse) % P).toBe(1n)
    }
  })

  it('maps the X25519 base point (u = 9) to the Ed25519 base point (y = 4/5, RFC 8032: 5866…66)', () => {
    const u = Buffer.alloc(32)
    u[0] = 9
    expect(montgomeryToEdwardsY(u).toString('hex')).toBe(`58${'66'.repeat(31)}`)
  })

  it('verifies RFC 8032 test 1 (an Ed25519 signature) through the Montgomery form of its public key', () => {
    const edPub = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex')
    const sig = Buffer.from(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      'hex',
    )
    // u = (1 + y) / (1 - y), with the reference inverse; the key's x sign bit (0 here) rides in the signature.
    const y = BigInt(`0x${Buffer.from(edPub).reverse().toString('hex')}`) & ((1n << 255n) - 1n)
    const u = ((1n + y) * fermatInverse((1n - y + P) % P)) % P
    const montgomery = Buffer.from(u.toString(16).padStart(64, '0'), 'hex').reverse()
    expect(montgomeryToEdwardsY(montgomery).equals(edPub)).toBe(true)
    expect(xeddsaVerify(montgomery, Buffer.alloc(0), sig)).toBe(true)
    expect(xeddsaVerify(montgomery, Buffer.from([0]), sig)).toBe(false)
  })

  it('answers a signature it verified before from memory, and still refuses one changed in one bit', () => {
    const key = Curve.generateKeyPair()
    const msg = Buffer.from('certificate details')
    const sig = Curve.sign(key.private, msg)
    expect(xeddsaVerify(key.public, msg, sig)).toBe(true)
    expect(xeddsaVerify(key.public, msg, sig)).toBe(true)
    const flipped = Buffer.from(sig)
    flipped[10] = flipped[10]! ^ 1
    expect(xeddsaVerify(key.public, msg, flipped)).toBe(false)
    expect(xeddsaVerify(key.public, Buffer.from('certificate detailz'), sig)).toBe(false)
  })
})

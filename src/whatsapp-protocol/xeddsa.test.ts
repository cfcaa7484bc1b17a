import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Curve } from '@whiskeysockets/baileys'
import { xeddsaVerify } from './xeddsa'

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

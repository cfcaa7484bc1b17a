import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { createSealer, SealOpenError } from './sealer'

const aad = Buffer.from('account/type/id')

describe('sealer', () => {
  it('round-trips and never repeats an IV', () => {
    const sealer = createSealer(randomBytes(32))
    const ivs = new Set<string>()
    for (let i = 0; i < 2000; i += 1) {
      const plaintext = randomBytes(i % 50)
      const sealed = sealer.seal(plaintext, aad)
      expect(sealed.length).toBe(1 + 12 + plaintext.length + 16)
      expect(sealer.open(sealed, aad).equals(plaintext)).toBe(true)
      ivs.add(sealed.subarray(1, 13).toString('hex'))
    }
    expect(ivs.size).toBe(2000)
  })

  it('refuses another AAD, another key, a flipped byte and a truncated blob', () => {
    const sealer = createSealer(randomBytes(32))
    const sealed = sealer.seal(Buffer.from('secret'), aad)
    expect(() => sealer.open(sealed, Buffer.from('other'))).toThrow(SealOpenError)
    expect(() => createSealer(randomBytes(32)).open(sealed, aad)).toThrow(SealOpenError)
    for (const index of [0, 5, sealed.length - 1]) {
      const copy = Buffer.from(sealed)
      copy[index]! ^= 1
      expect(() => sealer.open(copy, aad)).toThrow(SealOpenError)
    }
    expect(() => sealer.open(sealed.subarray(0, 20), aad)).toThrow(SealOpenError)
  })

  it('needs a 32-byte key', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(/32 bytes/)
  })
})

import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { createSealer, keyIdOf, SealOpenError, sealedKeyId } from './sealer'

const aad = Buffer.from('account/type/id')

describe('sealer', () => {
  it('round-trips and never repeats an IV', () => {
    const sealer = createSealer(randomBytes(32))
    const ivs = new Set<string>()
    for (let i = 0; i < 2000; i += 1) {
      const plaintext = randomBytes(i % 50)
      const sealed = sealer.seal(plaintext, aad)
      expect(sealed.length).toBe(5 + 12 + plaintext.length + 16)
      expect(sealer.open(sealed, aad).equals(plaintext)).toBe(true)
      ivs.add(sealed.subarray(5, 17).toString('hex'))
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

  it('names the key that sealed each value, and opens with any key of its ring', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)]
    const before = createSealer(oldKey)
    const during = createSealer(newKey, [oldKey])
    const after = createSealer(newKey)
    expect(before.keyId).toBe(keyIdOf(oldKey))
    expect(before.keyId).toMatch(/^[0-9a-f]{8}$/)
    expect(during.keyIds).toEqual([keyIdOf(newKey), keyIdOf(oldKey)])
    const old = before.seal(Buffer.from('old'), aad)
    const fresh = during.seal(Buffer.from('new'), aad)
    expect(sealedKeyId(old)).toBe(keyIdOf(oldKey))
    expect(sealedKeyId(fresh)).toBe(keyIdOf(newKey))
    expect(during.open(old, aad).toString()).toBe('old')
    expect(during.open(fresh, aad).toString()).toBe('new')
    expect(() => after.open(old, aad)).toThrow(/does not hold/)
    expect(() => before.open(fresh, aad)).toThrow(SealOpenError)
  })

  it('still opens values written before key ids (format 1), with whichever key of the ring sealed them', async () => {
    const { createCipheriv } = await import('node:crypto')
    const oldKey = randomBytes(32)
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', oldKey, iv)
    cipher.setAAD(aad)
    const body = Buffer.concat([cipher.update('legacy'), cipher.final()])
    const v1 = Buffer.concat([Buffer.from([1]), iv, body, cipher.getAuthTag()])
    expect(sealedKeyId(v1)).toBeNull()
    expect(createSealer(randomBytes(32), [oldKey]).open(v1, aad).toString()).toBe('legacy')
    expect(() => createSealer(randomBytes(32)).open(v1, aad)).toThrow(SealOpenError)
  })

  it('needs a 32-byte key', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(/32 bytes/)
  })
})

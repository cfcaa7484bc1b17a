import { describe, expect, it } from 'vitest'
import { Curve, proto } from '@whiskeysockets/baileys'
import { buildDeviceIdentity, parseQr, verifyDeviceSign } from './pairing.js'

function keys() {
  const kp = Curve.generateKeyPair()
  return { public: Buffer.from(kp.public), private: Buffer.from(kp.private) }
}

describe('parseQr', () => {
  it('reads the ref and keys Baileys puts in the QR', () => {
    const noise = keys().public
    const ident = keys().public
    const adv = Buffer.alloc(32, 7)
    const qr = `https://wa.me/settings/linked_devices#2@ref,${noise.toString('base64')},${ident.toString('base64')},${adv.toString('base64')},1`
    const parsed = parseQr(qr)
    expect(parsed.ref).toBe('2@ref')
    expect(parsed.noisePub.equals(noise)).toBe(true)
    expect(parsed.advSecret.equals(adv)).toBe(true)
  })

  it.each(['', 'hello', 'a,b,c,d', `r,${Buffer.alloc(31).toString('base64')},x,y`])('rejects %j', (qr) => {
    expect(() => parseQr(qr)).toThrow(/QR/)
  })
})

describe('verifyDeviceSign', () => {
  const account = keys()
  const identity = keys()
  const built = buildDeviceIdentity({ deviceId: 3, identityPub: identity.public, advSecret: Buffer.alloc(32, 1), account })
  const DEVICE_PREFIX = Buffer.from([6, 1])

  function signedBy(priv: Buffer, details = built.details): Uint8Array {
    const deviceSignature = Curve.sign(priv, Buffer.concat([DEVICE_PREFIX, details, identity.public, account.public]))
    return proto.ADVSignedDeviceIdentity.encode({ details, accountSignature: built.accountSignature, deviceSignature }).finish()
  }

  it('accepts the companion signature over our details', () => {
    expect(verifyDeviceSign(signedBy(identity.private), built, identity.public, account.public)).toBe(true)
  })

  it('rejects a signature from another key or over other details', () => {
    expect(verifyDeviceSign(signedBy(keys().private), built, identity.public, account.public)).toBe(false)
    const other = buildDeviceIdentity({ deviceId: 4, identityPub: identity.public, advSecret: Buffer.alloc(32, 1), account })
    expect(verifyDeviceSign(signedBy(identity.private, other.details), built, identity.public, account.public)).toBe(false)
  })
})

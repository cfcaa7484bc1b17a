import { describe, expect, it } from 'vitest'
import { Curve, proto } from '@whiskeysockets/baileys'
import { createServerIdentity } from './cert.js'
import { xeddsaVerify } from '../whatsapp-protocol/xeddsa'

describe('createServerIdentity', () => {
  it('signs root -> intermediate -> leaf over the server static key', () => {
    const id = createServerIdentity()
    const chain = proto.CertChain.decode(id.certChain)
    const inter = proto.CertChain.NoiseCertificate.Details.decode(chain.intermediate!.details!)
    const leaf = proto.CertChain.NoiseCertificate.Details.decode(chain.leaf!.details!)
    expect(inter.issuerSerial).toBe(0)
    expect(leaf.issuerSerial).toBe(inter.serial)
    expect(Buffer.from(leaf.key!).equals(id.serverStatic.public)).toBe(true)
    expect(xeddsaVerify(id.rootPublic, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(true)
    expect(xeddsaVerify(inter.key!, chain.leaf!.details!, chain.leaf!.signature!)).toBe(true)
    expect(xeddsaVerify(Curve.generateKeyPair().public, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(false)
  })

  it('makes a fresh root each time', () => {
    expect(createServerIdentity().rootPublic.equals(createServerIdentity().rootPublic)).toBe(false)
  })
})

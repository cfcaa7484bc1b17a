// The simulated server's relying-party checks on a passkey assertion, each failing on its own: an
// assertion built here with node:crypto as a browser builds it, then spoiled in one way at a time.

import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { passkeyRecord, PASSKEY_ORIGIN, PASSKEY_RP_ID, verifyAssertion, type ExpectedAssertion, type PasskeyRecord } from './assertion.js'

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = publicKey.export({ format: 'jwk' })
const credentialId = Buffer.from('a credential id')
const challenge = Buffer.alloc(32, 9)
const expected: ExpectedAssertion = { challenge, rpId: PASSKEY_RP_ID, origin: PASSKEY_ORIGIN, requireUserVerification: true }

function record(signCount = 0): PasskeyRecord {
  return { ...passkeyRecord({ credentialId: credentialId.toString('base64url'), publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } }), signCount }
}

interface Spoil {
  rpId?: string
  flags?: number
  counter?: number
  clientData?: Record<string, unknown>
  key?: KeyObject
  rawId?: Buffer
  tamperSignedData?: boolean
}

function assertion(spoil: Spoil = {}): Buffer {
  const authData = Buffer.concat([
    createHash('sha256').update(spoil.rpId ?? PASSKEY_RP_ID).digest(),
    Buffer.from([spoil.flags ?? 0x05]),
    Buffer.from([0, 0, 0, spoil.counter ?? 7]),
  ])
  const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: challenge.toString('base64url'), origin: PASSKEY_ORIGIN, crossOrigin: false, ...spoil.clientData }))
  const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), { key: spoil.key ?? privateKey, dsaEncoding: 'der' })
  if (spoil.tamperSignedData) authData[36] = 99
  const rawId = (spoil.rawId ?? credentialId).toString('base64url')
  return Buffer.from(
    JSON.stringify({
      id: rawId,
      rawId,
      type: 'public-key',
      response: { clientDataJSON: clientData.toString('base64url'), authenticatorData: authData.toString('base64url'), signature: signature.toString('base64url'), userHandle: null },
    }),
  )
}

function check(bytes: Buffer, stored = record(), id = credentialId): string {
  try {
    verifyAssertion(stored, expected, id, bytes)
    return 'ok'
  } catch (err) {
    return (err as { check?: string }).check ?? String(err)
  }
}

describe('the simulated server checks a passkey assertion', () => {
  it('accepts a good one and returns its counter', () => {
    expect(verifyAssertion(record(), expected, credentialId, assertion())).toBe(7)
  })

  it('names the check that fails, one spoiled field at a time', () => {
    expect(check(assertion(), record(), Buffer.from('another id'))).toBe('unknown-credential')
    expect(check(assertion({ rawId: Buffer.from('another id') }))).toBe('unknown-credential')
    expect(check(Buffer.from('{"rawId":'))).toBe('malformed-assertion')
    expect(check(assertion({ clientData: { type: 'webauthn.create' } }))).toBe('client-data-type')
    expect(check(assertion({ clientData: { challenge: Buffer.alloc(32, 8).toString('base64url') } }))).toBe('challenge-mismatch')
    expect(check(assertion({ clientData: { origin: 'https://evil.example' } }))).toBe('origin-mismatch')
    expect(check(assertion({ rpId: 'web.whatsapp.com' }))).toBe('rp-id-mismatch')
    expect(check(assertion({ flags: 0x04 }))).toBe('user-not-present')
    expect(check(assertion({ flags: 0x01 }))).toBe('user-not-verified')
    expect(check(assertion({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }))).toBe('signature-invalid')
    expect(check(assertion({ tamperSignedData: true }))).toBe('signature-invalid')
    expect(check(assertion({ counter: 7 }), record(7))).toBe('counter-not-increased')
    expect(check(assertion({ counter: 0 }), record(7))).toBe('counter-not-increased')
  })

  it('accepts an authenticator that never counts (0 on both sides), as synced passkeys are', () => {
    expect(check(assertion({ counter: 0 }), record(0))).toBe('ok')
  })

  it('refuses a registration whose key is not a P-256 point, or is a private key', () => {
    expect(() => passkeyRecord({ credentialId: 'YWJj', publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.x! } })).toThrow(/not a point on P-256/)
    expect(() => passkeyRecord({ credentialId: '', publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } })).toThrow(/credentialId: is empty/)
  })
})

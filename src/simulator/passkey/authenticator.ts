// A software passkey for tests and demos: a P-256 key pair and a credential id, whose assertions are
// built as a browser hands them over (PublicKeyCredential.toJSON(): authenticatorData = SHA-256(rpId)
// ‖ flags ‖ counter, clientDataJSON as Chromium writes it, a DER ES256 signature over authenticatorData
// ‖ SHA-256(clientDataJSON)). Register `registration` with the simulator, then answer its challenges.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import type { PasskeyCredential, PasskeyRequestOptions } from '../../shared/passkey.js'
import { PASSKEY_ORIGIN, type PasskeyRegistration } from './assertion.js'

export const FLAG_USER_PRESENT = 0x01
export const FLAG_USER_VERIFIED = 0x04

/** What a test changes to make an assertion wrong in one way. */
export interface AssertionOverrides {
  origin?: string
  type?: string
  /** Signs over this challenge (base64url) instead of the one in the options. */
  challenge?: string
  rpId?: string
  flags?: number
  /** The counter to write; the authenticator's own counter is left alone. */
  counter?: number
  /** Signs with this private key instead of the registered one. */
  signWith?: KeyObject
}

export interface SoftPasskey {
  /** Base64url. */
  credentialId: string
  /** What POST /passkey takes (without the phone). */
  registration: PasskeyRegistration
  /** Answers `options` as navigator.credentials.get would, counting up from 1. */
  assert(options: PasskeyRequestOptions, overrides?: AssertionOverrides): PasskeyCredential
}

export function createSoftPasskey(): SoftPasskey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const rawId = randomBytes(16)
  const credentialId = rawId.toString('base64url')
  const jwk = publicKey.export({ format: 'jwk' })
  let counter = 0
  return {
    credentialId,
    registration: { credentialId, publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } },
    assert(options, overrides = {}) {
      const count = overrides.counter ?? ++counter
      const authenticatorData = Buffer.alloc(37)
      createHash('sha256').update(overrides.rpId ?? options.rpId ?? 'web.whatsapp.com').digest().copy(authenticatorData, 0)
      authenticatorData[32] = overrides.flags ?? FLAG_USER_PRESENT | FLAG_USER_VERIFIED
      authenticatorData.writeUInt32BE(count, 33)
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: overrides.type ?? 'webauthn.get', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? PASSKEY_ORIGIN, crossOrigin: false }),
        'utf8',
      )
      const signed = Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()])
      const signature = sign('sha256', signed, { key: overrides.signWith ?? privateKey, dsaEncoding: 'der' })
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
        response: {
          authenticatorData: authenticatorData.toString('base64url'),
          clientDataJSON: clientDataJSON.toString('base64url'),
          signature: signature.toString('base64url'),
          userHandle: null,
        },
      }
    },
  }
}

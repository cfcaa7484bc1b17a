// The simulated server's view of a phone's passkey: what POST /passkey registers (a credential id and
// a P-256 public key) and the relying-party checks it runs on an assertion, as WebAuthn Level 3 §7.2
// describes them. Which checks WhatsApp runs, and in what order, is an assumption (README, "Linking
// behind a passkey"). Never imports the app.

import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { AppError } from '../../shared/errors.js'

/** The origin WhatsApp Web's pages run on: clientDataJSON must name it. */
export const PASSKEY_ORIGIN = 'https://web.whatsapp.com'
/** The rpId the simulated server puts in its options (whatsapp.com, a registrable suffix of the origin). */
export const PASSKEY_RP_ID = 'whatsapp.com'

const FLAG_USER_PRESENT = 0x01
const FLAG_USER_VERIFIED = 0x04

const base64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')

export const PasskeyRegistration = z.object({
  credentialId: base64url.max(1400, 'credentialId is longer than 1023 bytes'),
  /** As KeyObject.export({ format: 'jwk' }) writes an EC P-256 public key. */
  publicKeyJwk: z
    .object({
      kty: z.literal('EC', { message: 'publicKeyJwk.kty must be "EC"' }),
      crv: z.literal('P-256', { message: 'publicKeyJwk.crv must be "P-256"' }),
      x: base64url,
      y: base64url,
      d: z.undefined({ message: 'publicKeyJwk must be the public key only (it has a "d")' }).optional(),
    })
    .loose(),
})
export type PasskeyRegistration = z.infer<typeof PasskeyRegistration>

/** What the directory keeps per phone (persisted with --state). */
export interface PasskeyRecord {
  /** Unpadded base64url. */
  credentialId: string
  publicKeyJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  /** The highest signature counter seen; 0 while the authenticator has not counted. */
  signCount: number
}

/** Validates a registration and returns what is kept; invalid-input naming the field otherwise. */
export function passkeyRecord(input: PasskeyRegistration): PasskeyRecord {
  const credentialId = Buffer.from(input.credentialId, 'base64url')
  if (credentialId.length === 0) throw new AppError('invalid-input', 'credentialId: is empty')
  const jwk = { kty: 'EC' as const, crv: 'P-256' as const, x: input.publicKeyJwk.x, y: input.publicKeyJwk.y }
  try {
    publicKeyOf(jwk)
  } catch (err) {
    throw new AppError('invalid-input', 'publicKeyJwk: is not a point on P-256', { cause: err })
  }
  return { credentialId: credentialId.toString('base64url'), publicKeyJwk: jwk, signCount: 0 }
}

function publicKeyOf(jwk: PasskeyRecord['publicKeyJwk']): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' })
}

/** Each check the simulated server runs, by the name its error reply carries. */
export const PASSKEY_CHECKS = {
  'challenge-expired': 'the challenge timed out before the assertion arrived',
  'unknown-credential': 'the credential is not the passkey registered for this phone',
  'malformed-assertion': 'the assertion is not WebAuthn assertion JSON',
  'client-data-type': 'clientDataJSON.type is not "webauthn.get"',
  'challenge-mismatch': 'clientDataJSON.challenge is not the challenge this attempt sent',
  'origin-mismatch': `clientDataJSON.origin is not ${PASSKEY_ORIGIN}`,
  'rp-id-mismatch': 'authenticatorData does not start with the SHA-256 of the rpId sent',
  'user-not-present': 'the user-present flag is not set',
  'user-not-verified': 'the user-verified flag is not set',
  'signature-invalid': 'the ES256 signature does not verify with the registered public key',
  'counter-not-increased': 'the signature counter did not grow (a replay, or a cloned authenticator)',
  'handoff-proof-invalid': 'the hand-off proof does not match the adv secret the phone scanned or derived',
  'ref-mismatch': 'the ephemeral identity names another ref than the one handed out',
  'malformed-prologue': 'the prologue payload is not a ProloguePayload with an identity and a commitment',
  'commitment-mismatch': 'SHA-256(identity ‖ nonce) is not the commitment the prologue carried',
  'pairing-request-invalid': 'the encrypted pairing request does not decrypt, or names other keys than the registered ones',
} as const
export type PasskeyCheck = keyof typeof PASSKEY_CHECKS

export class PasskeyCheckFailed extends Error {
  constructor(readonly check: PasskeyCheck) {
    super(`${check}: ${PASSKEY_CHECKS[check]}`)
    this.name = 'PasskeyCheckFailed'
  }
}

export interface ExpectedAssertion {
  challenge: Buffer
  rpId: string
  origin: string
  requireUserVerification: boolean
}

const AssertionJson = z.object({
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url }),
})

const ClientData = z.object({ type: z.string(), challenge: z.string(), origin: z.string() })

/**
 * Runs the relying party's checks; throws PasskeyCheckFailed naming the first that fails. Returns the
 * signature counter to keep. A counter that stays 0 on both sides is an authenticator without one
 * (WebAuthn §7.2 step 21), as synced passkeys are: accepted.
 */
export function verifyAssertion(record: PasskeyRecord, expected: ExpectedAssertion, credentialId: Buffer, assertionBytes: Buffer): number {
  if (!credentialId.equals(Buffer.from(record.credentialId, 'base64url'))) throw new PasskeyCheckFailed('unknown-credential')
  let assertion: z.infer<typeof AssertionJson>
  let clientData: z.infer<typeof ClientData>
  let clientDataBytes: Buffer
  try {
    assertion = AssertionJson.parse(JSON.parse(assertionBytes.toString('utf8')))
    clientDataBytes = Buffer.from(assertion.response.clientDataJSON, 'base64url')
    clientData = ClientData.parse(JSON.parse(clientDataBytes.toString('utf8')))
  } catch {
    throw new PasskeyCheckFailed('malformed-assertion')
  }
  if (!Buffer.from(assertion.rawId, 'base64url').equals(credentialId)) throw new PasskeyCheckFailed('unknown-credential')
  const authData = Buffer.from(assertion.response.authenticatorData, 'base64url')
  if (authData.length < 37) throw new PasskeyCheckFailed('malformed-assertion')
  if (clientData.type !== 'webauthn.get') throw new PasskeyCheckFailed('client-data-type')
  if (!Buffer.from(clientData.challenge, 'base64url').equals(expected.challenge)) throw new PasskeyCheckFailed('challenge-mismatch')
  if (clientData.origin !== expected.origin) throw new PasskeyCheckFailed('origin-mismatch')
  if (!authData.subarray(0, 32).equals(createHash('sha256').update(expected.rpId).digest())) throw new PasskeyCheckFailed('rp-id-mismatch')
  const flags = authData[32]!
  if (!(flags & FLAG_USER_PRESENT)) throw new PasskeyCheckFailed('user-not-present')
  if (expected.requireUserVerification && !(flags & FLAG_USER_VERIFIED)) throw new PasskeyCheckFailed('user-not-verified')
  const signed = Buffer.concat([authData, createHash('sha256').update(clientDataBytes).digest()])
  const signature = Buffer.from(assertion.response.signature, 'base64url')
  let valid = false
  try {
    valid = verify('sha256', signed, { key: publicKeyOf(record.publicKeyJwk), dsaEncoding: 'der' }, signature)
  } catch {
    valid = false
  }
  if (!valid) throw new PasskeyCheckFailed('signature-invalid')
  const counter = authData.readUInt32BE(33)
  if ((counter !== 0 || record.signCount !== 0) && counter <= record.signCount) throw new PasskeyCheckFailed('counter-not-increased')
  return counter
}

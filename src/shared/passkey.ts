// The WebAuthn shapes of passkey-gated linking, shared by every process: no electron, no node:*, no DOM.
// What a browser's PublicKeyCredential.parseRequestOptionsFromJSON takes, and what
// PublicKeyCredential.toJSON() gives back for an assertion. Binary fields are unpadded base64url.
// The protocol around them: docs/passkey-linking.md.

import { z } from 'zod'

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Unpadded base64url of at most `maxBytes` bytes, as toJSON() writes binary fields. */
function base64url(what: string, maxBytes: number) {
  return z
    .string({ message: `${what} must be a base64url string` })
    .min(1, `${what} is empty`)
    .max(Math.ceil((maxBytes * 4) / 3), `${what} is longer than ${maxBytes} bytes`)
    .regex(BASE64URL, `${what} must be unpadded base64url (A-Z, a-z, 0-9, - and _)`)
}

/** WebAuthn caps a credential id at 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023
/** Far above any authenticator's output (37 bytes plus extensions); a cap so nobody sends megabytes. */
const MAX_AUTHENTICATOR_DATA_BYTES = 2048
const MAX_CLIENT_DATA_BYTES = 4096
/** A DER ES256 signature is at most 72 bytes; other algorithms stay well under this. */
const MAX_SIGNATURE_BYTES = 256
/** WebAuthn caps a user handle at 64 bytes. */
const MAX_USER_HANDLE_BYTES = 64

/**
 * An assertion as PublicKeyCredential.toJSON() writes it. Fields nobody uses (authenticatorAttachment,
 * clientExtensionResults, anything a browser adds later) are accepted and dropped; userHandle may be
 * null or absent.
 */
export const PasskeyCredentialSchema = z
  .object({
    id: base64url('id', MAX_CREDENTIAL_ID_BYTES),
    rawId: base64url('rawId', MAX_CREDENTIAL_ID_BYTES),
    type: z.literal('public-key', { message: 'type must be "public-key"' }),
    authenticatorAttachment: z.string().max(64).nullable().optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
    response: z.object(
      {
        authenticatorData: base64url('response.authenticatorData', MAX_AUTHENTICATOR_DATA_BYTES),
        clientDataJSON: base64url('response.clientDataJSON', MAX_CLIENT_DATA_BYTES),
        signature: base64url('response.signature', MAX_SIGNATURE_BYTES),
        userHandle: base64url('response.userHandle', MAX_USER_HANDLE_BYTES).nullable().optional(),
      },
      { message: 'response must be the assertion response (authenticatorData, clientDataJSON, signature)' },
    ),
  })
  .refine((credential) => credential.id === credential.rawId, { message: 'id and rawId must be the same credential id', path: ['rawId'] })
export type PasskeyCredential = z.infer<typeof PasskeyCredentialSchema>

export const USER_VERIFICATION = ['required', 'preferred', 'discouraged'] as const

/** What navigator.credentials.get needs, as PublicKeyCredential.parseRequestOptionsFromJSON takes it. */
export const PasskeyRequestOptionsSchema = z.object({
  challenge: base64url('challenge', 1024),
  rpId: z.string().min(1).max(253).optional(),
  timeout: z.number().int().positive().optional(),
  userVerification: z.enum(USER_VERIFICATION).optional(),
  allowCredentials: z
    .array(
      z.object({
        id: base64url('allowCredentials[].id', MAX_CREDENTIAL_ID_BYTES),
        type: z.literal('public-key'),
        transports: z.array(z.string().max(32)).max(16).optional(),
      }),
    )
    .max(64)
    .optional(),
})
export type PasskeyRequestOptions = z.infer<typeof PasskeyRequestOptionsSchema>

/**
 * A passkey check under way, as the pairing state shows it (null when none is):
 * - `required`: WhatsApp asked for a passkey. Run navigator.credentials.get with `options` on a page of
 *   https://web.whatsapp.com (the desktop app's ceremony window, or `ceremonyUrl` with the browser
 *   helper) before `expiresAt`, and hand the result to accounts:passkey-response.
 * - `confirm`: WhatsApp accepted it. Show `code` (XXXX-XXXX) beside the phone's, and send
 *   accounts:passkey-confirm once the person says they match. The app always stops here.
 */
export const PasskeyPairingSchema = z.discriminatedUnion('phase', [
  z.object({
    phase: z.literal('required'),
    options: PasskeyRequestOptionsSchema,
    /** https://web.whatsapp.com/#irish-passkey=<single-use token>[&server=<origin>]: src/shared/passkey-ceremony.ts. */
    ceremonyUrl: z.string(),
    /** The earlier of the challenge's expiry and the end of the socket's pairing window. Epoch ms. */
    expiresAt: z.number(),
  }),
  z.object({ phase: z.literal('confirm'), code: z.string() }),
])
export type PasskeyPairing = z.infer<typeof PasskeyPairingSchema>

/** What GET /api/passkey-ceremony/<token> answers: the options to run navigator.credentials.get with, and until when. */
export const CeremonyOptionsSchema = z.object({ options: PasskeyRequestOptionsSchema, expiresAt: z.number() })
export type CeremonyOptions = z.infer<typeof CeremonyOptionsSchema>

/** What POST /api/passkey-ceremony/<token> answers: WhatsApp took the answer; `confirm`: the code is showing in Irish. */
export const CeremonyAnswerSchema = z.object({ accepted: z.literal(true), confirm: z.boolean() })
export type CeremonyAnswer = z.infer<typeof CeremonyAnswerSchema>

// The WebAuthn side of passkey-gated linking, for the companion: WhatsApp's request options turned
// into what a browser's navigator.credentials.get takes, and a browser's assertion turned into what
// WhatsApp's passkey_prologue carries. Main process, Electron-free. docs/passkey-linking.md.

import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import {
  PasskeyCredentialSchema,
  PasskeyRequestOptionsSchema,
  USER_VERIFICATION,
  type PasskeyCredential,
  type PasskeyRequestOptions,
} from '../../../shared/passkey'

/** base64 or base64url, padded or not: the reference client reads either. */
const LENIENT_BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

function toBase64url(value: string, what: string): string {
  if (!LENIENT_BASE64.test(value)) throw new AppError('invalid-input', `WhatsApp's passkey options have a ${what} that is not base64`)
  return Buffer.from(value, 'base64').toString('base64url')
}

/** What WhatsApp sends in <passkey_request_options>: WebAuthn request options, binaries in base64. */
const ServerOptionsSchema = z.object({
  challenge: z.string().min(1),
  rpId: z.string().min(1).optional(),
  timeout: z.number().positive().optional(),
  userVerification: z.string().optional(),
  allowCredentials: z
    .array(z.object({ id: z.string().min(1), type: z.string().optional(), transports: z.array(z.string()).optional() }))
    .optional(),
})

/**
 * WhatsApp's options as PublicKeyCredential.parseRequestOptionsFromJSON takes them: challenge and
 * credential ids in unpadded base64url. Unknown fields (extensions and the like) are dropped: no
 * browser needs them for a plain assertion.
 */
export function requestOptionsFromServer(json: string): PasskeyRequestOptions {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (err) {
    throw new AppError('invalid-input', "WhatsApp's passkey options are not JSON", { cause: err })
  }
  const parsed = ServerOptionsSchema.safeParse(raw)
  if (!parsed.success) throw new AppError('invalid-input', `WhatsApp's passkey options are not WebAuthn request options (${parsed.error.issues[0]?.message ?? 'invalid'})`)
  const server = parsed.data
  const options: PasskeyRequestOptions = { challenge: toBase64url(server.challenge, 'challenge') }
  if (server.rpId) options.rpId = server.rpId
  if (server.timeout) options.timeout = Math.round(server.timeout)
  const verification = USER_VERIFICATION.find((v) => v === server.userVerification)
  if (verification) options.userVerification = verification
  if (server.allowCredentials) {
    options.allowCredentials = server.allowCredentials.map((c) => ({
      id: toBase64url(c.id, 'credential id'),
      type: 'public-key' as const,
      ...(c.transports ? { transports: c.transports } : {}),
    }))
  }
  return PasskeyRequestOptionsSchema.parse(options)
}

/** Parses what a browser handed over, with a message a person can act on when it is not an assertion. */
export function parseCredential(input: unknown): PasskeyCredential {
  const parsed = PasskeyCredentialSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new AppError('invalid-input', `The passkey answer is not a WebAuthn assertion (${where}${issue?.message ?? 'invalid'}).`)
  }
  const credential = parsed.data
  if (Buffer.from(credential.response.authenticatorData, 'base64url').length < 37) {
    throw new AppError('invalid-input', 'The passkey answer is not a WebAuthn assertion (response.authenticatorData is shorter than 37 bytes).')
  }
  return credential
}

/** The credential id as the bytes <credential_id> carries. */
export function credentialIdBytes(credential: PasskeyCredential): Buffer {
  return Buffer.from(credential.rawId, 'base64url')
}

/**
 * The JSON <webauthn_assertion> carries: the fields the reference client sends, in its order, with
 * userHandle null when the authenticator gave none. Nothing a browser adds beyond them is forwarded.
 */
export function assertionJson(credential: PasskeyCredential): Buffer {
  const { response } = credential
  return Buffer.from(
    JSON.stringify({
      id: credential.id,
      rawId: credential.rawId,
      type: credential.type,
      response: {
        clientDataJSON: response.clientDataJSON,
        authenticatorData: response.authenticatorData,
        signature: response.signature,
        userHandle: response.userHandle ?? null,
      },
    }),
    'utf8',
  )
}

// WhatsApp's request options as a browser takes them, and a browser's assertion as WhatsApp's
// prologue carries it: what is accepted, dropped and refused, with messages a person can act on.

import { describe, expect, it } from 'vitest'
import { PasskeyRequestOptionsSchema } from '../../../shared/passkey'
import { assertionJson, credentialIdBytes, parseCredential, requestOptionsFromServer } from './webauthn'

const b64url = (bytes: Buffer): string => bytes.toString('base64url')

function credential(overrides: Record<string, unknown> = {}, response: Record<string, unknown> = {}) {
  const id = b64url(Buffer.from('credential-id-16'))
  return {
    id,
    rawId: id,
    type: 'public-key',
    authenticatorAttachment: 'cross-platform',
    clientExtensionResults: { appid: false },
    response: {
      authenticatorData: b64url(Buffer.alloc(37, 1)),
      clientDataJSON: b64url(Buffer.from('{"type":"webauthn.get"}')),
      signature: b64url(Buffer.alloc(70, 2)),
      userHandle: b64url(Buffer.from('user')),
      ...response,
    },
    ...overrides,
  }
}

describe('passkey request options from WhatsApp', () => {
  it('turns padded base64 binaries into unpadded base64url, as parseRequestOptionsFromJSON takes them', () => {
    const challenge = Buffer.from([0xfb, 0xff, 0xfe, 0x01])
    const credentialId = Buffer.from([0xff, 0xee])
    const options = requestOptionsFromServer(
      JSON.stringify({
        challenge: challenge.toString('base64'),
        rpId: 'whatsapp.com',
        timeout: 60000,
        userVerification: 'required',
        allowCredentials: [{ id: credentialId.toString('base64'), type: 'public-key', transports: ['internal', 'hybrid'] }],
        extensions: { something: true },
      }),
    )
    expect(options).toEqual({
      challenge: b64url(challenge),
      rpId: 'whatsapp.com',
      timeout: 60000,
      userVerification: 'required',
      allowCredentials: [{ id: b64url(credentialId), type: 'public-key', transports: ['internal', 'hybrid'] }],
    })
    expect(PasskeyRequestOptionsSchema.parse(options)).toEqual(options)
  })

  it('keeps only what it knows: no rpId or timeout stays absent, an unknown userVerification is dropped', () => {
    expect(requestOptionsFromServer('{"challenge":"AAEC","userVerification":"sometimes"}')).toEqual({ challenge: 'AAEC' })
  })

  it('refuses options that are not JSON, have no challenge, or a challenge that is not base64', () => {
    expect(() => requestOptionsFromServer('not json')).toThrow(/not JSON/)
    expect(() => requestOptionsFromServer('{"rpId":"whatsapp.com"}')).toThrow(/not WebAuthn request options/)
    expect(() => requestOptionsFromServer('{"challenge":"a b c"}')).toThrow(/challenge that is not base64/)
  })
})

describe('a passkey assertion from a browser', () => {
  it("accepts PublicKeyCredential.toJSON()'s whole shape and forwards only what the prologue carries, in order", () => {
    const input = credential({ futureField: 1 })
    const parsed = parseCredential(input)
    expect(credentialIdBytes(parsed)).toEqual(Buffer.from('credential-id-16'))
    expect(assertionJson(parsed).toString('utf8')).toBe(
      JSON.stringify({
        id: input.id,
        rawId: input.rawId,
        type: 'public-key',
        response: {
          clientDataJSON: input.response.clientDataJSON,
          authenticatorData: input.response.authenticatorData,
          signature: input.response.signature,
          userHandle: input.response.userHandle,
        },
      }),
    )
  })

  it('takes a missing or null userHandle as null', () => {
    const { userHandle: _dropped, ...withoutHandle } = credential().response
    expect(JSON.parse(assertionJson(parseCredential({ ...credential(), response: withoutHandle })).toString()).response.userHandle).toBeNull()
    expect(JSON.parse(assertionJson(parseCredential(credential({}, { userHandle: null }))).toString()).response.userHandle).toBeNull()
  })

  it('refuses what is not an assertion, naming the field', () => {
    expect(() => parseCredential('{}')).toThrow(/not a WebAuthn assertion/)
    expect(() => parseCredential(credential({ type: 'password' }))).toThrow(/type: type must be "public-key"/)
    expect(() => parseCredential(credential({ rawId: b64url(Buffer.from('another id')) }))).toThrow(/rawId: id and rawId must be the same/)
    expect(() => parseCredential(credential({}, { signature: Buffer.alloc(70).toString('base64') }))).toThrow(/response.signature: response.signature must be unpadded base64url/)
    expect(() => parseCredential(credential({}, { signature: b64url(Buffer.alloc(300)) }))).toThrow(/longer than 256 bytes/)
    expect(() => parseCredential(credential({}, { clientDataJSON: undefined }))).toThrow(/response.clientDataJSON/)
    expect(() => parseCredential(credential({ response: 'x' }))).toThrow(/response must be the assertion response/)
    expect(() => parseCredential(credential({}, { authenticatorData: b64url(Buffer.alloc(36)) }))).toThrow(/shorter than 37 bytes/)
  })
})

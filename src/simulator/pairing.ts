// The simulated phone's half of QR pairing: parse the QR a companion shows, build the signed
// device identity (ADV) it expects in pair-success, and check the signature it sends back.

import { createHmac } from 'node:crypto'
import { Curve, jidEncode, proto, type BinaryNode } from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors.js'
import { xeddsaVerify } from '../whatsapp-protocol/xeddsa'

const ACCOUNT_SIG_PREFIX = Buffer.from([6, 0])
const DEVICE_SIG_PREFIX = Buffer.from([6, 1])

export interface ParsedQr {
  ref: string
  noisePub: Buffer
  identityPub: Buffer
  advSecret: Buffer
  platformId: string
}

export function parseQr(qr: string): ParsedQr {
  const hash = qr.indexOf('#')
  const body = hash >= 0 ? qr.slice(hash + 1) : qr
  const parts = body.split(',')
  if (parts.length < 4) throw new AppError('invalid-input', 'This is not a WhatsApp pairing QR code')
  const [ref, noise, identity, adv, platformId] = parts as [string, string, string, string, string | undefined]
  const noisePub = Buffer.from(noise, 'base64')
  const identityPub = Buffer.from(identity, 'base64')
  const advSecret = Buffer.from(adv, 'base64')
  if (!ref || noisePub.length !== 32 || identityPub.length !== 32 || advSecret.length !== 32) {
    throw new AppError('invalid-input', 'The pairing QR code is malformed')
  }
  return { ref, noisePub, identityPub, advSecret, platformId: platformId ?? '' }
}

export interface DeviceIdentityInput {
  deviceId: number
  identityPub: Buffer
  advSecret: Buffer
  account: { public: Buffer; private: Buffer }
}

export interface BuiltDeviceIdentity {
  /** ADVSignedDeviceIdentityHMAC bytes for <device-identity> in pair-success. */
  container: Buffer
  details: Buffer
  accountSignature: Buffer
}

/**
 * The `pair-success` iq the server sends once the phone approved a companion: the signed device
 * identity, the phone's platform, and the new device's phone-number and LID addresses. The bench's
 * seeded accounts feed the same stanza to Baileys' configureSuccessfulPairing.
 */
export function pairSuccessNode(input: { id: string; t?: string; container: Buffer; pn: string; lid: string; deviceId: number }): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: '@s.whatsapp.net', type: 'set', id: input.id, xmlns: 'md', ...(input.t ? { t: input.t } : {}) },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: input.container },
          { tag: 'platform', attrs: { name: 'android' } },
          { tag: 'device', attrs: { jid: jidEncode(input.pn, 's.whatsapp.net', input.deviceId), lid: jidEncode(input.lid, 'lid', input.deviceId) } },
        ],
      },
    ],
  }
}

export function buildDeviceIdentity(input: DeviceIdentityInput): BuiltDeviceIdentity {
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: Math.floor(Math.random() * 0x7fffffff),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex: input.deviceId,
      accountType: proto.ADVEncryptionType.E2EE,
      deviceType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  )
  const accountSignature = Buffer.from(
    Curve.sign(input.account.private, Buffer.concat([ACCOUNT_SIG_PREFIX, details, input.identityPub])),
  )
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: input.account.public,
      accountSignature,
    }).finish(),
  )
  const hmac = createHmac('sha256', input.advSecret).update(signed).digest()
  const container = Buffer.from(proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish())
  return { container, details, accountSignature }
}

/** Checks the companion's pair-device-sign: same details, and a valid device signature. */
export function verifyDeviceSign(
  signedBytes: Uint8Array,
  expected: BuiltDeviceIdentity,
  identityPub: Buffer,
  accountPub: Buffer,
): boolean {
  const signed = proto.ADVSignedDeviceIdentity.decode(signedBytes)
  if (!signed.details || !signed.deviceSignature) return false
  if (!Buffer.from(signed.details).equals(expected.details)) return false
  const msg = Buffer.concat([DEVICE_SIG_PREFIX, expected.details, identityPub, accountPub])
  return xeddsaVerify(identityPub, msg, signed.deviceSignature)
}

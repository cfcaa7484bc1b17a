// Self-signed Noise certificate chain (root -> intermediate -> leaf over the server static key).
// Baileys verifies the intermediate against WA_CERT_DETAILS.PUBLIC_KEY, so a client only accepts
// this chain after the process explicitly trusts the simulator's root (see src/whatsapp-protocol/trust-root.ts).

import { Curve, proto } from '@whiskeysockets/baileys'
import type { KeyPair } from './noise.js'

export interface ServerIdentity {
  serverStatic: KeyPair
  certChain: Buffer
  rootPublic: Buffer
}

/** The root private key is discarded once the chain is signed: nothing else needs it. */
export function createServerIdentity(): ServerIdentity {
  const root = Curve.generateKeyPair()
  const intermediate = Curve.generateKeyPair()
  const serverStatic = Curve.generateKeyPair() as KeyPair
  const now = Math.floor(Date.now() / 1000)
  const interDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: 0,
    key: intermediate.public,
    notBefore: now,
    notAfter: now + 10 * 365 * 24 * 3600,
  }).finish()
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStatic.public,
    notBefore: now,
    notAfter: now + 10 * 365 * 24 * 3600,
  }).finish()
  const certChain = proto.CertChain.encode({
    intermediate: { details: interDetails, signature: Curve.sign(root.private, interDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish()
  return { serverStatic, certChain: Buffer.from(certChain), rootPublic: Buffer.from(root.public) }
}

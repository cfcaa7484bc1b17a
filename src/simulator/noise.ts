// Server (responder) side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake and the transport
// cipher that follows it. Mirrors Baileys' client in lib/Utils/noise-handler.js; any divergence
// shows up as a GCM authentication failure on one side.

import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto'
import { Curve, proto } from '@whiskeysockets/baileys'

const NOISE_MODE = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0', 'latin1')
const WA_PROLOGUE = Buffer.from([0x57, 0x41, 0x06, 0x03])
const EMPTY = Buffer.alloc(0)

export interface KeyPair {
  public: Buffer
  private: Buffer
}

function iv(counter: number): Buffer {
  const out = Buffer.alloc(12)
  out.writeUInt32BE(counter >>> 0, 8)
  return out
}

function gcmEncrypt(key: Buffer, counter: number, aad: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv(counter))
  cipher.setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

function gcmDecrypt(key: Buffer, counter: number, aad: Buffer, data: Uint8Array): Buffer {
  if (data.byteLength < 16) throw new Error('ciphertext shorter than its tag')
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const decipher = createDecipheriv('aes-256-gcm', key, iv(counter))
  decipher.setAAD(aad)
  decipher.setAuthTag(buf.subarray(buf.length - 16))
  return Buffer.concat([decipher.update(buf.subarray(0, buf.length - 16)), decipher.final()])
}

function hkdf64(ikm: Buffer, salt: Buffer): [Buffer, Buffer] {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, EMPTY, 64))
  return [out.subarray(0, 32), out.subarray(32)]
}

/** The per-direction ciphers after the handshake: separate counters, empty AAD. */
export class NoiseTransport {
  private readCounter = 0
  private writeCounter = 0

  constructor(
    private readonly decKey: Buffer,
    private readonly encKey: Buffer,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return gcmEncrypt(this.encKey, this.writeCounter++, EMPTY, plaintext)
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return gcmDecrypt(this.decKey, this.readCounter++, EMPTY, ciphertext)
  }
}

export interface HandshakeResult {
  clientStatic: Buffer
  payload: Buffer
  transport: NoiseTransport
}

/**
 * One handshake. `respond` consumes the ClientHello and returns the ServerHello bytes;
 * `finish` consumes the ClientFinish and returns the client's static key, its ClientPayload
 * and the transport. Both throw on anything malformed or unauthenticated.
 */
export class NoiseResponder {
  private hash: Buffer = NOISE_MODE
  private salt: Buffer = NOISE_MODE
  private key: Buffer = NOISE_MODE
  private counter = 0
  private ephemeral: KeyPair | null = null

  constructor(
    private readonly serverStatic: KeyPair,
    private readonly certChain: Uint8Array,
  ) {
    this.mixHash(WA_PROLOGUE)
  }

  respond(clientHelloFrame: Uint8Array): Buffer {
    const msg = proto.HandshakeMessage.decode(clientHelloFrame)
    const clientEphemeral = msg.clientHello?.ephemeral
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new Error('client hello without a 32-byte ephemeral')
    const ce = Buffer.from(clientEphemeral)
    this.mixHash(ce)
    const eph = Curve.generateKeyPair() as KeyPair
    this.ephemeral = eph
    this.mixHash(eph.public)
    this.mixKey(Curve.sharedKey(eph.private, ce))
    const encStatic = this.encrypt(this.serverStatic.public)
    this.mixKey(Curve.sharedKey(this.serverStatic.private, ce))
    const encCert = this.encrypt(this.certChain)
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: eph.public, static: encStatic, payload: encCert },
      }).finish(),
    )
  }

  finish(clientFinishFrame: Uint8Array): HandshakeResult {
    if (!this.ephemeral) throw new Error('client finish before client hello')
    const msg = proto.HandshakeMessage.decode(clientFinishFrame)
    const encStatic = msg.clientFinish?.static
    const encPayload = msg.clientFinish?.payload
    if (!encStatic || !encPayload) throw new Error('client finish missing static or payload')
    const clientStatic = this.decrypt(encStatic)
    if (clientStatic.length !== 32) throw new Error('client static key is not 32 bytes')
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic))
    const payload = this.decrypt(encPayload)
    const [clientToServer, serverToClient] = hkdf64(EMPTY, this.salt)
    return { clientStatic, payload, transport: new NoiseTransport(clientToServer, serverToClient) }
  }

  private mixHash(data: Uint8Array): void {
    this.hash = createHash('sha256').update(this.hash).update(data).digest()
  }

  private mixKey(ikm: Uint8Array): void {
    const [salt, key] = hkdf64(Buffer.from(ikm), this.salt)
    this.salt = salt
    this.key = key
    this.counter = 0
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const out = gcmEncrypt(this.key, this.counter++, this.hash, plaintext)
    this.mixHash(out)
    return out
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const out = gcmDecrypt(this.key, this.counter++, this.hash, ciphertext)
    this.mixHash(ciphertext)
    return out
  }
}

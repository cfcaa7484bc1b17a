// One paired account made without a pairing: what a QR pairing leaves on both sides, built by the same
// functions the two sides run. The companion's creds come from Baileys' initAuthCreds and
// configureSuccessfulPairing (fed the pair-success stanza the simulator would send), the phone's signed
// device identity from the simulator's buildDeviceIdentity, checked with its verifyDeviceSign, and the
// pre-keys from Baileys' getNextPreKeysNode, as the first login uploads them. Pure CPU work (curve25519
// keys, three signatures), so seed-accounts.ts runs it in worker threads. See seed-accounts.ts for
// what a seeded account has and what it skips.

import {
  BufferJSON,
  configureSuccessfulPairing,
  Curve,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  getNextPreKeysNode,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type BinaryNode,
  type KeyPair,
  type SignalDataSet,
  type SignalKeyStore,
} from '@whiskeysockets/baileys'
import type { AccountRecord as SimAccountRecord, PreKey } from '../src/simulator/directory'
import { buildDeviceIdentity, pairSuccessNode, verifyDeviceSign } from '../src/simulator/pairing'

/** The device number a first companion gets (the phone is device 0). */
export const SEEDED_DEVICE_ID = 1

export interface SeedIdentityInput {
  /** Digits, and the LID user (digits) the simulator gives the account. */
  phone: string
  lid: string
  /** The simulator's name for the account (its /accounts list shows it). */
  name: string
  /** One-time pre-keys uploaded for the device (Baileys' first login uploads 812). */
  preKeyCount: number
  now: number
}

/** Both sides of one pairing. Buffers travel between threads as Baileys' BufferJSON text. */
export interface SeedIdentity {
  phone: string
  /** The companion's creds after pairing, as BufferJSON text. */
  creds: string
  /** The companion's pre-keys by id, as BufferJSON text. */
  preKeys: string
  /** The simulator's record of the account and its one device. */
  sim: SimAccountRecord
}

/** The upload node's `<list>` as the simulator's iq handler reads it: id (3 bytes, big-endian) and public key. */
function uploadedPreKeys(node: BinaryNode): PreKey[] {
  return getBinaryNodeChildren(getBinaryNodeChild(node, 'list'), 'key').map((key) => ({
    id: Buffer.from(getBinaryNodeChild(key, 'id')!.content as Uint8Array).readUIntBE(0, 3),
    pub: Buffer.from(getBinaryNodeChild(key, 'value')!.content as Uint8Array).toString('base64'),
  }))
}

/** Baileys' key store, in memory, for the one call that generates pre-keys. */
function preKeyShelf(): { keys: SignalKeyStore; preKeys: Record<string, KeyPair> } {
  const preKeys: Record<string, KeyPair> = {}
  const keys: SignalKeyStore = {
    get: async (type, ids) => (type === 'pre-key' ? Object.fromEntries(ids.filter((id) => preKeys[id]).map((id) => [id, preKeys[id]])) : {}) as never,
    set: async (data: SignalDataSet) => {
      for (const [id, value] of Object.entries(data['pre-key'] ?? {})) if (value) preKeys[id] = value
    },
  }
  return { keys, preKeys }
}

export async function seedIdentity(input: SeedIdentityInput): Promise<SeedIdentity> {
  const creds: AuthenticationCreds = initAuthCreds()
  // The phone's ADV account key, as the simulator's directory makes one for a new account.
  const phoneKey = Curve.generateKeyPair()
  const identityPub = Buffer.from(creds.signedIdentityKey.public)
  const built = buildDeviceIdentity({
    deviceId: SEEDED_DEVICE_ID,
    identityPub,
    advSecret: Buffer.from(creds.advSecretKey, 'base64'),
    account: { public: Buffer.from(phoneKey.public), private: Buffer.from(phoneKey.private) },
  })
  const pairSuccess = pairSuccessNode({ id: 'seed', container: built.container, pn: input.phone, lid: input.lid, deviceId: SEEDED_DEVICE_ID })
  const { creds: paired, reply } = configureSuccessfulPairing(pairSuccess, creds)
  // The simulator's own check of the companion's answer: a seeding that signs wrong stops here.
  const signed = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity')?.content
  if (!(signed instanceof Uint8Array) || !verifyDeviceSign(signed, built, identityPub, Buffer.from(phoneKey.public))) {
    throw new Error(`seeding ${input.phone}: the device signature does not verify`)
  }
  Object.assign(creds, paired)

  const shelf = preKeyShelf()
  const { update, node } = await getNextPreKeysNode({ creds, keys: shelf.keys }, input.preKeyCount)
  Object.assign(creds, update)

  const sim: SimAccountRecord = {
    pn: input.phone,
    lid: input.lid,
    name: input.name,
    advPub: Buffer.from(phoneKey.public).toString('base64'),
    advPriv: Buffer.from(phoneKey.private).toString('base64'),
    nextDeviceId: SEEDED_DEVICE_ID + 1,
    devices: [
      {
        id: SEEDED_DEVICE_ID,
        noisePub: Buffer.from(creds.noiseKey.public).toString('base64'),
        registrationId: creds.registrationId,
        identityPub: identityPub.toString('base64'),
        signedPreKey: {
          id: creds.signedPreKey.keyId,
          pub: Buffer.from(creds.signedPreKey.keyPair.public).toString('base64'),
          sig: Buffer.from(creds.signedPreKey.signature).toString('base64'),
        },
        preKeys: uploadedPreKeys(node),
        pushName: '',
        // What the simulator records from Baileys' registration payload (Browsers.macOS: the web platform).
        platform: String(proto.ClientPayload.UserAgent.Platform.WEB),
        createdAt: input.now,
      },
    ],
  }
  return {
    phone: input.phone,
    creds: JSON.stringify(creds, BufferJSON.replacer),
    preKeys: JSON.stringify(shelf.preKeys, BufferJSON.replacer),
    sim,
  }
}

/** Reads back what seedIdentity wrote as text: Buffers again. */
export function reviveSeed<T>(text: string): T {
  return JSON.parse(text, BufferJSON.reviver) as T
}

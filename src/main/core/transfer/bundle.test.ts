import { createHash, randomBytes } from 'node:crypto'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import type { AuthSnapshot } from '../auth-store/types'
import {
  BUNDLE_MAGIC,
  BundleError,
  type BundleErrorReason,
  DEFAULT_SCRYPT,
  decodeBundle,
  encodeBundle,
  isBundle,
  MAX_BUNDLE_BYTES,
  readBundleMetadata,
  type ScryptParams,
} from './bundle'
import { toInfo } from './transfer-service'

// Cheap parameters so the suite stays fast; one test below runs the production default.
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery staple'
const APP = { appVersion: '0.1.0-test' }

function makeSnapshot(): AuthSnapshot {
  return {
    creds: initAuthCreds(),
    keys: {
      'pre-key': {
        '1': { public: randomBytes(32), private: randomBytes(32) },
        '2': { public: randomBytes(32), private: randomBytes(32) },
      },
      session: { '15550001111.0': new Uint8Array(randomBytes(120)) },
      'sender-key': { '1203@g.us::15550001111::0': new Uint8Array([0, 1, 2, 255]) },
      'app-state-sync-key': {
        AAAAAQ: { keyData: new Uint8Array(randomBytes(32)), fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] }, timestamp: 1_700_000_000 },
      },
      'app-state-sync-version': {
        regular_high: { version: 12, hash: randomBytes(128), indexValueMap: { 'aGVsbG8=': { valueMac: new Uint8Array(randomBytes(32)) } } },
      },
      'lid-mapping': { '15550001111': '987654321@lid' },
      'device-list': { '15550001111': ['0', '3'] },
      'sender-key-memory': {},
    },
  }
}

/** The byte ranges of a v1 bundle, computed independently of the code under test. */
function layout(buf: Buffer) {
  const metaLength = buf.readUInt32BE(9)
  const check = 13 + metaLength
  const nonce = check + 32
  const ciphertextLength = nonce + 12
  const ciphertext = ciphertextLength + 4
  const digest = buf.length - 32
  const tag = digest - 16
  return { meta: 13, metaLength, check, nonce, ciphertextLength, ciphertext, tag, digest }
}

function flip(buf: Buffer, offset: number): Buffer {
  const copy = Buffer.from(buf)
  copy[offset] = (copy[offset] as number) ^ 0x01
  return copy
}

/** Recomputes the unkeyed digest: what someone editing the file on purpose would do. */
function fixDigest(buf: Buffer): Buffer {
  const copy = Buffer.from(buf)
  createHash('sha256').update(copy.subarray(0, copy.length - 32)).digest().copy(copy, copy.length - 32)
  return copy
}

/** Replaces the metadata JSON (length field updated, digest recomputed). */
function withMeta(buf: Buffer, edit: (meta: Record<string, unknown>) => unknown): Buffer {
  const l = layout(buf)
  const meta = JSON.parse(buf.subarray(l.meta, l.check).toString('utf8')) as Record<string, unknown>
  const raw = Buffer.from(typeof edit(meta) === 'string' ? (edit(meta) as string) : JSON.stringify(meta))
  const length = Buffer.alloc(4)
  length.writeUInt32BE(raw.length)
  return fixDigest(Buffer.concat([buf.subarray(0, 9), length, raw, buf.subarray(l.check)]))
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

function expectBundleError(error: unknown, reason: BundleErrorReason): BundleError {
  expect(error).toBeInstanceOf(BundleError)
  const e = error as BundleError
  expect(e.reason).toBe(reason)
  expect(e).toBeInstanceOf(AppError)
  expect(e.message).not.toContain(PASS)
  expect(e.message.length).toBeGreaterThan(20)
  return e
}

/** Both readers must refuse; decode must reject without returning anything. */
async function expectRefused(buf: Uint8Array, reason: BundleErrorReason, passphrase = PASS): Promise<BundleError> {
  expectBundleError(caught(() => readBundleMetadata(buf)), reason)
  return expectBundleError(await rejection(decodeBundle(buf, passphrase)), reason)
}

const snapshot = makeSnapshot()
const bundle = await encodeBundle(
  { snapshot, meta: { accountPhone: '+15550001111', accountName: 'Support line', ...APP }, passphrase: PASS },
  { scrypt: FAST },
)

describe('encodeBundle / decodeBundle', () => {
  it('decrypts over its own ciphertext when the caller gives the buffer up, to the same snapshot', async () => {
    const given = Buffer.from(bundle)
    const { snapshot: inPlace } = await decodeBundle(given, PASS, { consume: true })
    expect(inPlace).toEqual((await decodeBundle(bundle, PASS)).snapshot)
    // The bytes were used up (the plaintext was written there, then wiped); the caller's copy is not.
    expect(given.equals(bundle)).toBe(false)
    expect((await decodeBundle(bundle, PASS)).snapshot).toEqual(inPlace)
  })

  it('refuses an edited payload in place too, leaving no plaintext behind', async () => {
    const edited = flip(bundle, layout(bundle).ciphertext + 5)
    // The digest would catch the edit first: recompute it, as someone editing on purpose would.
    const digestAt = layout(edited).digest
    createHash('sha256').update(edited.subarray(0, digestAt)).digest().copy(edited, digestAt)
    await expect(decodeBundle(edited, PASS, { consume: true })).rejects.toMatchObject({ reason: 'damaged' })
    const { ciphertext, tag } = layout(edited)
    expect(edited.subarray(ciphertext, tag).every((byte) => byte === 0)).toBe(true)
  })

  it('round-trips real creds and keys of every kind, keeping Buffer and Uint8Array apart', async () => {
    const { meta, snapshot: back } = await decodeBundle(bundle, PASS)
    expect(Buffer.isBuffer(back.creds.noiseKey.private)).toBe(true)
    expect(Buffer.from(back.creds.noiseKey.private).equals(Buffer.from(snapshot.creds.noiseKey.private))).toBe(true)
    expect(back.creds.signedPreKey).toEqual(snapshot.creds.signedPreKey)
    const session = back.keys['session']?.['15550001111.0']
    expect(session).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(session)).toBe(false)
    expect(session).toEqual(snapshot.keys['session']?.['15550001111.0'])
    expect(Buffer.isBuffer((back.keys['pre-key']?.['1'] as { private: unknown }).private)).toBe(true)
    expect(back.keys['sender-key-memory']).toEqual({})
    expect(meta).toMatchObject({
      format: 'irish-session-bundle',
      version: 1,
      accountPhone: '+15550001111',
      accountName: 'Support line',
      appVersion: '0.1.0-test',
      cipher: 'aes-256-gcm',
      keyCounts: {
        'pre-key': 2,
        session: 1,
        'sender-key': 1,
        'app-state-sync-key': 1,
        'app-state-sync-version': 1,
        'lid-mapping': 1,
        'device-list': 1,
        'sender-key-memory': 0,
      },
      kdf: { name: 'scrypt', ...FAST },
    })
    expect(Date.parse(meta.exportedAt)).toBeGreaterThan(Date.parse('2024-01-01'))
  })

  it('compares deeply equal to the input snapshot', async () => {
    const { snapshot: back } = await decodeBundle(bundle, PASS)
    expect(back).toEqual(snapshot)
  })

  it('works with the production scrypt default (N=2^17, r=8, p=1)', async () => {
    const small: AuthSnapshot = { creds: initAuthCreds(), keys: { 'pre-key': { '5': { public: randomBytes(32), private: randomBytes(32) } } } }
    const buf = await encodeBundle({ snapshot: small, meta: APP, passphrase: PASS })
    expect(readBundleMetadata(buf).kdf).toMatchObject({ N: 2 ** 17, r: 8, p: 1 })
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 })
    expect((await decodeBundle(buf, PASS)).snapshot).toEqual(small)
  })

  it('starts with the magic and version, keeps metadata readable and the secrets not', () => {
    expect(bundle.subarray(0, 9).toString('latin1')).toBe('IRISHBDL\x01')
    expect(bundle.toString('utf8')).toContain('"accountName":"Support line"')
    const secret = Buffer.from(snapshot.creds.noiseKey.private)
    expect(bundle.includes(secret)).toBe(false)
    expect(bundle.includes(Buffer.from(secret.toString('base64')))).toBe(false)
    expect(bundle.includes(Buffer.from(PASS))).toBe(false)
  })

  it('uses a fresh salt and nonce each time', async () => {
    const again = await encodeBundle({ snapshot, meta: APP, passphrase: PASS }, { scrypt: FAST })
    const a = readBundleMetadata(bundle)
    const b = readBundleMetadata(again)
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(Buffer.from(a.kdf.salt, 'base64')).toHaveLength(32)
    expect(again.subarray(layout(again).nonce, layout(again).ciphertextLength)).not.toEqual(
      bundle.subarray(layout(bundle).nonce, layout(bundle).ciphertextLength),
    )
  })

  it('accepts a Uint8Array and the NFD spelling of an NFC passphrase', async () => {
    const accented = 'café crème brûlée'
    const buf = await encodeBundle({ snapshot, meta: APP, passphrase: accented.normalize('NFC') }, { scrypt: FAST })
    const { snapshot: back } = await decodeBundle(new Uint8Array(buf), accented.normalize('NFD'))
    expect(back).toEqual(snapshot)
  })

  it('omits absent or empty account fields', async () => {
    const buf = await encodeBundle({ snapshot, meta: { accountName: '', ...APP }, passphrase: PASS }, { scrypt: FAST })
    const meta = readBundleMetadata(buf)
    expect('accountPhone' in meta).toBe(false)
    expect('accountName' in meta).toBe(false)
  })
})

describe('input validation', () => {
  it('requires a passphrase of at least 8 characters', async () => {
    const e = expectBundleError(await rejection(encodeBundle({ snapshot, meta: APP, passphrase: 'seven77' }, { scrypt: FAST })), 'bad-passphrase-input')
    expect(e.code).toBe('invalid-input')
    expect(e.message).toMatch(/at least 8 characters/)
    await expect(encodeBundle({ snapshot, meta: APP, passphrase: 'eight888' }, { scrypt: FAST })).resolves.toBeInstanceOf(Buffer)
  })

  it('refuses an empty or non-string passphrase on decode', async () => {
    expectBundleError(await rejection(decodeBundle(bundle, '')), 'bad-passphrase-input')
    expectBundleError(await rejection(decodeBundle(bundle, undefined as unknown as string)), 'bad-passphrase-input')
  })

  it('refuses a snapshot without creds or with malformed keys, and a missing app version', async () => {
    const bad = [
      { snapshot: { keys: {} } as unknown as AuthSnapshot, meta: APP },
      { snapshot: { creds: initAuthCreds(), keys: { session: 'x' } } as unknown as AuthSnapshot, meta: APP },
      { snapshot, meta: {} as typeof APP },
      { snapshot, meta: { accountName: 'a\nb', ...APP } },
    ]
    for (const input of bad) {
      const error = await rejection(encodeBundle({ ...input, passphrase: PASS }, { scrypt: FAST }))
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('invalid-input')
    }
  })

  it('refuses scrypt options outside the bounds', async () => {
    for (const params of [{ N: 2 ** 9, r: 8, p: 1 }, { N: 3000, r: 8, p: 1 }, { N: 2 ** 21, r: 8, p: 1 }, { N: 2 ** 10, r: 0, p: 1 }]) {
      const error = await rejection(encodeBundle({ snapshot, meta: APP, passphrase: PASS }, { scrypt: params }))
      expect((error as AppError).code).toBe('invalid-input')
    }
  })

  it('refuses an account too big for the size limit', async () => {
    const huge: AuthSnapshot = { creds: initAuthCreds(), keys: { session: { big: Buffer.alloc(49 * 1024 * 1024) } } }
    const e = expectBundleError(await rejection(encodeBundle({ snapshot: huge, meta: APP, passphrase: PASS }, { scrypt: FAST })), 'too-large')
    expect(e.code).toBe('payload-too-large')
  })
})

describe('readBundleMetadata', () => {
  it('returns the metadata without a passphrase', () => {
    const meta = readBundleMetadata(bundle)
    expect(meta.accountPhone).toBe('+15550001111')
    expect(meta.keyCounts['pre-key']).toBe(2)
  })
})

describe("what inspect shows of a bundle's metadata", () => {
  it('cleans direction controls and invisible characters out of the names a file claims', async () => {
    const hostile = await encodeBundle(
      {
        snapshot: makeSnapshot(),
        // RLO makes "+1555…" read backwards; the zero-width space and LRM hide in the name.
        meta: { accountPhone: '+1555\u202e0001111', accountName: 'Sup\u200bport\u200e \u2067desk\u2069', appVersion: '9.9\u202e.1' },
        passphrase: PASS,
      },
      { scrypt: FAST },
    )
    const info = toInfo(readBundleMetadata(hostile))
    expect(info).toMatchObject({ accountPhone: '+15550001111', accountName: 'Support desk', appVersion: '9.9.1' })
    expect(JSON.stringify(info)).not.toMatch(/[\u200b\u200e\u202e\u2066-\u2069]/)
  })

  it('shows a name with nothing visible left as no name', async () => {
    const blank = await encodeBundle({ snapshot: makeSnapshot(), meta: { accountName: '\u200b\u202e', ...APP }, passphrase: PASS }, { scrypt: FAST })
    expect(toInfo(readBundleMetadata(blank)).accountName).toBeNull()
  })
})

describe('isBundle', () => {
  it('recognises the magic whatever the version, and nothing else', () => {
    expect(isBundle(bundle)).toBe(true)
    const v9 = Buffer.from(bundle)
    v9[8] = 9
    expect(isBundle(v9)).toBe(true)
    expect(isBundle(Buffer.alloc(0))).toBe(false)
    expect(isBundle(Buffer.from('IRISHBD'))).toBe(false)
    expect(isBundle(Buffer.from('{"format":"irish-session-bundle"}'))).toBe(false)
  })
})

describe('wrong passphrase vs changed file', () => {
  it('reports a wrong passphrase as such', async () => {
    const e = expectBundleError(await rejection(decodeBundle(bundle, 'correct horse battery stapler')), 'wrong-passphrase')
    expect(e.code).toBe('invalid-input')
    expect(e.message).toMatch(/wrong passphrase/i)
  })

  it('reports one flipped byte anywhere as a changed or damaged file, even with the right passphrase', async () => {
    const l = layout(bundle)
    const places = {
      metadata: l.meta + 5,
      'account name in metadata': bundle.indexOf('Support line'),
      'check value': l.check + 3,
      nonce: l.nonce + 1,
      ciphertext: l.ciphertext + 10,
      'last ciphertext byte': l.tag - 1,
      tag: l.tag + 7,
      digest: l.digest + 31,
    }
    for (const [place, offset] of Object.entries(places)) {
      const e = await expectRefused(flip(bundle, offset), 'damaged')
      expect(e.message, place).toMatch(/changed or damaged/)
      expect(e.code).toBe('bad-bundle')
    }
  })

  it('refuses a flipped length field (an inflated length reads as a cut-off file)', async () => {
    const l = layout(bundle)
    // Top byte of the metadata length: far over the metadata cap.
    await expectRefused(flip(bundle, 9), 'damaged')
    // Top byte of the ciphertext length: 16 MiB more than the file holds.
    await expectRefused(flip(bundle, l.ciphertextLength), 'truncated')
    // Low byte shrinking the length: bytes left over after the computed end.
    const shrunk = Buffer.from(bundle)
    shrunk.writeUInt32BE(shrunk.readUInt32BE(l.ciphertextLength) - 1, l.ciphertextLength)
    await expectRefused(shrunk, 'damaged')
  })

  it('catches deliberate edits that also fix the digest: the GCM tag covers metadata and payload', async () => {
    const l = layout(bundle)
    for (const [place, offset] of Object.entries({
      metadata: bundle.indexOf('Support line'),
      'key count in metadata': bundle.indexOf('"pre-key":2') + 10,
      nonce: l.nonce,
      'first ciphertext byte': l.ciphertext,
      ciphertext: l.ciphertext + 100,
      tag: l.tag,
    })) {
      const edited = fixDigest(flip(bundle, offset))
      // The structure is still valid, so metadata reads; it is only a claim until decode verifies it.
      expect(() => readBundleMetadata(edited), place).not.toThrow()
      const e = expectBundleError(await rejection(decodeBundle(edited, PASS)), 'damaged')
      expect(e.message, place).toMatch(/changed or damaged/)
    }
  })

  it('catches an edited account name of the same length (AAD)', async () => {
    const edited = fixDigest(Buffer.from(bundle.toString('latin1').replace('Support line', 'Support lime'), 'latin1'))
    expect(readBundleMetadata(edited).accountName).toBe('Support lime')
    expectBundleError(await rejection(decodeBundle(edited, PASS)), 'damaged')
  })

  it('treats a deliberately edited check value or salt as a wrong passphrase (documented limit), returning nothing', async () => {
    const l = layout(bundle)
    expectBundleError(await rejection(decodeBundle(fixDigest(flip(bundle, l.check)), PASS)), 'wrong-passphrase')
    const salted = withMeta(bundle, (meta) => {
      ;(meta['kdf'] as { salt: string }).salt = randomBytes(32).toString('base64')
    })
    expectBundleError(await rejection(decodeBundle(salted, PASS)), 'wrong-passphrase')
  })

  it('refuses metadata that is not JSON or not the v1 shape', async () => {
    await expectRefused(withMeta(bundle, () => '{not json'), 'damaged')
    await expectRefused(withMeta(bundle, (meta) => void (meta['format'] = 'something-else')), 'damaged')
    await expectRefused(withMeta(bundle, (meta) => void (meta['version'] = 2)), 'damaged')
    await expectRefused(withMeta(bundle, (meta) => void delete meta['kdf']), 'damaged')
    await expectRefused(withMeta(bundle, (meta) => void (meta['keyCounts'] = { session: -1 })), 'damaged')
  })

  it('refuses extra bytes after the end', async () => {
    await expectRefused(Buffer.concat([bundle, Buffer.from([0])]), 'damaged')
  })
})

describe('truncated, foreign, newer, oversized and hostile files', () => {
  it('reports a file cut off anywhere as truncated', async () => {
    const l = layout(bundle)
    for (const length of [1, 4, 8, 9, 12, 13, l.meta + 20, l.check, l.check + 10, l.nonce + 5, l.ciphertext - 1, l.ciphertext + 50, l.tag, l.digest, bundle.length - 1]) {
      const e = await expectRefused(bundle.subarray(0, length), 'truncated')
      expect(e.code).toBe('bad-bundle')
      expect(e.message).toMatch(/incomplete/)
    }
  })

  it('says a newer version needs an app update, naming the version', async () => {
    const newer = Buffer.from(bundle)
    newer[8] = 2
    const e = await expectRefused(newer, 'unsupported-version')
    expect(e.message).toMatch(/version 2/)
    expect(e.message).toMatch(/Update the app/)
  })

  it('says "not a bundle" for random bytes, a JSON file, an empty file and a near-miss magic', async () => {
    const json = Buffer.from(JSON.stringify({ format: 'irish-session-bundle', version: 1, creds: {} }))
    const nearMiss = Buffer.from(bundle)
    nearMiss[7] = 'X'.charCodeAt(0)
    for (const buf of [randomBytes(4096), json, Buffer.alloc(0), Buffer.from('hello'), nearMiss]) {
      const e = await expectRefused(buf, 'not-a-bundle')
      expect(e.code).toBe('invalid-input')
      expect(e.message).toMatch(/not an Irish Desktop session bundle/)
    }
  })

  it('refuses a file over the size limit before looking further', async () => {
    const big = Buffer.alloc(MAX_BUNDLE_BYTES + 1)
    BUNDLE_MAGIC.copy(big)
    big[8] = 1
    const e = await expectRefused(big, 'too-large')
    expect(e.code).toBe('payload-too-large')
    expect(e.message).toMatch(/64\.0 MiB/)
  })

  it('refuses hostile key-derivation parameters without running them', async () => {
    const hostile: Array<Partial<{ N: number; r: number; p: number; salt: string }>> = [
      { N: 2 ** 30 },
      { N: 2 ** 21 },
      { N: 3000 },
      { N: 2 ** 9 },
      { r: 1000 },
      { r: 0 },
      { p: 64 },
      { N: 2 ** 20, r: 16 }, // 2 GiB
      { N: 2 ** 18, r: 8, p: 4 }, // 16x the default work
      { salt: randomBytes(4).toString('base64') },
      { salt: randomBytes(100).toString('base64') },
    ]
    for (const change of hostile) {
      const buf = withMeta(bundle, (meta) => {
        Object.assign(meta['kdf'] as object, change)
      })
      const e = await expectRefused(buf, 'unsupported-kdf')
      expect(e.message).toMatch(/key-derivation settings/)
    }
  })
})

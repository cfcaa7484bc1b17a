// Property-based checks of the bundle reader: random bytes, and valid bundles with bytes flipped,
// inserted, cut or the digest recomputed after an edit, are always refused with an AppError whose code
// is one of the closed set, never a crash or some other exception.

import { createHash, randomBytes } from 'node:crypto'
import { initAuthCreds } from '@whiskeysockets/baileys'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, isAppError } from '../../../shared/errors'
import { BUNDLE_MAGIC, decodeBundle, encodeBundle, readBundleMetadata, type ScryptParams } from './bundle'

const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery staple'
const creds = initAuthCreds()
creds.me = { id: '15550001111:2@s.whatsapp.net', name: 'Prop' }
const valid = await encodeBundle(
  { snapshot: { creds, keys: { 'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) } } } }, meta: { accountName: 'Prop', appVersion: 'test' }, passphrase: PASS },
  { scrypt: FAST },
)

/** The outcome of reading `bytes`: 'ok', or the error's code; anything that is not an AppError fails the property. */
async function outcome(bytes: Uint8Array, passphrase = PASS): Promise<string> {
  try {
    readBundleMetadata(bytes)
  } catch (error) {
    if (!isAppError(error)) throw error
    expect(ERROR_CODES).toContain(error.code)
  }
  try {
    await decodeBundle(bytes, passphrase)
    return 'ok'
  } catch (error) {
    if (!isAppError(error)) throw error
    expect(ERROR_CODES).toContain(error.code)
    expect(error.code).not.toBe('internal')
    expect(error.message).not.toContain(PASS)
    return error.code
  }
}

function withDigest(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  if (copy.length >= 32) createHash('sha256').update(copy.subarray(0, copy.length - 32)).digest().copy(copy, copy.length - 32)
  return copy
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), fix: fc.boolean() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }), fix: fc.boolean() }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }), fix: fc.boolean() }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const at = m.at % bytes.length
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(bytes)
      copy[at] = (copy[at] as number) ^ (1 << m.bit)
      return m.fix ? withDigest(copy) : copy
    }
    case 'cut':
      return bytes.subarray(0, at)
    case 'insert': {
      const copy = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)])
      return m.fix ? withDigest(copy) : copy
    }
    case 'overwrite': {
      const copy = Buffer.from(bytes)
      Buffer.from(m.bytes).copy(copy, at)
      return m.fix ? withDigest(copy) : copy
    }
  }
}

describe('bundle reader (properties)', () => {
  it('refuses random bytes, with or without the magic in front, with a closed error code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, magic) => {
        const input = magic ? Buffer.concat([BUNDLE_MAGIC, Buffer.from(bytes)]) : Buffer.from(bytes)
        expect(await outcome(input)).not.toBe('ok')
      }),
      { numRuns: 300 },
    )
  })

  it('refuses every mutated bundle with a closed error code (and never decodes one)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const input = mutations.reduce<Buffer>((bytes, m) => mutate(bytes, m), Buffer.from(valid))
        const result = await outcome(input)
        // Only a mutation that changed nothing (a flip undone by another) may still decode.
        if (result === 'ok') expect(input.equals(valid)).toBe(true)
      }),
      { numRuns: 300 },
    )
  }, 60_000)

  it('refuses the valid bundle under random wrong passphrases, with invalid-input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }).filter((p) => p !== PASS), async (passphrase) => {
        expect(await outcome(valid, passphrase)).toBe('invalid-input')
      }),
      { numRuns: 40 },
    )
  }, 60_000)
})

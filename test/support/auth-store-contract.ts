// The one behaviour suite every AuthStore implementation must pass (memory, file, encrypted SQLite, and
// any user-written store). Test-only: imported by *.test.ts files, never by app code.
// Uses real Baileys values (initAuthCreds, Curve key pairs) rather than hand-made look-alikes.

import { Curve, initAuthCreds, type AuthenticationCreds, type KeyPair } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../src/shared/ids'
import type { AuthStoreFactory, KeyData, ManagedAuthStore } from '../../src/main/core/auth-store/types'

export interface ContractHarness {
  factory: AuthStoreFactory
  /** Removes temp files; called after the factory is closed. */
  cleanup(): Promise<void>
}

export interface ContractOptions {
  /** Extra time for stores that fsync every file (the 10,000-key test). */
  slowTimeoutMs?: number
}

const A = 'acct-a' as AccountId
const B = 'acct-b' as AccountId

/** One value of every shape Baileys stores, keyed by type. Fresh random bytes on every call. */
export function sampleKeys(): KeyData {
  return {
    'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() },
    session: { '5511999990000.0': new Uint8Array(randomBytes(300)) },
    'sender-key': { '120363000000000000@g.us::5511999990000::0': Buffer.from(randomBytes(120)) },
    'sender-key-memory': { '120363000000000000@g.us': { '5511999990000@s.whatsapp.net': true } },
    'app-state-sync-key': {
      'AAAAAFx3/w==': { keyData: randomBytes(32), fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] }, timestamp: 1_700_000_000 },
    },
    'app-state-sync-version': {
      regular: { version: 12, hash: randomBytes(128), indexValueMap: { abc: { valueMac: randomBytes(32) } } },
    },
    'lid-mapping': { '5511999990000': '123456789012345' },
    'device-list': { '5511999990000': ['0', '3', '7'] },
    tctoken: { '5511999990000@s.whatsapp.net': { token: randomBytes(20), timestamp: '1700000000' } },
    'identity-key': { '5511999990000.0': new Uint8Array(randomBytes(33)) },
  }
}

/** Buffers and Uint8Arrays compared by bytes (BufferJSON returns both as Buffer, a Uint8Array). */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') }
  if (Array.isArray(value)) return value.map(normalize)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
  }
  return value
}

/**
 * `bytes` (a database's raw contents) hold none of the secrets of `creds` and `keyPair`, in raw or base64
 * form, nor a creds field name; the key type, stored in clear, is found, so the search itself works.
 */
export function expectNoPlaintext(bytes: Buffer, creds: AuthenticationCreds, keyPair: KeyPair, keyType: string): void {
  const needles = [
    Buffer.from(creds.advSecretKey, 'utf8'),
    Buffer.from(creds.noiseKey.private),
    Buffer.from(Buffer.from(creds.noiseKey.private).toString('base64'), 'utf8'),
    Buffer.from(keyPair.private),
    Buffer.from(Buffer.from(keyPair.private).toString('base64'), 'utf8'),
    Buffer.from('"registrationId"', 'utf8'),
  ]
  for (const needle of needles) expect(bytes.includes(needle)).toBe(false)
  expect(bytes.includes(Buffer.from(keyType, 'utf8'))).toBe(true)
}

export function expectSameValue(actual: unknown, expected: unknown): void {
  expect(normalize(actual)).toEqual(normalize(expected))
}

function circular(): unknown {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}

export function describeAuthStoreContract(name: string, makeHarness: () => Promise<ContractHarness>, options: ContractOptions = {}): void {
  describe(`AuthStore contract: ${name}`, () => {
    let harness: ContractHarness
    let store: ManagedAuthStore

    beforeEach(async () => {
      harness = await makeHarness()
      store = harness.factory.open(A)
    })
    afterEach(async () => {
      await harness.factory.close()
      await harness.cleanup()
    })

    it('has no creds before the account is paired', async () => {
      expect(await store.loadCreds()).toBeNull()
      expect(await store.exportSnapshot()).toBeNull()
    })

    it('round-trips real initAuthCreds() creds, Buffers included', async () => {
      const creds = initAuthCreds()
      await store.saveCreds(creds)
      const loaded = await store.loadCreds()
      expect(loaded).not.toBeNull()
      expectSameValue(loaded, creds)
      expect(Buffer.isBuffer(loaded?.noiseKey.private)).toBe(true)
      expect(Buffer.compare(loaded!.signedIdentityKey.public, creds.signedIdentityKey.public)).toBe(0)
      // Saving again replaces, it does not merge.
      const next = { ...creds, registrationId: creds.registrationId + 1 }
      await store.saveCreds(next)
      expect((await store.loadCreds())?.registrationId).toBe(creds.registrationId + 1)
    })

    it('round-trips every Baileys key shape, and a Uint8Array comes back with the same bytes', async () => {
      const data = sampleKeys()
      await store.set(data)
      for (const [type, entries] of Object.entries(data)) {
        const ids = Object.keys(entries!)
        const got = await store.get(type, ids)
        expect(Object.keys(got).sort()).toEqual(ids.sort())
        expectSameValue(got, entries)
      }
      const session = (await store.get('session', ['5511999990000.0']))['5511999990000.0']
      expect(session).toBeInstanceOf(Uint8Array)
      const pair = (await store.get('pre-key', ['1']))['1'] as { private: Uint8Array; public: Uint8Array }
      expect(Buffer.from(pair.public).equals(Buffer.from((data['pre-key']!['1'] as { public: Uint8Array }).public))).toBe(true)
    })

    it('leaves missing ids out of get (not present as undefined)', async () => {
      await store.set({ 'pre-key': { '1': Curve.generateKeyPair() } })
      const got = await store.get('pre-key', ['1', '404'])
      expect(Object.keys(got)).toEqual(['1'])
      expect('404' in got).toBe(false)
      expect(await store.get('pre-key', [])).toEqual({})
      expect(await store.get('never-written', ['x'])).toEqual({})
    })

    it('deletes on null (and undefined), and deleting a missing id is fine', async () => {
      await store.set({ 'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair(), '3': Curve.generateKeyPair() } })
      await store.set({ 'pre-key': { '1': null, '2': undefined, '999': null } })
      expect(Object.keys(await store.get('pre-key', ['1', '2', '3']))).toEqual(['3'])
      expect(await store.counts()).toEqual({ 'pre-key': 1 })
    })

    it.each([
      ['a BigInt', () => 10n],
      ['a circular object', circular],
      ['a function', () => () => 1],
    ])('applies nothing when %s sits in the middle of a batch', async (_what, bad) => {
      const before = Curve.generateKeyPair()
      await store.set({ 'pre-key': { keep: before, gone: Curve.generateKeyPair() } })
      const attempt = store.set({
        'pre-key': { keep: Curve.generateKeyPair(), gone: null, fresh: Curve.generateKeyPair() },
        session: { bad: bad() },
        'sender-key': { after: randomBytes(8) },
      })
      await expect(attempt).rejects.toMatchObject({ code: 'invalid-input' })
      const got = await store.get('pre-key', ['keep', 'gone', 'fresh'])
      expect(Object.keys(got).sort()).toEqual(['gone', 'keep'])
      expectSameValue(got.keep, before)
      expect(await store.get('sender-key', ['after'])).toEqual({})
      expect(await store.get('session', ['bad'])).toEqual({})
    })

    it('loses no write under 100 concurrent sets', async () => {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.set({ session: { [`peer-${i}.0`]: Buffer.from([i]) }, 'pre-key': { [`${i}`]: null } })),
      )
      const ids = Array.from({ length: 100 }, (_, i) => `peer-${i}.0`)
      const got = await store.get('session', ids)
      expect(Object.keys(got)).toHaveLength(100)
      ids.forEach((id, i) => expect(Buffer.from(got[id] as Uint8Array)[0]).toBe(i))
    })

    it('stores key types it has never heard of', async () => {
      await store.set({ 'baileys-9-new-type': { x: { nested: [1, 'two', { three: Buffer.from('3') }] } }, futuretype: { y: 'z' } })
      const got = await store.get('baileys-9-new-type', ['x'])
      expectSameValue(got.x, { nested: [1, 'two', { three: Buffer.from('3') }] })
      expect(await store.get('futuretype', ['y'])).toEqual({ y: 'z' })
      // Counted by a dash-free name: the file layout cannot tell where an unknown dashed type ends.
      expect((await store.counts()).futuretype).toBe(1)
    })

    it(
      'holds 10,000 keys in one set and reads them all back',
      async () => {
        const keys: Record<string, { private: Uint8Array; public: Uint8Array }> = {}
        for (let i = 0; i < 10_000; i++) keys[String(i)] = { private: randomBytes(32), public: randomBytes(33) }
        await store.set({ 'pre-key': keys })
        expect(await store.counts()).toEqual({ 'pre-key': 10_000 })
        const got = await store.get('pre-key', Object.keys(keys))
        expect(Object.keys(got)).toHaveLength(10_000)
        expectSameValue(got['9999'], keys['9999'])
        expectSameValue(got['0'], keys['0'])
      },
      options.slowTimeoutMs,
    )

    it('keeps ids with /, :, spaces and non-ASCII apart and intact', async () => {
      const ids = ['group/with/slashes', 'jid:with:colons', 'id with spaces', 'ünïcödé-日本-😀', 'mixed a/b:c d']
      const data = Object.fromEntries(ids.map((id, i) => [id, { n: i, raw: Buffer.from(id) }]))
      await store.set({ 'sender-key-memory': data })
      const got = await store.get('sender-key-memory', ids)
      expect(Object.keys(got).sort()).toEqual([...ids].sort())
      expectSameValue(got, data)
    })

    it('keeps accounts apart', async () => {
      const other = harness.factory.open(B)
      const credsA = initAuthCreds()
      const credsB = initAuthCreds()
      await store.saveCreds(credsA)
      await other.saveCreds(credsB)
      await store.set({ session: { same: Buffer.from('a') } })
      await other.set({ session: { same: Buffer.from('b') }, 'pre-key': { '1': Curve.generateKeyPair() } })
      expectSameValue((await store.get('session', ['same'])).same, Buffer.from('a'))
      expectSameValue((await other.get('session', ['same'])).same, Buffer.from('b'))
      expect(await store.counts()).toEqual({ session: 1 })
      await store.clear()
      expect(await store.loadCreds()).toBeNull()
      expect(await store.counts()).toEqual({})
      expectSameValue(await other.loadCreds(), credsB)
      expect(await other.counts()).toEqual({ session: 1, 'pre-key': 1 })
    })

    it('exports a snapshot and imports it atomically, replacing what was there', async () => {
      const creds = initAuthCreds()
      const data = sampleKeys()
      await store.saveCreds(creds)
      await store.set(data)
      const snapshot = await store.exportSnapshot()
      expect(snapshot).not.toBeNull()
      expectSameValue(snapshot!.creds, creds)
      expectSameValue(snapshot!.keys, data)

      const other = harness.factory.open(B)
      await other.set({ 'pre-key': { stale: Curve.generateKeyPair() } })
      await other.importSnapshot(snapshot!)
      expectSameValue(await other.exportSnapshot(), snapshot)
      expect(await other.get('pre-key', ['stale'])).toEqual({})

      const broken = { creds, keys: { 'pre-key': { ok: Curve.generateKeyPair() }, session: { bad: 1n } } }
      await expect(other.importSnapshot(broken as never)).rejects.toMatchObject({ code: 'invalid-input' })
      expectSameValue(await other.exportSnapshot(), snapshot)
    })

    it('rejects invalid input with invalid-input', async () => {
      expect(() => harness.factory.open('Not An Id' as AccountId)).toThrow(expect.objectContaining({ code: 'invalid-input' }))
      expect(() => harness.factory.open('' as AccountId)).toThrow(expect.objectContaining({ code: 'invalid-input' }))
      await expect(store.get('session', 'abc' as never)).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.get('session', [1] as never)).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.get('', ['x'])).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.set(null as never)).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.set({ session: [Buffer.from('x')] } as never)).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.saveCreds(null as never)).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(store.importSnapshot({ creds: initAuthCreds() } as never)).rejects.toMatchObject({ code: 'invalid-input' })
    })
  })
}

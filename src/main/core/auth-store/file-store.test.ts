import { Curve, initAuthCreds, useMultiFileAuthState } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describeAuthStoreContract, expectSameValue, sampleKeys } from '../../../../test/support/auth-store-contract'
import { createFileAuthStoreFactory, decodeKeyFileName, keyFileName } from './file-store'
import type { KeyData } from './types'

describeAuthStoreContract(
  'file (useMultiFileAuthState layout)',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'auth-files-'))
    return { factory: createFileAuthStoreFactory({ root }), cleanup: async () => rmSync(root, { recursive: true, force: true }) }
  },
  { slowTimeoutMs: 120_000 },
)

describe('file store and plain Baileys', () => {
  const acct = 'imported' as AccountId
  let root: string
  let folder: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'auth-files-'))
    folder = join(root, acct)
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  /** Types whose values Baileys' own get returns as stored (it rebuilds app-state-sync-key as a proto message). */
  function verbatimTypes(data: KeyData): [string, Record<string, unknown>][] {
    return Object.entries(data).filter(([type]) => type !== 'app-state-sync-key') as [string, Record<string, unknown>][]
  }

  it('reads a folder written by useMultiFileAuthState identically', async () => {
    const baileys = await useMultiFileAuthState(folder)
    await baileys.saveCreds()
    const data = sampleKeys()
    await baileys.state.keys.set(data as never)

    const store = createFileAuthStoreFactory({ root }).open(acct)
    expectSameValue(await store.loadCreds(), baileys.state.creds)
    for (const [type, entries] of Object.entries(data)) {
      expectSameValue(await store.get(type, Object.keys(entries!)), entries)
    }
    const snapshot = await store.exportSnapshot()
    expectSameValue(snapshot?.keys, data)
  })

  it('writes a folder that useMultiFileAuthState reads identically', async () => {
    const store = createFileAuthStoreFactory({ root }).open(acct)
    const creds = initAuthCreds()
    const data = sampleKeys()
    await store.saveCreds(creds)
    await store.set(data)

    const baileys = await useMultiFileAuthState(folder)
    expectSameValue(baileys.state.creds, creds)
    for (const [type, entries] of verbatimTypes(data)) {
      expectSameValue(await baileys.state.keys.get(type as never, Object.keys(entries)), entries)
    }
    const [id, value] = Object.entries(data['app-state-sync-key']!)[0]!
    const fromBaileys = (await baileys.state.keys.get('app-state-sync-key', [id]))[id]
    expect(Buffer.from(fromBaileys!.keyData!).equals((value as { keyData: Buffer }).keyData)).toBe(true)
  })

  it('writes the same bytes as Baileys for the same value', async () => {
    const pair = Curve.generateKeyPair()
    const baileysFolder = join(root, 'plain')
    const baileys = await useMultiFileAuthState(baileysFolder)
    await baileys.state.keys.set({ 'sender-key': { 'g@g.us::5511:2::0': pair.public } as never })
    await createFileAuthStoreFactory({ root }).open(acct).set({ 'sender-key': { 'g@g.us::5511:2::0': pair.public } })
    const name = 'sender-key-g@g.us--5511-2--0.json'
    expect(readdirSync(folder)).toEqual([name])
    expect(readFileSync(join(folder, name))).toEqual(readFileSync(join(baileysFolder, name)))
  })

  it('names files as Baileys does and decodes known id shapes back', () => {
    expect(keyFileName('app-state-sync-key', 'AAAA/w==')).toBe('app-state-sync-key-AAAA__w==.json')
    expect(decodeKeyFileName('app-state-sync-key-AAAA__w==.json')).toEqual({ type: 'app-state-sync-key', id: 'AAAA/w==' })
    const senderKeyId = '120363-1600000000@g.us::5511999_1::3'
    expect(decodeKeyFileName(keyFileName('sender-key', senderKeyId))).toEqual({ type: 'sender-key', id: senderKeyId })
    expect(decodeKeyFileName('sender-key-memory-120363@g.us.json')).toEqual({ type: 'sender-key-memory', id: '120363@g.us' })
    expect(decodeKeyFileName('brand-new-type-x.json')).toEqual({ type: 'brand', id: 'new-type-x' })
    expect(decodeKeyFileName('creds.json')).toBeNull()
    expect(decodeKeyFileName('.pre-key-1.json.abc.tmp')).toBeNull()
  })

  it('reports an unreadable file as storage-corrupt naming it', async () => {
    const store = createFileAuthStoreFactory({ root }).open(acct)
    await store.set({ session: { 'x.0': randomBytes(4) } })
    writeFileSync(join(folder, 'session-x.0.json'), '{"truncated')
    await expect(store.get('session', ['x.0'])).rejects.toMatchObject({
      code: 'storage-corrupt',
      message: expect.stringContaining('session-x.0.json'),
    })
  })

  it('leaves no temp files behind and refuses names the layout cannot hold', async () => {
    const store = createFileAuthStoreFactory({ root }).open(acct)
    await store.set({ 'pre-key': { '1': Curve.generateKeyPair() } })
    await expect(store.set({ 'pre-key': { 'a\\b': Curve.generateKeyPair() } })).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(store.set({ 'pre-key': { ['x'.repeat(300)]: Curve.generateKeyPair() } })).rejects.toMatchObject({
      code: 'invalid-input',
    })
    expect(readdirSync(folder)).toEqual(['pre-key-1.json'])
  })
})

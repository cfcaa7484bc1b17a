// Session bundles and Baileys folders through real server processes: export (copy and move), import on
// a fresh server and back with replace, a folder written by plain Baileys, and every bad input refused
// with a clear error and no change to the database.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountHealth, AccountSummary, BundleInfo } from '../src/shared/contract'
import { BUNDLE_MAGIC, MAX_BUNDLE_BYTES } from '../src/main/core/transfer/bundle'
import {
  awaitStatus,
  databaseDigest,
  pairAccount,
  pairBaileysFolder,
  qrCodesShown,
  refusal,
  useTransferServers,
  type TestServer,
} from './support/transfer-support'

const PASSPHRASE = 'correct horse battery staple'

interface Exported {
  fileName: string
  bundle: string
  bytes: number
  meta: BundleInfo
  account: AccountSummary
}

const { simulator, a, b } = useTransferServers({ beforeAll, afterAll }, ['irish-src-', 'irish-dst-'])
const folders: string[] = []

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  folders.push(folder)
  return folder
}

/** Everything a caller can see of a server's accounts: summaries and key counts. */
async function visibleState(target: TestServer): Promise<unknown> {
  const accounts = await target.server.value<AccountSummary[]>('accounts:list')
  const health = await Promise.all(accounts.map((x) => target.server.value<AccountHealth>('accounts:health', { id: x.id })))
  return health.map((h) => ({ id: h.id, status: h.status, phone: h.phone, movedTo: h.movedTo, keyCounts: h.keyCounts }))
}

function bytesOf(bundle: string): Buffer {
  return Buffer.from(bundle, 'base64')
}

describe('session bundles and Baileys folders', () => {
  let original: AccountSummary
  let copy: Exported

  it('exports a copy while the account keeps running here', async () => {
    original = await pairAccount(a, simulator.admin.url, 'Sales')
    copy = await a.server.value<Exported>('transfer:export', { id: original.id, passphrase: PASSPHRASE, mode: 'copy' })
    expect(copy.fileName).toMatch(new RegExp(`^irish-${original.phone}-\\d{8}-\\d{6}\\.irishbundle$`))
    expect(bytesOf(copy.bundle).subarray(0, 8)).toEqual(BUNDLE_MAGIC)
    expect(copy.bytes).toBe(bytesOf(copy.bundle).length)
    expect(copy.meta).toMatchObject({ version: 1, accountPhone: `+${original.phone}`, accountName: 'Sales' })
    expect(copy.meta.keyCounts['pre-key']).toBeGreaterThan(0)
    expect(copy.account.movedTo).toBeNull()
    await awaitStatus(a, original.id, 'connected')
  }, 60_000)

  it('refuses to import an account that is already running here, and changes nothing', async () => {
    const before = await visibleState(a)
    const refused = await refusal(a, 'transfer:import', { bundle: copy.bundle, passphrase: PASSPHRASE })
    expect(refused).toMatchObject({ status: 409, code: 'conflict' })
    expect(refused.message).toMatch(/already running here.*stop it, or import with replace/i)
    expect(refused.message).toContain('Sales')
    expect(await visibleState(a)).toEqual(before)
  })

  it('shows the metadata of a bundle without the passphrase', async () => {
    const inspected = await a.server.value<{ meta: BundleInfo; existing: { id: string; status: string } | null }>('transfer:inspect', {
      bundle: copy.bundle,
    })
    expect(inspected.meta).toEqual(copy.meta)
    expect(inspected.existing).toMatchObject({ id: original.id, status: 'connected' })
  })

  describe('bad bundles, on a server with no accounts', () => {
    const cases: Array<[string, () => unknown, number, string, RegExp]> = [
      ['a wrong passphrase', () => ({ bundle: copy.bundle, passphrase: 'not the passphrase' }), 400, 'invalid-input', /Wrong passphrase/],
      [
        'one flipped byte',
        () => {
          const bytes = bytesOf(copy.bundle)
          bytes[Math.floor(bytes.length / 2)]! ^= 0x01
          return { bundle: bytes.toString('base64'), passphrase: PASSPHRASE }
        },
        422,
        'bad-bundle',
        /changed or damaged/,
      ],
      [
        'a truncated file',
        () => ({ bundle: bytesOf(copy.bundle).subarray(0, 5000).toString('base64'), passphrase: PASSPHRASE }),
        422,
        'bad-bundle',
        /incomplete.*copy or export it again/,
      ],
      [
        'an unknown version',
        () => {
          const bytes = bytesOf(copy.bundle)
          bytes[8] = 2
          return { bundle: bytes.toString('base64'), passphrase: PASSPHRASE }
        },
        400,
        'invalid-input',
        /version 2.*Update the app/,
      ],
      [
        'a file that is not a bundle',
        () => ({ bundle: Buffer.from('{"creds":{},"keys":{}} and then some text').toString('base64'), passphrase: PASSPHRASE }),
        400,
        'invalid-input',
        /not an Irish Desktop session bundle/,
      ],
      ['text that is not base64', () => ({ bundle: 'this is not base64!', passphrase: PASSPHRASE }), 400, 'invalid-input', /base64/],
      [
        'a file over the size limit',
        () => {
          const bytes = Buffer.alloc(MAX_BUNDLE_BYTES + 1)
          BUNDLE_MAGIC.copy(bytes)
          bytes[8] = 1
          return { bundle: bytes.toString('base64'), passphrase: PASSPHRASE }
        },
        413,
        'payload-too-large',
        /at most 64 MiB/,
      ],
    ]

    it.each(cases)('refuses %s with a clear error and changes nothing', async (_name, input, status, code, message) => {
      const digest = databaseDigest(b.dataDir)
      const refused = await refusal(b, 'transfer:import', input())
      expect(refused).toMatchObject({ status, code })
      expect(refused.message).toMatch(message)
      expect(refused.message).not.toContain(PASSPHRASE)
      expect(databaseDigest(b.dataDir)).toBe(digest)
      expect(await b.server.value('accounts:list')).toEqual([])
    }, 30_000)
  })

  let onB: AccountSummary

  it('imports the copy on a fresh server, where it connects without pairing', async () => {
    // Only one copy may run: stop the original first.
    await a.server.value('accounts:stop', { id: original.id })
    const imported = await b.server.value<AccountSummary>('transfer:import', { bundle: copy.bundle, passphrase: PASSPHRASE })
    expect(imported).toMatchObject({ phone: original.phone, label: 'Sales' })
    onB = await awaitStatus(b, imported.id, 'connected')
    expect(qrCodesShown(b)).toBe(0)
    const health = await b.server.value<AccountHealth>('accounts:health', { id: onB.id })
    expect(health.keyCounts['pre-key']).toBeGreaterThan(0)
  }, 60_000)

  let moved: Exported

  it('exports with move: stops it and marks it moved to the file', async () => {
    moved = await b.server.value<Exported>('transfer:export', { id: onB.id, passphrase: PASSPHRASE, mode: 'move' })
    expect(moved.account).toMatchObject({ id: onB.id, status: 'moved', movedTo: { target: `file ${moved.fileName}` } })
    const again = await refusal(b, 'accounts:start', { id: onB.id })
    expect(again).toMatchObject({ status: 409, code: 'conflict' })
    expect(again.message).toMatch(/moved to file .*take it back/)
    const twice = await refusal(b, 'transfer:export', { id: onB.id, passphrase: PASSPHRASE, mode: 'copy' })
    expect(twice).toMatchObject({ status: 409, code: 'conflict' })
  }, 30_000)

  it('refuses an older copy over an existing account unless told to replace, and changes nothing', async () => {
    const digest = databaseDigest(a.dataDir)
    const refused = await refusal(a, 'transfer:import', { bundle: moved.bundle, passphrase: PASSPHRASE })
    expect(refused).toMatchObject({ status: 409, code: 'conflict' })
    expect(refused.message).toMatch(/already exists here \(stopped\).*breaks its sessions.*replace/)
    expect(databaseDigest(a.dataDir)).toBe(digest)
  })

  it('replaces the old copy with replace, keeping its id, and connects', async () => {
    const replaced = await a.server.value<AccountSummary>('transfer:import', { bundle: moved.bundle, passphrase: PASSPHRASE, replace: true })
    expect(replaced.id).toBe(original.id)
    await awaitStatus(a, original.id, 'connected')
    expect(qrCodesShown(a, original.id)).toBe(1) // the QR of its first pairing, none since
    expect((await a.server.value<AccountSummary[]>('accounts:list')).filter((x) => x.phone === original.phone)).toHaveLength(1)
  }, 30_000)

  it('refuses folders that are not Baileys auth folders, with clear errors and no change (nothing runs on B now)', async () => {
    const empty = tempFolder('irish-empty-')
    const unpaired = tempFolder('irish-unpaired-')
    writeFileSync(join(unpaired, 'creds.json'), JSON.stringify({ registrationId: 1 }))
    const linked = tempFolder('irish-linked-')
    mkdirSync(join(linked, 'elsewhere'))
    writeFileSync(join(linked, 'creds.json'), JSON.stringify({ me: { id: '15550001111:1@s.whatsapp.net' } }))
    symlinkSync(join(linked, 'elsewhere'), join(linked, 'session-x.json'))
    const cases: Array<[string, number, RegExp]> = [
      ['relative/folder', 400, /not an absolute path/],
      [join(empty, 'missing'), 404, /no folder/],
      [join(unpaired, 'creds.json'), 400, /a file, not a folder/],
      [empty, 400, /no creds\.json/],
      [unpaired, 400, /never linked to a phone/],
      [linked, 400, /symbolic links/],
    ]
    const digest = databaseDigest(b.dataDir)
    for (const [path, status, message] of cases) {
      const refused = await refusal(b, 'transfer:import-folder', { path })
      expect({ path, status: refused.status }).toEqual({ path, status })
      expect(refused.message).toMatch(message)
    }
    expect(databaseDigest(b.dataDir)).toBe(digest)
  })

  it('imports a folder written by plain Baileys, and the account connects', async () => {
    const folder = tempFolder('irish-baileys-')
    const phone = await pairBaileysFolder(simulator.sim, folder)
    const imported = await b.server.value<AccountSummary>('transfer:import-folder', { path: folder, label: 'From Baileys' })
    expect(imported).toMatchObject({ phone, label: 'From Baileys' })
    await awaitStatus(b, imported.id, 'connected')
    expect(qrCodesShown(b, imported.id)).toBe(0)
  }, 60_000)
})


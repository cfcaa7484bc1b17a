// The failure paths of transfer that real inputs rarely reach, against a real core (encrypted SQLite) in
// this process: a failing key import leaves no account row and no keys, a failing replace leaves the old
// keys, a refused or failed export puts the account back, and an export whose answer never came keeps
// it marked moved. The remote server is a stub on 127.0.0.1.

import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountSummary } from '../src/shared/contract'
import { createCore, type Core } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import type { AuthSnapshot } from '../src/main/core/auth-store/types'
import { newDataKey } from './support/server-process'
import { databaseDigest } from './support/transfer-support'

const PHONE = '15550002222'

function pairedSnapshot(): AuthSnapshot {
  const creds = initAuthCreds()
  creds.me = { id: `${PHONE}:3@s.whatsapp.net`, name: 'Test' }
  return { creds, keys: { 'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } }, session: { [`${PHONE}.0`]: { a: 1 } } } }
}

let dataDir: string
let core: Core

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'irish-atomic-'))
  core = await createCore({ dataDir, keyVault: envVault(newDataKey()), logger: silentLogger(), appVersion: '0.0.0-test' })
})

afterEach(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function importedAccount(): Promise<AccountSummary> {
  const snapshot = pairedSnapshot()
  return core.sessions.importSession({ label: 'Imported' }, { phone: PHONE, name: null }, (store) => store.importSnapshot(snapshot))
}

describe('import atomicity', () => {
  it('leaves no account row and no keys when writing the keys fails', async () => {
    const before = databaseDigest(dataDir)
    const broken = { ...pairedSnapshot(), keys: { session: { x: 10n } } } as unknown as AuthSnapshot
    await expect(
      core.sessions.importSession({ label: 'Broken' }, { phone: PHONE, name: null }, (store) => store.importSnapshot(broken)),
    ).rejects.toThrow(/cannot be stored/)
    expect(core.sessions.list()).toEqual([])
    expect(databaseDigest(dataDir)).toBe(before)
  })

  it('removes keys already written when a later step fails', async () => {
    const before = databaseDigest(dataDir)
    await expect(
      core.sessions.importSession({ label: 'Half' }, { phone: PHONE, name: null }, async (store) => {
        await store.importSnapshot(pairedSnapshot())
        throw new Error('disk full')
      }),
    ).rejects.toThrow('disk full')
    expect(core.sessions.list()).toEqual([])
    expect(databaseDigest(dataDir)).toBe(before)
  })

  it('keeps the old keys when a replace fails', async () => {
    const account = await importedAccount()
    const before = databaseDigest(dataDir)
    const broken = { ...pairedSnapshot(), keys: { session: { x: 10n } } } as unknown as AuthSnapshot
    await expect(
      core.sessions.importSession({ replace: account.id }, { phone: PHONE, name: null }, (store) => store.importSnapshot(broken)),
    ).rejects.toThrow(/cannot be stored/)
    expect(databaseDigest(dataDir)).toBe(before)
  })
})

describe('export failure handling', () => {
  it('puts a moved account back as it was when the export fails', async () => {
    const account = await importedAccount()
    await expect(
      core.sessions.exportSession(account.id, 'file x.irishbundle', async () => {
        throw new Error('encoding failed')
      }),
    ).rejects.toThrow('encoding failed')
    expect(core.sessions.list()[0]).toMatchObject({ status: 'stopped', movedTo: null })
  })

  it('refuses to export an account that was never paired, changing nothing', async () => {
    const added = await core.sessions.importSession({ label: 'Unpaired' }, { phone: PHONE, name: null }, async (store) => {
      const creds = initAuthCreds()
      await store.importSnapshot({ creds, keys: {} })
    })
    const result = await core.dispatch('transfer:export', { id: added.id, passphrase: 'long enough pass', mode: 'move' })
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no paired session/) } })
    expect(core.sessions.list()[0]).toMatchObject({ status: 'stopped', movedTo: null })
  })

  describe('to a server', () => {
    let stub: Server
    let url: string
    let onImport: (res: ServerResponse) => void

    beforeEach(async () => {
      stub = createServer((req, res) => {
        req.resume()
        if (req.url === '/api/accounts:list') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: [] }))
        } else if (req.url === '/api/transfer:identity') {
          // Another installation than the core under test.
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: { instanceId: '00000000-0000-4000-8000-000000000000' } }))
        } else onImport(res)
      })
      stub.listen(0, '127.0.0.1')
      await once(stub, 'listening')
      url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`
    })

    afterEach(async () => {
      stub.closeAllConnections()
      await new Promise<void>((resolve) => stub.close(() => resolve()))
    })

    it('puts the account back when the other server refuses the import', async () => {
      onImport = (res) =>
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: { code: 'internal', message: 'no space' } }))
      const account = await importedAccount()
      const result = await core.dispatch('transfer:export-to-server', { id: account.id, url, token: 'secret-token-123' })
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/could not import the account: no space/) } })
      expect(JSON.stringify(result)).not.toContain('secret-token-123')
      expect(core.sessions.list()[0]).toMatchObject({ status: 'stopped', movedTo: null })
    })

    it('keeps it marked moved when the answer never came (the other side may run it)', async () => {
      onImport = (res) => res.socket?.destroy()
      const account = await importedAccount()
      const result = await core.dispatch('transfer:export-to-server', { id: account.id, url, token: 'secret-token-123' })
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/did not answer after the bundle was sent.*settles the hand-off by itself/) } })
      expect(core.sessions.list()[0]).toMatchObject({ status: 'moved', movedTo: { target: url } })
    })

    it('changes nothing when the other server cannot be reached', async () => {
      const account = await importedAccount()
      stub.closeAllConnections()
      await new Promise<void>((resolve) => stub.close(() => resolve()))
      stub = createServer() // afterEach closes this one
      const result = await core.dispatch('transfer:export-to-server', { id: account.id, url, token: 'secret-token-123' })
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/cannot be reached.*Nothing was changed/) } })
      expect(core.sessions.list()[0]).toMatchObject({ status: 'stopped', movedTo: null })
    })
  })
})

// Labels and phones through the real core's contract (encrypted SQLite in this process): bad labels are
// refused as invalid-input by add, rename and import; a label stored before the rule is cleaned on
// export instead of blocking it; a bundle whose creds name a LID where the phone belongs is refused.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountSummary } from '../src/shared/contract'
import { createCore, type Core } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import type { AuthSnapshot } from '../src/main/core/auth-store/types'
import { encodeBundle, readBundleMetadata } from '../src/main/core/transfer/bundle'
import { newDataKey } from './support/server-process'

const PHONE = '15550003333'
const PASS = 'correct horse battery staple'
const FAST = { N: 2 ** 10, r: 8, p: 1 }

function snapshotFor(meId: string): AuthSnapshot {
  const creds = initAuthCreds()
  creds.me = { id: meId, name: 'Test' }
  return { creds, keys: { 'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } } }
}

let dataDir: string
let core: Core

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'irish-labels-'))
  core = await createCore({ dataDir, keyVault: envVault(newDataKey()), logger: silentLogger(), appVersion: '0.0.0-test' })
})

afterEach(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('labels through the contract', () => {
  it('refuses control characters, direction overrides and invisible-only labels on add and rename, adding nothing', async () => {
    for (const label of ['Sales\nteam', 'Support \u202e1555', '\u200b\u200b']) {
      const added = await core.dispatch('accounts:add', { label })
      expect(added).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
    expect(core.sessions.list()).toEqual([])
    const good = await core.dispatch('accounts:add', { label: 'Sales' })
    expect(good.ok).toBe(true)
    const id = (good as { value: AccountSummary }).value.id
    expect(await core.dispatch('accounts:rename', { id, label: 'a\u0007b' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(core.sessions.list()[0]?.label).toBe('Sales')
  })

  it('exports an account whose stored label breaks the rule, with the label cleaned in the bundle', async () => {
    const imported = await core.sessions.importSession({ label: 'Imported' }, { phone: PHONE, name: null }, (store) =>
      store.importSnapshot(snapshotFor(`${PHONE}:3@s.whatsapp.net`)),
    )
    // As a label written before the rule existed: straight into the store, past the contract.
    core.sessions.rename(imported.id, 'Night\nshift \u202eevil')
    const exported = await core.dispatch('transfer:export', { id: imported.id, passphrase: PASS, mode: 'copy' })
    expect(exported.ok).toBe(true)
    const bundle = Buffer.from((exported as { value: { bundle: string } }).value.bundle, 'base64')
    expect(readBundleMetadata(bundle).accountName).toBe('Night shift evil')
  }, 30_000)

  it('refuses a bundle label that breaks the rule on import, and cleans one that came inside the bundle', async () => {
    const bundle = (await encodeBundle({ snapshot: snapshotFor(`${PHONE}:3@s.whatsapp.net`), meta: { appVersion: 'x', accountName: 'Old \u202ename' }, passphrase: PASS }, { scrypt: FAST })).toString('base64')
    expect(await core.dispatch('transfer:import', { bundle, passphrase: PASS, start: false, label: 'x\u202ey' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(core.sessions.list()).toEqual([])
    const imported = await core.dispatch('transfer:import', { bundle, passphrase: PASS, start: false })
    expect(imported).toMatchObject({ ok: true, value: { phone: PHONE, label: 'Old name' } })
  })
})

describe('a LID where the phone belongs', () => {
  it('refuses the import with a clear message and adds nothing', async () => {
    const bundle = (await encodeBundle({ snapshot: snapshotFor('123456789012345:3@lid'), meta: { appVersion: 'x' }, passphrase: PASS }, { scrypt: FAST })).toString('base64')
    const result = await core.dispatch('transfer:import', { bundle, passphrase: PASS, start: false })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/LID .* where the phone number belongs/) } })
    expect(core.sessions.list()).toEqual([])
  })
})

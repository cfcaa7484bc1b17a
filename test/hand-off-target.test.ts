// The target's side of a hand-off through the real core's contract (encrypted SQLite in this process):
// an import with a hand-off id is held pending (stopped) until confirmed; confirm and abort repeat
// safely; an aborted hand-off refuses a late import of itself, so a source that took the account back
// can never be followed by a second running copy here.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore, HAND_OFF_DIR, type Core } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import { encodeBundle } from '../src/main/core/transfer/bundle'
import { newDataKey } from './support/server-process'

const PHONE = '15550004444'
const PASS = 'correct horse battery staple'

async function bundle(): Promise<string> {
  const creds = initAuthCreds()
  creds.me = { id: `${PHONE}:3@s.whatsapp.net`, name: 'Handed' }
  const snapshot = { creds, keys: { 'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } } }
  return (await encodeBundle({ snapshot, meta: { appVersion: 'x', exportMode: 'move' }, passphrase: PASS }, { scrypt: { N: 2 ** 10, r: 8, p: 1 } })).toString('base64')
}

let dataDir: string
let core: Core

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'irish-target-'))
  core = await createCore({ dataDir, keyVault: envVault(newDataKey()), logger: silentLogger(), appVersion: '0.0.0-test' })
})
afterEach(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('hand-off, target side', () => {
  it('holds the import pending, answers status, and journals it durably', async () => {
    const id = randomUUID()
    const imported = await core.dispatch('transfer:import', { bundle: await bundle(), passphrase: PASS, start: true, handOff: { id, source: 'src-1' } })
    expect(imported).toMatchObject({ ok: true, value: { phone: PHONE, status: 'stopped' } })
    expect(await core.dispatch('transfer:hand-off', { id, action: 'status' })).toMatchObject({ ok: true, value: { state: 'pending' } })
    expect(readdirSync(join(dataDir, HAND_OFF_DIR))).toContain(`in-${id}.json`)
    // The same hand-off sent again (a source that retried) is the same account, not a conflict.
    const again = await core.dispatch('transfer:import', { bundle: await bundle(), passphrase: PASS, handOff: { id, source: 'src-1' } })
    expect(again).toMatchObject({ ok: true, value: { id: (imported as { value: { id: string } }).value.id } })
    expect(core.sessions.list()).toHaveLength(1)
  })

  it('refuses to confirm what it never received, and says unknown', async () => {
    const id = randomUUID()
    expect(await core.dispatch('transfer:hand-off', { id, action: 'status' })).toMatchObject({ ok: true, value: { state: 'unknown', account: null } })
    expect(await core.dispatch('transfer:hand-off', { id, action: 'confirm' })).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })

  it('on abort removes the pending account and refuses a late import of the same hand-off', async () => {
    const id = randomUUID()
    await core.dispatch('transfer:import', { bundle: await bundle(), passphrase: PASS, handOff: { id, source: 'src-1' } })
    expect(await core.dispatch('transfer:hand-off', { id, action: 'abort' })).toMatchObject({ ok: true, value: { state: 'aborted' } })
    expect(core.sessions.list()).toEqual([])
    const late = await core.dispatch('transfer:import', { bundle: await bundle(), passphrase: PASS, handOff: { id, source: 'src-1' } })
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/called off/) } })
    expect(core.sessions.list()).toEqual([])
    // Abort before any import: a tombstone all the same.
    const unseen = randomUUID()
    expect(await core.dispatch('transfer:hand-off', { id: unseen, action: 'abort' })).toMatchObject({ ok: true, value: { state: 'aborted' } })
    expect(await core.dispatch('transfer:import', { bundle: await bundle(), passphrase: PASS, handOff: { id: unseen, source: 'src-1' } })).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })
})

// Export to the same server used to stop the account, wait 120 s on its own import, and then report it
// "stopped and marked moved" while it was in fact connected. Now the servers compare installation ids
// first and the export is refused at once with `conflict`, changing nothing. Also: a copy export says
// so in its metadata, so import can warn that another copy may be running. Real server process, real
// Baileys against the simulator.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, BundleInfo } from '../src/shared/contract'
import { muteLibsignalLogs } from './support/baileys-clients'
import { awaitStatus, pairAccount, refusal, startTestServer, startTestSimulator, type TestServer, type TestSimulator } from './support/transfer-support'

let simulator: TestSimulator
let server: TestServer
let unmute: () => void
let account: AccountSummary

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  simulator = await startTestSimulator()
  server = await startTestServer(simulator.env, 'irish-self-')
  account = await pairAccount(server, simulator.admin.url, 'Front desk')
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await simulator?.close()
  unmute?.()
})

describe('export to the same server', () => {
  it('is refused at once with conflict, and the account stays connected and not moved', async () => {
    const started = Date.now()
    const refused = await refusal(server, 'transfer:export-to-server', { id: account.id, url: server.server.url, token: server.server.token })
    const elapsed = Date.now() - started
    expect(refused).toMatchObject({ status: 409, code: 'conflict', message: expect.stringMatching(/is this server itself/) })
    expect(elapsed).toBeLessThan(1_000)
    const after = (await server.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === account.id)
    expect(after).toMatchObject({ status: 'connected', movedTo: null })
    // No hand-off was begun (none journaled). The database itself is not compared: a connected
    // account's socket writes keys and creds in the background all the time.
    const journal = join(server.dataDir, 'hand-offs')
    expect(existsSync(journal) ? readdirSync(journal).filter((f) => f.startsWith('out-')) : []).toEqual([])
  }, 30_000)

  it('is refused under another name for the same server too (localhost instead of 127.0.0.1)', async () => {
    const url = server.server.url.replace('127.0.0.1', 'localhost')
    const refused = await refusal(server, 'transfer:export-to-server', { id: account.id, url, token: server.server.token })
    expect(refused.code).toBe('conflict')
    await awaitStatus(server, account.id, 'connected')
  }, 30_000)
})

describe('copy exports', () => {
  it('say so in the bundle, so import can warn that another copy may be running', async () => {
    const copy = await server.server.value<{ bundle: string; meta: BundleInfo }>('transfer:export', {
      id: account.id,
      passphrase: 'correct horse battery staple',
      mode: 'copy',
    })
    expect(copy.meta.exportMode).toBe('copy')
    const inspected = await server.server.value<{ meta: BundleInfo }>('transfer:inspect', { bundle: copy.bundle })
    expect(inspected.meta.exportMode).toBe('copy')
  }, 30_000)
})

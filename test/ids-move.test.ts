// An account keeps its id when it moves: two real servers on one simulator, an account moved A → B
// (export to a server: the hand-off) arrives under the same id, and webhooks keep reporting it under that
// id, on both servers. A bundle whose id is taken by another device is a conflict naming both; a bundle
// older than the state a store has seen of the device is refused unless allowed.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, AuditEntry, BundleInfo, ReceivedMessage } from '../src/shared/contract'
import { createCore } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import { newDataKey } from './support/server-process'
import { awaitStatus, pairAccount, refusal, useTransferServers } from './support/transfer-support'
import { startReceiver, type Receiver } from './support/webhook-receiver'

const PASSPHRASE = 'correct horse battery staple'
const { simulator, a, b } = useTransferServers({ beforeAll, afterAll }, ['irish-ids-a-', 'irish-ids-b-'])
let receiver: Receiver

beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(async () => {
  await receiver?.close()
})

describe('ids that survive a move', () => {
  let moving: AccountSummary
  let peer: AccountSummary
  let bundle: { bundle: string; meta: BundleInfo }

  it('moves an account A → B under the same id, and webhooks on both report it under that id', async () => {
    for (const target of [a, b]) {
      await target.server.value('webhooks:add', { url: `${receiver.url}?from=${target === a ? 'a' : 'b'}`, events: ['accounts:changed', 'accounts:message'] })
    }
    moving = await pairAccount(a, simulator.admin.url, 'Moving')
    peer = await pairAccount(a, simulator.admin.url, 'Peer')
    await receiver.next((r) => r.path.endsWith('from=a') && r.body.account === moving.id)

    const moved = await a.server.value<{ account: AccountSummary; remote: AccountSummary }>('transfer:export-to-server', { id: moving.id, url: b.server.url, token: b.server.token })
    expect(moved.remote.id).toBe(moving.id)
    expect(moved.account).toMatchObject({ id: moving.id, status: 'moved' })
    expect(await awaitStatus(b, moving.id, 'connected', 60_000)).toMatchObject({ id: moving.id, phone: moving.phone })
    const onB = await receiver.next((r) => r.path.endsWith('from=b') && r.event === 'accounts:changed' && (r.body.data as AccountSummary).status === 'connected')
    expect(onB.body.account).toBe(moving.id)
    expect((onB.body.data as AccountSummary).id).toBe(moving.id)

    const text = `to the moved account ${Date.now()}`
    await a.server.value('accounts:send-text', { id: peer.id, to: `+${moving.phone}`, text })
    const message = await receiver.next((r) => r.path.endsWith('from=b') && r.event === 'accounts:message' && (r.body.data as ReceivedMessage).text === text, 30_000)
    expect(message.body.account).toBe(moving.id)
    expect((message.body.data as ReceivedMessage).account).toBe(moving.id)
    // The trail and the activity log on B name it by the same id.
    const trail = await b.server.value<AuditEntry[]>('audit:list', { command: 'transfer:import', limit: 5 })
    expect(trail[0]?.accounts).toEqual([moving.id])
    expect((await b.server.value<Array<{ message: string }>>('accounts:activity', { id: moving.id })).length).toBeGreaterThan(0)
  }, 180_000)

  it('refuses a bundle whose id another device holds here, naming both', async () => {
    bundle = await b.server.value<{ bundle: string; meta: BundleInfo }>('transfer:export', { id: moving.id, passphrase: PASSPHRASE, mode: 'copy' })
    expect(bundle.meta).toMatchObject({ accountId: moving.id, writes: expect.any(Number) })
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-ids-c-'))
    const dataKey = newDataKey()
    const open = () => createCore({ dataDir, keyVault: envVault(dataKey), logger: silentLogger(), appVersion: '0.0.0-test' })
    try {
      await (await open()).close()
      // Another phone already holds the id here.
      const sqlite = new Database(join(dataDir, 'irish.db'))
      sqlite
        .prepare("INSERT INTO accounts (id, label, phone, status, status_since, created_at) VALUES (?, 'Someone else', '19990001111', 'stopped', 1, 1)")
        .run(moving.id)
      sqlite.close()
      const core = await open()
      try {
        const refused = await core.dispatch('transfer:import', { bundle: bundle.bundle, passphrase: PASSPHRASE, start: false })
        expect(refused).toEqual({ ok: false, error: { code: 'conflict', message: expect.stringContaining(moving.id) } })
        const message = (refused as { error: { message: string } }).error.message
        expect(message).toContain(`+${moving.phone}`)
        expect(message).toContain('+19990001111')
        expect(core.sessions.list().map((x) => [x.id, x.phone])).toEqual([[moving.id, '19990001111']])
      } finally {
        await core.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses older state of the device than this store has seen, and imports it when allowed', async () => {
    // The account connects again on B: its creds are written again, so the bundle is now older state.
    await b.server.value('accounts:stop', { id: moving.id })
    await b.server.value('accounts:start', { id: moving.id })
    await awaitStatus(b, moving.id, 'connected', 60_000)
    await b.server.value('accounts:stop', { id: moving.id })
    const inspected = await b.server.value<{ older: { writes: number; seen: number; message: string } | null }>('transfer:inspect', { bundle: bundle.bundle })
    expect(inspected.older).toMatchObject({ writes: bundle.meta.writes })
    expect(inspected.older!.seen).toBeGreaterThan(inspected.older!.writes)
    const refused = await refusal(b, 'transfer:import', { bundle: bundle.bundle, passphrase: PASSPHRASE, replace: true, start: false })
    expect(refused).toMatchObject({ status: 409, code: 'conflict' })
    expect(refused.message).toMatch(/older state of \+\d+ .*allowOlder/)
    const allowed = await b.server.value<AccountSummary>('transfer:import', { bundle: bundle.bundle, passphrase: PASSPHRASE, replace: true, start: false, allowOlder: true })
    expect(allowed.id).toBe(moving.id)
  }, 120_000)
})

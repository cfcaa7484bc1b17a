// The headless server on PostgreSQL (`--database postgres://…`): a real server process with the built-in
// simulator and real Baileys, its accounts, settings and auth store in a throwaway cluster.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AccountStatus, AccountSummary, EventMessage, PairingState, SimulatorInfo } from '../src/shared/contract'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

describePostgres('headless server on PostgreSQL', () => {
  const ref = usePostgresCluster()
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-pg-server-'))
  const dataKey = newDataKey()
  let url: string
  let server: ServerProcess
  let events: EventStream
  let admin: string

  async function start(token?: string): Promise<void> {
    server = await startServerProcess({ dataDir, dataKey, simulator: true, args: ['--database', url], ...(token ? { token } : {}) })
    events = await server.events()
    admin = (await server.value<SimulatorInfo>('simulator:info')).admin!
  }

  async function awaitStatus(id: string, status: AccountStatus, timeoutMs = 20_000): Promise<AccountSummary> {
    const match = (m: EventMessage): boolean =>
      m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === status
    const pending = events.next(match, timeoutMs)
    const now = (await server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === id)
    if (now?.status === status) {
      pending.catch(() => undefined)
      return now
    }
    return (await pending).payload as AccountSummary
  }

  async function pair(label: string): Promise<AccountSummary> {
    const added = await server.value<AccountSummary>('accounts:add', { label })
    const qrEvent = await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
    const response = await fetch(`${admin}/scan`, {
      method: 'POST',
      // The embedded simulator's admin API takes the server's own token.
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ qr: (qrEvent.payload as PairingState).qr, name: label }),
    })
    expect(response.status).toBe(200)
    return awaitStatus(added.id, 'connected')
  }

  async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<T>(text)).rows
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    url = await ref.cluster.createDatabase()
    await start()
  }, 90_000)

  afterAll(async () => {
    events?.close()
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  let a: AccountSummary
  let b: AccountSummary

  it('pairs two accounts, delivers a message, and keeps everything in PostgreSQL (sealed)', async () => {
    a = await pair('Alice')
    b = await pair('Bob')
    const text = `hello over postgres ${Date.now()}`
    const received = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text)
    await server.value('accounts:send-text', { id: a.id, to: `+${b.phone}`, text })
    expect(((await received).payload as { account: string }).account).toBe(b.id)

    const creds = await query<{ account_id: string }>('SELECT account_id FROM auth_creds ORDER BY account_id')
    expect(creds.map((r) => r.account_id).sort()).toEqual([a.id, b.id].sort())
    const keys = await query<{ n: number }>('SELECT count(*)::int AS n FROM auth_keys')
    expect(keys[0]!.n).toBeGreaterThan(10)
    // The account rows land through the write queue right after the change; the listing proves they did.
    const rows = await query<{ id: string; label: string; phone: string | null }>('SELECT id, label, phone FROM accounts ORDER BY created_at')
    expect(rows.map((r) => r.label)).toEqual(['Alice', 'Bob'])
  }, 90_000)

  it('reconnects both accounts from PostgreSQL after a restart, without pairing', async () => {
    events.close()
    expect(await server.stop()).toBe(0)
    await start(server.token)
    await awaitStatus(a.id, 'connected')
    await awaitStatus(b.id, 'connected')
    expect(events.received.filter((m) => m.event === 'accounts:qr' && (m.payload as PairingState).qr !== null)).toHaveLength(0)
    const text = `after restart ${Date.now()}`
    const received = events.next((m) => m.event === 'accounts:message' && (m.payload as { text: string }).text === text)
    await server.value('accounts:send-text', { id: b.id, to: a.phone!, text })
    expect(((await received).payload as { account: string }).account).toBe(a.id)
  }, 90_000)

  /** Stops the account and waits for the fleet's next round to free its lease (a third of the lease expiry): then no server holds it. */
  async function stopUntilNoLease(id: string): Promise<void> {
    await server.value('accounts:stop', { id })
    await expect
      .poll(async () => (await query<{ owner: string | null }>(`SELECT owner FROM leases WHERE account_id = '${id}'`))[0]?.owner, { timeout: 20_000 })
      .toBeNull()
  }

  it("answers a stop only once the stop is in the database, so another server of the fleet reads it", async () => {
    // The test holds b's row locked: the stop's write waits behind the lock, and so must the answer.
    const locker = new pg.Client({ connectionString: url })
    await locker.connect()
    try {
      await locker.query('BEGIN')
      await locker.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [b.id])
      let answered = false
      const answer = server.value<AccountSummary>('accounts:stop', { id: b.id }).then((summary) => {
        answered = true
        return summary
      })
      await expect
        .poll(
          async () =>
            (await query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update \"accounts\"%'"))[0]!.n,
          { timeout: 20_000, interval: 20 },
        )
        .toBe(1)
      // A read asked after the write was seen waiting is answered without it; the stop's answer, had it
      // not waited, would have been sent before this read arrived.
      expect((await server.value<AccountSummary[]>('accounts:list')).some((x) => x.id === b.id)).toBe(true)
      expect(answered).toBe(false)
      await locker.query('COMMIT')
      expect(await answer).toMatchObject({ id: b.id, status: 'stopped' })
      expect(await query<{ want_running: boolean }>(`SELECT want_running FROM accounts WHERE id = '${b.id}'`)).toEqual([{ want_running: false }])
    } finally {
      await locker.end()
    }
    await server.value('accounts:start', { id: b.id })
    await awaitStatus(b.id, 'connected')
  }, 60_000)

  it('logs out a stopped account no server holds a lease on, deleting its keys', async () => {
    await stopUntilNoLease(b.id)
    expect(await server.value<AccountSummary>('accounts:logout', { id: b.id })).toMatchObject({ id: b.id, status: 'logged-out' })
    expect(await query(`SELECT account_id FROM auth_creds WHERE account_id = '${b.id}'`)).toEqual([])
    expect(await query<{ want_running: boolean }>(`SELECT want_running FROM accounts WHERE id = '${b.id}'`)).toEqual([{ want_running: false }])
  }, 60_000)

  it('imports a bundle over a stopped account no server holds a lease on', async () => {
    await stopUntilNoLease(a.id)
    const passphrase = 'a passphrase long enough for a test'
    const { bundle } = await server.value<{ bundle: string }>('transfer:export', { id: a.id, passphrase, mode: 'copy' })
    const replaced = await server.value<AccountSummary>('transfer:import', { bundle, passphrase, replace: true, start: false })
    expect(replaced).toMatchObject({ id: a.id, status: 'stopped' })
    expect(await query(`SELECT account_id FROM auth_creds WHERE account_id = '${a.id}'`)).toEqual([{ account_id: a.id }])
  }, 60_000)

  it('answers GET /healthz without a token, revealing nothing', async () => {
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok\n')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
  })

  it('refuses to start on the database with another data key, changing nothing', async () => {
    const before = await query<{ account_id: string; value: Buffer }>('SELECT account_id, value FROM auth_creds ORDER BY account_id')
    const otherDir = mkdtempSync(join(tmpdir(), 'irish-pg-key-'))
    try {
      await expect(startServerProcess({ dataDir: otherDir, dataKey: newDataKey(), args: ['--database', url] })).rejects.toThrow(
        /data key does not match this database/,
      )
    } finally {
      rmSync(otherDir, { recursive: true, force: true })
    }
    expect(await query('SELECT account_id, value FROM auth_creds ORDER BY account_id')).toEqual(before)
  }, 60_000)

  it('refuses an unreachable database and a URL that is not postgres://, with clear errors', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'irish-pg-bad-'))
    try {
      const unreachable = startServerProcess({ dataDir: otherDir, args: ['--database', 'postgres://irish:hunter2@127.0.0.1:1/irish'] })
      await expect(unreachable).rejects.toThrow(/cannot be reached/)
      await expect(unreachable).rejects.not.toThrow(/hunter2/)
      await expect(startServerProcess({ dataDir: otherDir, env: { IRISH_DATABASE_URL: 'mysql://x@y/z' } })).rejects.toThrow(/must be a postgres:\/\/ URL/)
    } finally {
      rmSync(otherDir, { recursive: true, force: true })
    }
  }, 60_000)
})

// Moving a SQLite data dir into PostgreSQL: real SQLite files, a real cluster, the CLI as a process.

import Database from 'better-sqlite3'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { expectSameValue, sampleKeys } from '../../../../test/support/auth-store-contract'
import { sqliteAuthStoreFactory } from '../auth-store/sqlite-store'
import { acquireDataDirLock } from '../data-dir-lock'
import { createSqliteAccountRepository as createAccountRepository } from '../accounts/sqlite-account-repository'
import { DATABASE_FILE, openDatabase } from '../db/open-database'
import { openPostgres } from '../db/postgres/open-postgres'
import { createPgAccountRepository } from '../accounts/pg-account-repository'
import { pgAuthStoreFactory } from '../auth-store/pg-store'
import { createWriteQueue } from '../db/postgres/write-queue'
import { silentLogger } from '../logger'
import { createSettingsStore } from '../settings/settings-store'
import { proxySecrets } from '../proxy/proxy-secret'
import { sqliteSettingsRows } from '../settings/sqlite-settings-rows'
import type { AccountRecord } from '../accounts/account-repository'
import { createSqliteActivityLog } from '../activity/sqlite-activity-log'
import { createPgActivityLog } from '../activity/pg-activity-log'
import { moveSqliteToPostgres } from './move-to-postgres'

const ROOT = resolve(import.meta.dirname, '../../../..')
const logger = silentLogger()
const IDS = ['acc-alpha', 'acc-beta'] as AccountId[]

function record(id: AccountId, label: string): AccountRecord {
  return {
    id,
    label,
    phone: `55119${randomBytes(3).readUIntBE(0, 3)}`,
    name: label,
    status: 'connected',
    statusSince: 1,
    lastError: null,
    lastDisconnectCode: null,
    reconnectCount: 2,
    createdAt: Date.now(),
    pairedAt: 5,
    lastConnectedAt: 6,
    wantRunning: true,
    movedTo: null,
    proxy: null,
    limits: DEFAULT_SEND_LIMITS,
    condition: null,
    tags: ['moved', label],
  }
}

describePostgres('moving a SQLite data dir into PostgreSQL', () => {
  const ref = usePostgresCluster()
  let dataDir: string
  let dataKey: Buffer
  let url: string

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'irish-move-'))
    dataKey = randomBytes(32)
    url = await ref.cluster.createDatabase()
    const database = openDatabase({ file: join(dataDir, DATABASE_FILE), dataKey })
    const accounts = createAccountRepository(database.db, database.batch)
    const stores = sqliteAuthStoreFactory(database)
    for (const [i, id] of IDS.entries()) {
      accounts.insert(record(id, `Account ${i}`))
      await stores.open(id).saveCreds(initAuthCreds())
      await stores.open(id).set(sampleKeys())
      await stores.open(id).set({ 'pre-key': Object.fromEntries(Array.from({ length: 2500 }, (_, k) => [`p${k}`, { private: randomBytes(32), public: randomBytes(33) }])) })
    }
    createSettingsStore(sqliteSettingsRows(database.db), logger, proxySecrets(database.sealer)).set({ autoStart: false })
    const activity = createSqliteActivityLog({ sqlite: database.sqlite, batch: database.batch })
    activity.record({ account: IDS[0]!, kind: 'pairing', message: 'Paired as +5511', actor: 'system' })
    activity.record({ account: IDS[0]!, kind: 'status', message: 'Logged out: gone', code: 401, actor: 'system' })
    activity.record({ account: IDS[0]!, kind: 'command', message: 'Start: done', actor: 'cli' })
    await stores.close()
    database.close()
  })
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  async function sourceSnapshots(): Promise<unknown[]> {
    const database = openDatabase({ file: join(dataDir, DATABASE_FILE), dataKey })
    try {
      const stores = sqliteAuthStoreFactory(database)
      return await Promise.all(IDS.map((id) => stores.open(id).exportSnapshot()))
    } finally {
      database.close()
    }
  }

  async function targetCounts(): Promise<{ accounts: number; keys: number }> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const has = (await client.query("SELECT to_regclass('public.accounts') AS t")).rows[0].t
      if (!has) return { accounts: 0, keys: 0 }
      return {
        accounts: (await client.query('SELECT count(*)::int AS n FROM accounts')).rows[0].n,
        keys: (await client.query('SELECT count(*)::int AS n FROM auth_keys')).rows[0].n,
      }
    } finally {
      await client.end()
    }
  }

  it('moves every account, key and setting, byte for byte, and marks them moved in the data dir', async () => {
    const before = await sourceSnapshots()
    const report = await moveSqliteToPostgres({ dataDir, databaseUrl: url, dataKey, logger })
    expect(report).toMatchObject({ accounts: 2, settings: 1 })
    expect(report.keys).toBe(2 * (2500 + Object.values(sampleKeys()).reduce((n, v) => n + Object.keys(v!).length, 0)))
    expect(report.target).not.toContain(ref.cluster.password)

    const target = await openPostgres({ url, dataKey, logger })
    try {
      const stores = pgAuthStoreFactory(target)
      const after = await Promise.all(IDS.map((id) => stores.open(id).exportSnapshot()))
      expectSameValue(after, before)
      const accounts = await createPgAccountRepository(target.db, createWriteQueue(logger))
      expect(accounts.list().map((a) => [a.id, a.status, a.wantRunning, a.reconnectCount, a.tags])).toEqual([
        ['acc-alpha', 'stopped', true, 2, ['moved', 'Account 0']],
        ['acc-beta', 'stopped', true, 2, ['moved', 'Account 1']],
      ])
      const settings = (await target.pool.query("SELECT value FROM settings WHERE key = 'autoStart'")).rows
      expect(settings).toEqual([{ value: 'false' }])
      // The history came along, in its order, as every server of the fleet now lists it.
      const history = await createPgActivityLog({ pool: target.pool, logger }).list(IDS[0]!)
      expect(history.map((e) => [e.actor, e.kind, e.message, e.code])).toEqual([
        ['cli', 'command', 'Start: done', null],
        ['system', 'status', 'Logged out: gone', 401],
        ['system', 'pairing', 'Paired as +5511', null],
      ])
      expect(await createPgActivityLog({ pool: target.pool, logger }).list(IDS[1]!)).toEqual([])
    } finally {
      await target.close()
    }
    const raw = new Database(join(dataDir, DATABASE_FILE))
    try {
      const rows = raw.prepare('SELECT status, want_running, moved_to FROM accounts ORDER BY id').all() as Array<Record<string, unknown>>
      expect(rows.map((r) => [r.status, r.want_running])).toEqual([
        ['moved', 0],
        ['moved', 0],
      ])
      expect(String(rows[0]!.moved_to)).toMatch(/^postgres:\/\/irish:\*\*\*@127\.0\.0\.1:\d+\/t_/)
    } finally {
      raw.close()
    }
    // Moving again finds nothing left to move.
    await expect(moveSqliteToPostgres({ dataDir, databaseUrl: url, dataKey, logger })).rejects.toMatchObject({ code: 'not-found' })
  }, 60_000)

  it('moves nothing when a value in the data dir is damaged', async () => {
    const raw = new Database(join(dataDir, DATABASE_FILE))
    const row = raw.prepare("SELECT rowid, value FROM auth_keys WHERE account_id = 'acc-beta' AND type = 'session'").get() as { rowid: number; value: Buffer }
    row.value[30] = (row.value[30] ?? 0) ^ 1
    raw.prepare('UPDATE auth_keys SET value = ? WHERE rowid = ?').run(row.value, row.rowid)
    raw.close()
    await expect(moveSqliteToPostgres({ dataDir, databaseUrl: url, dataKey, logger })).rejects.toMatchObject({ code: 'storage-corrupt' })
    expect(await targetCounts()).toEqual({ accounts: 0, keys: 0 })
    const check = new Database(join(dataDir, DATABASE_FILE))
    expect((check.prepare("SELECT count(*) AS n FROM accounts WHERE moved_to IS NULL").get() as { n: number }).n).toBe(2)
    check.close()
  }, 60_000)

  it('moves nothing into a database that already holds one of the accounts, or was made with another key', async () => {
    const other = await openPostgres({ url, dataKey, logger })
    await other.pool.query(
      "INSERT INTO accounts (id, label, status, status_since, created_at) VALUES ('acc-beta', 'already here', 'stopped', 0, 0)",
    )
    await other.close()
    const conflict = await moveSqliteToPostgres({ dataDir, databaseUrl: url, dataKey, logger }).catch((e: unknown) => e)
    expect(conflict).toMatchObject({ code: 'conflict' })
    expect((conflict as Error).message).toMatch(/already holds acc-beta; nothing was moved/)
    expect(await targetCounts()).toEqual({ accounts: 1, keys: 0 })

    const foreign = await ref.cluster.createDatabase()
    await (await openPostgres({ url: foreign, dataKey: randomBytes(32), logger })).close()
    await expect(moveSqliteToPostgres({ dataDir, databaseUrl: foreign, dataKey, logger })).rejects.toMatchObject({ code: 'key-unavailable' })
    const check = new Database(join(dataDir, DATABASE_FILE))
    expect((check.prepare("SELECT count(*) AS n FROM accounts WHERE moved_to IS NULL").get() as { n: number }).n).toBe(2)
    check.close()
  }, 60_000)

  it('refuses a data dir a running process holds', async () => {
    const held = acquireDataDirLock(dataDir)
    try {
      await expect(moveSqliteToPostgres({ dataDir, databaseUrl: url, dataKey, logger })).rejects.toMatchObject({ code: 'conflict' })
    } finally {
      held.release()
    }
    expect(await targetCounts()).toEqual({ accounts: 0, keys: 0 })
  })

  it('runs as `irish move-to-postgres`, and refuses a URL that is not postgres://', async () => {
    const run = async (args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/irish.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const [code] = (await once(child, 'exit')) as [number | null]
      return { code, stdout, stderr }
    }
    const env = { IRISH_DATA_KEY: dataKey.toString('base64') }
    const bad = await run(['move-to-postgres', '--data-dir', dataDir, '--database', 'mysql://x@y/z'], env)
    expect(bad.code).toBe(64)
    expect(bad.stderr).toMatch(/must be a postgres:\/\/ URL/)
    const ok = await run(['move-to-postgres', '--data-dir', dataDir], { ...env, IRISH_DATABASE_URL: url })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^Moved 2 account\(s\), \d+ keys and 1 setting\(s\) into postgres:\/\/irish:\*\*\*@/)
    expect(ok.stdout).not.toContain(ref.cluster.password)
    expect(await targetCounts()).toMatchObject({ accounts: 2 })
  }, 60_000)
})

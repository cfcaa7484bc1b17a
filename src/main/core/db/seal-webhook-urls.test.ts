// The data-moving migration that seals webhook addresses, on SQLite and on PostgreSQL: a database as the
// release before left it (addresses in clear, one with a credential in its query string) is opened by
// this version; afterwards no address is in clear, each opens to what it was, and deliveries go to it.

import Database from 'better-sqlite3'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { migrationsUpTo } from '../../../../test/support/migrations'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { createSealer } from '../crypto/sealer'
import { defaultMigrationsFolder, openDatabase } from './open-database'
import { defaultPostgresMigrationsFolder, openPostgres } from './postgres/open-postgres'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { createPgOutbox } from '../webhooks/pg-outbox'
import { createSqliteOutbox } from '../webhooks/sqlite-outbox'
import { createWebhookService } from '../webhooks/webhook-service'
import { startReceiver } from '../../../../test/support/webhook-receiver'

const root = mkdtempSync(join(tmpdir(), 'irish-seal-urls-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const CREDENTIAL = 'receiver-credential-7f3a'

describe('sealing webhook addresses in SQLite', () => {
  it('seals the addresses an older release stored in clear, once, and delivers to them after', async () => {
    const file = join(root, 'irish.db')
    const key = randomBytes(32)
    const receiver = await startReceiver()
    const url = `${receiver.url}?token=${CREDENTIAL}`
    // The database as the release with webhooks (0003) left it, built by its migrations alone.
    const old = new Database(file)
    migrateSqlite(drizzleSqlite({ client: old }), { migrationsFolder: migrationsUpTo(defaultMigrationsFolder(), '0003_webhooks', join(root, 'sqlite-0003')) })
    old
      .prepare(`INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, '["accounts:message"]', ?, 1)`)
      .run('wh-000000000001', url, createSealer(key).seal(Buffer.from('s3cret-for-the-test'), Buffer.from('webhook-secret:wh-000000000001')))
    old.close()

    const database = openDatabase({ file, dataKey: key })
    try {
      expect(database.sqlite.prepare('SELECT url, sealed_url IS NOT NULL AS sealed FROM webhooks').all()).toEqual([{ url: null, sealed: 1 }])
      // Neither in the file's free pages nor in its write-ahead log.
      for (const path of [file, `${file}-wal`]) expect(existsSync(path) && readFileSync(path).includes(Buffer.from(CREDENTIAL))).toBe(false)
      const hooks = await createWebhookService({ outbox: createSqliteOutbox(database.sqlite), sealer: database.sealer, logger: silentLogger() })
      expect((await hooks.list()).map((w) => w.url)).toEqual([url])
      hooks.capture(createEventBus(silentLogger())).emit('accounts:message', { account: 'acc-a' as never, id: 'm1', from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'hi', at: Date.now() })
      expect((await receiver.next(() => true)).path).toBe(`/hook?token=${CREDENTIAL}`)
      await hooks.close()
    } finally {
      database.close()
      await receiver.close()
    }
    // Opening again changes nothing: the step only seals what is in clear.
    const again = openDatabase({ file, dataKey: key })
    const before = again.sqlite.prepare('SELECT sealed_url FROM webhooks').get()
    again.close()
    const third = openDatabase({ file, dataKey: key })
    expect(third.sqlite.prepare('SELECT sealed_url FROM webhooks').get()).toEqual(before)
    third.close()
  })
})

describePostgres('sealing webhook addresses in PostgreSQL', () => {
  const ref = usePostgresCluster()

  it('seals the addresses an older release stored in clear, and delivers to them after', async () => {
    const databaseUrl = await ref.cluster.createDatabase()
    const key = randomBytes(32)
    const receiver = await startReceiver()
    const url = `${receiver.url}?token=${CREDENTIAL}`
    // The database as the release with webhooks (0003) left it, built by its migrations alone.
    const old = new pg.Client({ connectionString: databaseUrl })
    await old.connect()
    try {
      const oldFolder = migrationsUpTo(defaultPostgresMigrationsFolder(), '0003_webhooks', join(root, 'pg-0003'))
      await migratePg(drizzlePg({ client: old }), { migrationsFolder: oldFolder, migrationsSchema: 'drizzle', migrationsTable: '__drizzle_migrations' })
      await old.query(`INSERT INTO webhooks (id, url, events, secret, created_at) VALUES ($1, $2, '["accounts:message"]', $3, 1)`, [
        'wh-000000000002',
        url,
        createSealer(key).seal(Buffer.from('s3cret-for-the-test'), Buffer.from('webhook-secret:wh-000000000002')),
      ])
    } finally {
      await old.end()
    }

    const database = await openPostgres({ url: databaseUrl, dataKey: key, logger: silentLogger() })
    try {
      const rows = await database.pool.query<{ url: string | null; sealed: boolean }>('SELECT url, sealed_url IS NOT NULL AS sealed FROM webhooks')
      expect(rows.rows).toEqual([{ url: null, sealed: true }])
      const hooks = await createWebhookService({ outbox: createPgOutbox(database.pool, 'srv-a'), sealer: database.sealer, logger: silentLogger() })
      expect((await hooks.list()).map((w) => w.url)).toEqual([url])
      hooks.capture(createEventBus(silentLogger())).emit('accounts:message', { account: 'acc-a' as never, id: 'm1', from: 'x@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'hi', at: Date.now() })
      expect((await receiver.next(() => true)).path).toBe(`/hook?token=${CREDENTIAL}`)
      await hooks.close()
    } finally {
      await database.close()
      await receiver.close()
    }
  }, 60_000)
})

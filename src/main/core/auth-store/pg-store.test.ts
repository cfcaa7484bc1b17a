import { Curve, initAuthCreds } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { describeAuthStoreContract, expectNoPlaintext, expectSameValue } from '../../../../test/support/auth-store-contract'
import type { AuthStoreFactory } from './types'
import { silentLogger } from '../logger'
import { defaultPostgresMigrationsFolder, openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { pgAuthStoreFactory } from './pg-store'

describePostgres('PostgreSQL auth store', () => {
  const ref = usePostgresCluster()
  const logger = silentLogger()

  describeAuthStoreContract(
    'encrypted postgres',
    async () => {
      const url = await ref.cluster.createDatabase()
      const database = await openPostgres({ url, dataKey: randomBytes(32), logger })
      const factory = pgAuthStoreFactory(database)
      return {
        factory,
        cleanup: () => database.close(),
      }
    },
    { slowTimeoutMs: 30_000 },
  )

  describePostgres('encryption and start-up checks', () => {
    const acct = 'acct-1' as AccountId
    let url: string
    let dataKey: Buffer
    let database: OpenedPostgres | undefined
    let factory: AuthStoreFactory | undefined

    beforeEach(async () => {
      url = await ref.cluster.createDatabase()
      dataKey = randomBytes(32)
    })
    afterEach(async () => {
      await factory?.close()
      await database?.close()
      factory = undefined
      database = undefined
    })

    async function openStore(key = dataKey): Promise<AuthStoreFactory> {
      database = await openPostgres({ url, dataKey: key, logger })
      factory = pgAuthStoreFactory(database)
      return factory
    }

    /** A plain connection: what someone with database access but not the key can do. */
    async function raw<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        return await fn(client)
      } finally {
        await client.end()
      }
    }

    /** Every table's rows as one string of bytes, the place a plaintext leak would show. */
    function dump(): Promise<Buffer> {
      return raw(async (c) => {
        const parts: Buffer[] = []
        for (const table of ['auth_creds', 'auth_keys', 'meta', 'accounts', 'settings']) {
          const rows = (await c.query(`SELECT * FROM ${table}`)).rows as Array<Record<string, unknown>>
          for (const row of rows) {
            for (const v of Object.values(row)) parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'))
          }
        }
        return Buffer.concat(parts)
      })
    }

    it('keeps no plaintext of creds or keys in the database', async () => {
      const store = (await openStore()).open(acct)
      const creds = initAuthCreds()
      const pair = Curve.generateKeyPair()
      await store.saveCreds(creds)
      await store.set({ 'pre-key': { '1': pair } })
      const bytes = await dump()
      expectNoPlaintext(bytes, creds, pair, 'pre-key')
    })

    it('refuses a row copied to another id, type or account (AAD binds the place)', async () => {
      const f = await openStore()
      const store = f.open(acct)
      await store.saveCreds(initAuthCreds())
      await store.set({ 'pre-key': { '1': Curve.generateKeyPair() } })
      await raw(async (c) => {
        const value = (await c.query("SELECT value FROM auth_keys WHERE id = '1'")).rows[0].value as Buffer
        const insert = 'INSERT INTO auth_keys (account_id, type, id, value) VALUES ($1, $2, $3, $4)'
        await c.query(insert, ['acct-1', 'pre-key', '2', value])
        await c.query(insert, ['acct-1', 'session', '1', value])
        await c.query(insert, ['acct-2', 'pre-key', '1', value])
        await c.query("INSERT INTO auth_creds (account_id, value, updated_at) SELECT 'acct-2', value, 0 FROM auth_creds")
      })
      expect(Object.keys(await store.get('pre-key', ['1']))).toEqual(['1'])
      await expect(store.get('pre-key', ['2'])).rejects.toMatchObject({ code: 'storage-corrupt' })
      await expect(store.get('session', ['1'])).rejects.toMatchObject({ code: 'storage-corrupt' })
      const other = f.open('acct-2' as AccountId)
      await expect(other.get('pre-key', ['1'])).rejects.toMatchObject({ code: 'storage-corrupt' })
      await expect(other.loadCreds()).rejects.toMatchObject({ code: 'storage-corrupt' })
    })

    it('refuses the wrong data key at open, before any row or the schema changes', async () => {
      const creds = initAuthCreds()
      await (await openStore()).open(acct).saveCreds(creds)
      await factory?.close()
      await database?.close()
      database = undefined
      factory = undefined
      const before = await dump()
      const migrations = await raw(async (c) => (await c.query('SELECT * FROM drizzle.__drizzle_migrations ORDER BY id')).rows)

      const wrongKey = randomBytes(32)
      const thrown = await openPostgres({ url, dataKey: wrongKey, logger }).catch((e: unknown) => e)
      expect(thrown).toMatchObject({ code: 'key-unavailable' })
      expect((thrown as Error).message).toMatch(/data key does not match this database/)
      expect((thrown as Error).message).not.toContain(ref.cluster.password)

      expect((await dump()).equals(before)).toBe(true)
      expect(await raw(async (c) => (await c.query('SELECT * FROM drizzle.__drizzle_migrations ORDER BY id')).rows)).toEqual(migrations)
      expectSameValue(await (await openStore()).open(acct).loadCreds(), creds)
    })

    it('refuses a database migrated by a newer version, changing nothing', async () => {
      await (await openStore()).open(acct).saveCreds(initAuthCreds())
      await database?.close()
      database = undefined
      factory = undefined
      await raw((c) => c.query("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', 99999999999999)"))
      const before = await dump()
      const thrown = await openPostgres({ url, dataKey, logger }).catch((e: unknown) => e)
      expect(thrown).toMatchObject({ code: 'conflict' })
      expect((thrown as Error).message).toMatch(/schema is newer than this version/)
      expect((await dump()).equals(before)).toBe(true)
    })

    it('gives a clear error, without the password, for an unreachable, wrong or malformed URL', async () => {
      const closed = await openPostgres({ url: `postgres://irish:secret-pw@127.0.0.1:1/nowhere`, dataKey, logger, connectTimeoutMs: 3000 }).catch(
        (e: unknown) => e,
      )
      expect(closed).toMatchObject({ code: 'unavailable' })
      expect((closed as Error).message).toMatch(/cannot be reached/)
      expect((closed as Error).message).not.toContain('secret-pw')

      const badPassword = await openPostgres({ url: ref.cluster.urlFor('postgres', { user: 'irish', password: 'not-it' }), dataKey, logger }).catch(
        (e: unknown) => e,
      )
      expect(badPassword).toMatchObject({ code: 'unauthorized' })
      expect((badPassword as Error).message).not.toContain('not-it')

      const noDatabase = await openPostgres({ url: ref.cluster.urlFor('no_such_db'), dataKey, logger }).catch((e: unknown) => e)
      expect(noDatabase).toMatchObject({ code: 'not-found' })
      expect((noDatabase as Error).message).not.toContain(ref.cluster.password)

      await expect(openPostgres({ url: 'mysql://x@y/z', dataKey, logger })).rejects.toMatchObject({ code: 'invalid-input' })
      await expect(openPostgres({ url, dataKey: randomBytes(16), logger })).rejects.toMatchObject({ code: 'key-unavailable' })
      // Nothing was created by the refused opens: the fresh database has no tables.
      const tables = await raw(async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n)
      expect(tables).toBe(0)
    })

    it('lets two servers open a fresh database at once: one migration, one key check', async () => {
      const [a, b] = await Promise.all([openPostgres({ url, dataKey, logger }), openPostgres({ url, dataKey, logger })])
      try {
        const rows = await raw(async (c) => ({
          migrations: (await c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n,
          checks: (await c.query('SELECT count(*)::int AS n FROM meta')).rows[0].n,
        }))
        const journal = JSON.parse(readFileSync(join(defaultPostgresMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
        expect(rows).toEqual({ migrations: journal.entries.length, checks: 1 })
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('serializes concurrent sets on one account from two pools: the last commit wins for every key', async () => {
      const first = await openStore()
      const second = await openPostgres({ url, dataKey, logger })
      try {
        const a = first.open(acct)
        const b = pgAuthStoreFactory(second).open(acct)
        // Each writer writes the same 50 keys with its own marker; interleaved rows would mix markers.
        const batch = (marker: number): Record<string, Buffer> => Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, Buffer.from([marker])]))
        await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).set({ session: batch(n) })))
        const got = await a.get('session', Object.keys(batch(0)))
        const markers = new Set(Object.values(got).map((v) => Buffer.from(v as Uint8Array)[0]))
        expect(markers.size).toBe(1)
      } finally {
        await second.close()
      }
    })
  })
})

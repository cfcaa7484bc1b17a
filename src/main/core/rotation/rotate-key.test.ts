// Rotating the data key on real databases (an encrypted SQLite file, a throwaway PostgreSQL cluster):
// every sealed column is re-sealed, the old key opens nothing afterwards, a rerun is a no-op, and the
// refusals change nothing. The kill -9 test over paired accounts is test/rotation-crash.test.ts.

import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { sqliteAuthStoreFactory } from '../auth-store/sqlite-store'
import { pgAuthStoreFactory } from '../auth-store/pg-store'
import type { AuthStoreFactory } from '../auth-store/types'
import { webhookPayloadAad, webhookSecretAad, webhookUrlAad } from '../crypto/aad'
import { createSealer, keyIdOf, sealedKeyId, type Sealer } from '../crypto/sealer'
import { silentLogger } from '../logger'
import { openDatabase } from '../db/open-database'
import { openPostgres } from '../db/postgres/open-postgres'
import { KEY_CHECK_NAME, NEXT_KEY_CHECK_NAME, ROTATION_NAME, sealKeyCheck } from '../db/key-check'
import { rotatePostgresKey, rotateSqliteKey } from './rotate-key'
import { sealedColumnsOf } from '../db/sealed-columns'

const logger = silentLogger()
const ACCOUNTS = ['acc-aaaaaaaaaa', 'acc-bbbbbbbbbb', 'acc-cccccccccc'] as AccountId[]
const SECRET_TEXT = 'plaintext that must never show'

interface Rows {
  database: 'sqlite' | 'postgres'
  all(sql: string): Promise<Array<Record<string, unknown>>>
  run(sql: string, values: unknown[]): Promise<void>
}

/** Creds and keys for a few accounts, a webhook with its secret and address, and an outbox payload, all sealed under `sealer`. */
async function populate(stores: AuthStoreFactory, rows: Rows, sealer: Sealer, placeholder: (n: number) => string): Promise<number> {
  let values = 0
  for (const account of ACCOUNTS) {
    const store = stores.open(account)
    await store.saveCreds({ me: { id: `1555000${account.slice(-4)}:3@s.whatsapp.net` }, secret: SECRET_TEXT } as never)
    await store.set({ 'pre-key': Object.fromEntries(Array.from({ length: 7 }, (_, i) => [String(i), { public: randomBytes(32), private: randomBytes(32) }])) } as never)
    values += 1 + 7
  }
  const p = placeholder
  await rows.run(`INSERT INTO webhooks (id, sealed_url, events, secret, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, [
    'wh-000000000001',
    sealer.seal(Buffer.from('https://hooks.example/?key=abc'), webhookUrlAad('wh-000000000001')),
    '["accounts:message"]',
    sealer.seal(Buffer.from('whsec-0123456789abcdef'), webhookSecretAad('wh-000000000001')),
    1,
  ])
  const delivery = randomUUID()
  await rows.run(
    `INSERT INTO webhook_outbox (delivery_id, webhook_id, lane, event, payload, created_at, queued_at, status, next_attempt_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 1, 1, 'pending', 1)`,
    [delivery, 'wh-000000000001', ACCOUNTS[0], 'accounts:message', sealer.seal(Buffer.from(JSON.stringify({ text: SECRET_TEXT })), webhookPayloadAad(delivery))],
  )
  return values + 3
}

/** Every sealed value, with the key id it names. */
async function sealedValues(rows: Rows): Promise<Array<{ where: string; value: Buffer; aad: Buffer }>> {
  const out: Array<{ where: string; value: Buffer; aad: Buffer }> = []
  for (const column of sealedColumnsOf(rows.database)) {
    for (const row of await rows.all(`SELECT * FROM ${column.table} WHERE ${column.column} IS NOT NULL`)) {
      const fields = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))
      out.push({ where: `${column.table}.${column.column}`, value: row[column.column] as Buffer, aad: column.aad(fields) })
    }
  }
  return out
}

function describeRotation(name: string, setup: () => Promise<{
  rows: Rows
  stores: (sealer: 'old' | 'new') => Promise<AuthStoreFactory>
  rotate: (options: { newKey: Buffer; oldKey: Buffer; batchSize?: number }) => ReturnType<typeof rotateSqliteKey>
  reopen: (keys: Buffer[]) => Promise<void>
  placeholder: (n: number) => string
  keys: { old: Buffer; new: Buffer }
  close(): Promise<void>
}>): void {
  describe(`rotating the data key: ${name}`, () => {
    let world: Awaited<ReturnType<typeof setup>>
    beforeEach(async () => {
      world = await setup()
    })
    afterEach(async () => {
      await world.close()
    })

    it('re-seals every sealed value under the new key; the old key opens nothing afterwards; a rerun does nothing', async () => {
      const { keys } = world
      const oldSealer = createSealer(keys.old)
      const total = await populate(await world.stores('old'), world.rows, oldSealer, world.placeholder)
      expect((await sealedValues(world.rows)).every((v) => sealedKeyId(v.value) === keyIdOf(keys.old))).toBe(true)

      const report = await world.rotate({ newKey: keys.new, oldKey: keys.old, batchSize: 4 })
      expect(report).toMatchObject({ from: keyIdOf(keys.old), to: keyIdOf(keys.new), resealed: total, alreadyDone: false })
      const newSealer = createSealer(keys.new)
      const values = await sealedValues(world.rows)
      expect(values).toHaveLength(total)
      for (const v of values) {
        expect(sealedKeyId(v.value), v.where).toBe(keyIdOf(keys.new))
        expect(() => newSealer.open(v.value, v.aad)).not.toThrow()
        expect(() => oldSealer.open(v.value, v.aad), v.where).toThrow()
      }
      // The store opens with the new key alone, and its accounts read back.
      await world.reopen([keys.new])
      const creds = await (await world.stores('new')).open(ACCOUNTS[1]!).loadCreds()
      expect((creds as unknown as { secret: string }).secret).toBe(SECRET_TEXT)
      await expect(world.reopen([keys.old])).rejects.toMatchObject({ code: 'key-unavailable', message: expect.stringContaining(`k-${keyIdOf(keys.new)}`) })

      expect(await world.rotate({ newKey: keys.new, oldKey: keys.old })).toMatchObject({ alreadyDone: true, resealed: 0 })
    })

    it('refuses the same key, and another new key than the one an unfinished rotation is going to, changing nothing', async () => {
      const { keys } = world
      await populate(await world.stores('old'), world.rows, createSealer(keys.old), world.placeholder)
      await expect(world.rotate({ newKey: keys.old, oldKey: keys.old })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('already') })
      // An unfinished rotation to the new key, as a kill after its first step leaves it.
      const p = world.placeholder
      await world.rows.run(`INSERT INTO meta (key, value) VALUES (${p(1)}, ${p(2)}), (${p(3)}, ${p(4)})`, [
        ROTATION_NAME,
        Buffer.from(JSON.stringify({ from: keyIdOf(keys.old), to: keyIdOf(keys.new), startedAt: 1 })),
        NEXT_KEY_CHECK_NAME,
        sealKeyCheck(createSealer(keys.new)),
      ])
      const before = JSON.stringify(await sealedValues(world.rows))
      const wrong = randomBytes(32)
      await expect(world.rotate({ newKey: wrong, oldKey: keys.old })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining(`k-${keyIdOf(keys.new)}`) })
      expect(JSON.stringify(await sealedValues(world.rows))).toBe(before)
      // Meanwhile the store opens only with both keys, the new one first.
      await expect(world.reopen([keys.old])).rejects.toMatchObject({ code: 'key-unavailable', message: expect.stringContaining('rotation') })
      await world.reopen([keys.new, keys.old])
      // And the right key finishes it.
      expect(await world.rotate({ newKey: keys.new, oldKey: keys.old })).toMatchObject({ alreadyDone: false })
      expect(await world.rows.all(`SELECT key FROM meta WHERE key = '${ROTATION_NAME}'`)).toEqual([])
      expect(sealedKeyId((await world.rows.all(`SELECT value FROM meta WHERE key = '${KEY_CHECK_NAME}'`))[0]!.value as Buffer)).toBe(keyIdOf(keys.new))
    })
  })
}

describeRotation('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'irish-rotate-'))
  const file = join(dir, 'irish.db')
  const keys = { old: randomBytes(32), new: randomBytes(32) }
  let database = openDatabase({ file, dataKey: keys.old })
  const rows: Rows = {
    database: 'sqlite',
    all: async (sql) => database.sqlite.prepare(sql).all() as Array<Record<string, unknown>>,
    run: async (sql, values) => void database.sqlite.prepare(sql).run(...values),
  }
  return {
    rows,
    keys,
    placeholder: () => '?',
    stores: async () => sqliteAuthStoreFactory(database),
    async rotate(options) {
      database.close()
      try {
        return await rotateSqliteKey(file, { ...options, logger })
      } finally {
        database = openDatabase({ file, dataKey: keys.new, previousKeys: [keys.old] })
      }
    },
    async reopen([first, ...rest]) {
      database.close()
      try {
        database = openDatabase({ file, dataKey: first!, previousKeys: rest })
      } catch (err) {
        database = openDatabase({ file, dataKey: keys.new, previousKeys: [keys.old] })
        throw err
      }
    },
    async close() {
      database.close()
      // Nothing of a sealed value's plaintext is anywhere in the file.
      expect(readFileSync(file).includes(Buffer.from(SECRET_TEXT))).toBe(false)
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

describePostgres('PostgreSQL', () => {
  const ref = usePostgresCluster()
  describeRotation('PostgreSQL', async () => {
    const url = await ref.cluster.createDatabase()
    const keys = { old: randomBytes(32), new: randomBytes(32) }
    let database = await openPostgres({ url, dataKey: keys.old, logger })
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return {
      keys,
      placeholder: (n) => `$${n}`,
      rows: {
        database: 'postgres',
        all: async (sql) => (await client.query(sql)).rows,
        run: async (sql, values) => void (await client.query(sql, values)),
      },
      stores: async () => pgAuthStoreFactory(database),
      rotate: (options) => rotatePostgresKey(url, { ...options, logger }),
      async reopen([first, ...rest]) {
        await database.close()
        try {
          database = await openPostgres({ url, dataKey: first!, previousKeys: rest, logger })
        } catch (err) {
          database = await openPostgres({ url, dataKey: keys.new, previousKeys: [keys.old], logger })
          throw err
        }
      },
      async close() {
        await client.end()
        await database.close()
      },
    }
  })

  it('lists every bytea column of the PostgreSQL schema that holds a sealed value', async () => {
    const url = await ref.cluster.createDatabase()
    await (await openPostgres({ url, dataKey: randomBytes(32), logger })).close()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ c: string }>("SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'")
      expect(rows.map((r) => r.c).sort()).toEqual([...sealedColumnsOf('postgres').map((c) => `${c.table}.${c.column}`), 'meta.value'].sort())
    } finally {
      await client.end()
    }
  })

  it('waits for every live server of the fleet to seal under the new key', async () => {
    const url = await ref.cluster.createDatabase()
    const keys = { old: randomBytes(32), new: randomBytes(32) }
    await (await openPostgres({ url, dataKey: keys.old, logger })).close()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query("INSERT INTO servers (id, url, key_id) VALUES ('srv-behind', 'http://10.0.0.9:7420', $1)", [keyIdOf(keys.old)])
      await expect(rotatePostgresKey(url, { newKey: keys.new, oldKey: keys.old, logger })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('srv-behind') })
      expect((await client.query("SELECT 1 FROM meta WHERE key = 'key-rotation'")).rowCount).toBe(0)
      await client.query('UPDATE servers SET key_id = $1', [keyIdOf(keys.new)])
      expect(await rotatePostgresKey(url, { newKey: keys.new, oldKey: keys.old, logger })).toMatchObject({ alreadyDone: false })
    } finally {
      await client.end()
    }
  })
})

describe('the sealed columns', () => {
  it('lists every blob column of the SQLite schema that holds a sealed value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irish-sealed-columns-'))
    try {
      const file = join(dir, 'irish.db')
      openDatabase({ file, dataKey: randomBytes(32) }).close()
      const sqlite = new Database(file, { readonly: true })
      const blobs: string[] = []
      for (const { name } of sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>) {
        for (const column of sqlite.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string; type: string }>) {
          if (/blob/i.test(column.type)) blobs.push(`${name}.${column.name}`)
        }
      }
      sqlite.close()
      expect(blobs.sort()).toEqual([...sealedColumnsOf('sqlite').map((c) => `${c.table}.${c.column}`), 'meta.value'].sort())
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

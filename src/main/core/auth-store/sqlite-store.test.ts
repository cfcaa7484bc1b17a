import Database from 'better-sqlite3'
import { Curve, initAuthCreds } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { defaultMigrationsFolder, openDatabase } from '../db/open-database'
import { describeAuthStoreContract, expectNoPlaintext, expectSameValue } from '../../../../test/support/auth-store-contract'
import { openSqliteAuthStoreFactory, sqliteAuthStoreFactory } from './sqlite-store'
import type { AuthStoreFactory } from './types'

describeAuthStoreContract('encrypted sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-sqlite-'))
  const factory = openSqliteAuthStoreFactory({ file: join(dir, 'app.db'), dataKey: randomBytes(32) })
  return { factory, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
})

describe('encrypted sqlite store', () => {
  const acct = 'acct-1' as AccountId
  let dir: string
  let file: string
  let dataKey: Buffer
  let factory: AuthStoreFactory | undefined

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-sqlite-'))
    file = join(dir, 'app.db')
    dataKey = randomBytes(32)
  })
  afterEach(async () => {
    await factory?.close()
    factory = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  /** A second, plain connection: what someone with the file but not the key can do. */
  function raw<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(file)
    try {
      return fn(db)
    } finally {
      db.close()
    }
  }

  it('keeps no plaintext of creds or keys in the database file or its WAL', async () => {
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    const store = factory.open(acct)
    const creds = initAuthCreds()
    const pair = Curve.generateKeyPair()
    await store.saveCreds(creds)
    await store.set({ 'pre-key': { '1': pair } })
    // Read while open: the rows are still in the WAL, the place a leak would hide.
    expect(existsSync(`${file}-wal`)).toBe(true)
    const bytes = Buffer.concat([readFileSync(file), readFileSync(`${file}-wal`)])
    expectNoPlaintext(bytes, creds, pair, 'pre-key')
  })

  it('refuses a row copied to another id, type or account (AAD binds the place)', async () => {
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    const store = factory.open(acct)
    await store.saveCreds(initAuthCreds())
    await store.set({ 'pre-key': { '1': Curve.generateKeyPair() } })
    raw((db) => {
      const row = db.prepare("SELECT value FROM auth_keys WHERE id = '1'").get() as { value: Buffer }
      const insert = db.prepare('INSERT INTO auth_keys (account_id, type, id, value) VALUES (?, ?, ?, ?)')
      insert.run('acct-1', 'pre-key', '2', row.value)
      insert.run('acct-1', 'session', '1', row.value)
      insert.run('acct-2', 'pre-key', '1', row.value)
      db.prepare("INSERT INTO auth_creds (account_id, value, updated_at) SELECT 'acct-2', value, 0 FROM auth_creds").run()
    })
    expect(Object.keys(await store.get('pre-key', ['1']))).toEqual(['1'])
    await expect(store.get('pre-key', ['2'])).rejects.toMatchObject({ code: 'storage-corrupt' })
    await expect(store.get('session', ['1'])).rejects.toMatchObject({ code: 'storage-corrupt' })
    const other = factory.open('acct-2' as AccountId)
    await expect(other.get('pre-key', ['1'])).rejects.toMatchObject({ code: 'storage-corrupt' })
    await expect(other.loadCreds()).rejects.toMatchObject({ code: 'storage-corrupt' })
  })

  it('reports one flipped byte as storage-corrupt naming account, type and id', async () => {
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    const store = factory.open(acct)
    await store.set({ session: { '5511999990000.0': randomBytes(200), 'other.0': randomBytes(10) } })
    raw((db) => {
      const row = db.prepare("SELECT value FROM auth_keys WHERE id = '5511999990000.0'").get() as { value: Buffer }
      row.value[40] = (row.value[40] ?? 0) ^ 0x01
      db.prepare("UPDATE auth_keys SET value = ? WHERE id = '5511999990000.0'").run(row.value)
    })
    const err = await store.get('session', ['5511999990000.0', 'other.0']).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'storage-corrupt' })
    const message = (err as Error).message
    expect(message).toContain('acct-1')
    expect(message).toContain('session')
    expect(message).toContain('5511999990000.0')
    expect(message).toMatch(/delete that key|clear the account/i)
    // The neighbour is untouched.
    expect(Object.keys(await store.get('session', ['other.0']))).toEqual(['other.0'])
  })

  it('refuses the wrong data key at open, before any row is read or changed', async () => {
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    const creds = initAuthCreds()
    await factory.open(acct).saveCreds(creds)
    await factory.close()
    factory = undefined
    const before = raw((db) => db.prepare('SELECT account_id, value FROM auth_creds').all())

    let thrown: unknown
    try {
      openSqliteAuthStoreFactory({ file, dataKey: randomBytes(32) })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({ code: 'key-unavailable' })
    expect((thrown as Error).message).toMatch(/data key does not match this database/)
    expect((thrown as Error).message).not.toContain(dataKey.toString('hex'))

    expect(raw((db) => db.prepare('SELECT account_id, value FROM auth_creds').all())).toEqual(before)
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    expectSameValue(await factory.open(acct).loadCreds(), creds)
  })

  it('rejects a malformed data key or file as key-unavailable / invalid-input, creating nothing', () => {
    expect(() => openSqliteAuthStoreFactory({ file, dataKey: randomBytes(31) })).toThrow(
      expect.objectContaining({ code: 'key-unavailable' }),
    )
    expect(() => openSqliteAuthStoreFactory({ file, dataKey: 'x'.repeat(32) as never })).toThrow(
      expect.objectContaining({ code: 'key-unavailable' }),
    )
    expect(existsSync(file)).toBe(false)
    expect(() => openSqliteAuthStoreFactory({ file: '', dataKey })).toThrow(expect.objectContaining({ code: 'invalid-input' }))
    expect(() => openSqliteAuthStoreFactory(null as never)).toThrow(expect.objectContaining({ code: 'invalid-input' }))
    expect(() => sqliteAuthStoreFactory({} as never)).toThrow(expect.objectContaining({ code: 'invalid-input' }))
  })

  it('rolls back a set whose failure happens inside the transaction', async () => {
    factory = openSqliteAuthStoreFactory({ file, dataKey })
    const store = factory.open(acct)
    const kept = Curve.generateKeyPair()
    await store.set({ 'pre-key': { a: kept, b: Curve.generateKeyPair() } })
    // A trigger added from another connection makes the third row's insert fail mid-transaction.
    raw((db) =>
      db.exec("CREATE TRIGGER boom BEFORE INSERT ON auth_keys WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END"),
    )
    const attempt = store.set({ 'pre-key': { a: Curve.generateKeyPair(), b: null, boom: Curve.generateKeyPair(), z: Curve.generateKeyPair() } })
    await expect(attempt).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/nothing was written/) })
    const got = await store.get('pre-key', ['a', 'b', 'boom', 'z'])
    expect(Object.keys(got).sort()).toEqual(['a', 'b'])
    expectSameValue(got.a, kept)
  })

  it('loads better-sqlite3 from an explicit native binding, and names a missing or foreign one', () => {
    // better-sqlite3 13 ships N-API prebuilds, one per platform, inside its npm package.
    const binding = join(process.cwd(), 'node_modules', 'better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`)
    openDatabase({ file, dataKey, nativeBinding: binding }).close()
    expect(() => openDatabase({ file, dataKey, nativeBinding: join(dir, 'missing.node') })).toThrow(/missing\.node does not exist/)
    // A file that is not a loadable module for this runtime, like an Electron build would be for Node.
    const foreign = join(dir, 'foreign.node')
    writeFileSync(foreign, 'not an ELF file')
    expect(() => openDatabase({ file, dataKey, nativeBinding: foreign })).toThrow(/built for another runtime/)
  })

  it('keeps the database files readable by their owner only', async () => {
    const database = openDatabase({ file, dataKey })
    const store = sqliteAuthStoreFactory(database).open('acc-mode' as AccountId)
    await store.set({ session: { a: Buffer.from('x') } })
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      expect(statSync(path).mode & 0o777).toBe(0o600)
    }
    database.close()
  })

  it('applies migrations once, from the default folder, and reopens idempotently', async () => {
    expect(existsSync(join(defaultMigrationsFolder(), 'meta', '_journal.json'))).toBe(true)
    const first = openDatabase({ file, dataKey })
    first.close()
    const second = openDatabase({ file, dataKey })
    const migrations = second.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    const checks = second.sqlite.prepare('SELECT count(*) AS n FROM meta').get() as { n: number }
    expect(second.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(second.sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(second.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000)
    second.close()
    const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
    expect(migrations.n).toBe(journal.entries.length)
    expect(checks.n).toBe(1)
    expect(() => openDatabase({ file, dataKey, migrationsFolder: join(dir, 'nowhere') })).toThrow()
  })

  it('shares one database between factories and says so when used after close', async () => {
    const database = openDatabase({ file, dataKey })
    const shared = sqliteAuthStoreFactory(database)
    const store = shared.open(acct)
    await store.set({ session: { s: Buffer.from('x') } })
    await shared.close()
    expect(database.sqlite.open).toBe(true)
    await expect(store.get('session', ['s'])).rejects.toMatchObject({ code: 'unavailable' })
    database.close()
  })
})

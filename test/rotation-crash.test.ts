// Rotating the data key under kill -9, on both databases: 50 accounts paired for real (Baileys against
// the simulator), `irish rotate-key` killed with SIGKILL at 10 points spread over the whole rotation
// (its first step, batches along the way, its last step). Each time the store opens with the two keys
// and every account's creds and keys read back, and a rerun finishes the job. Afterwards a server with
// the new key alone reconnects every account without a QR code, the old key opens nothing, and no
// plaintext of the credentials is in the database.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import { pgAuthStoreFactory } from '../src/main/core/auth-store/pg-store'
import { sqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import type { AuthStoreFactory } from '../src/main/core/auth-store/types'
import { createSealer, keyIdOf, sealedKeyId } from '../src/main/core/crypto/sealer'
import { decodeDataKey } from '../src/main/core/crypto/key-vault'
import { openDatabase } from '../src/main/core/db/open-database'
import { openPostgres } from '../src/main/core/db/postgres/open-postgres'
import { sealedColumnsOf } from '../src/main/core/db/sealed-columns'
import { rotateKey } from '../src/main/core/rotation/rotation-run'
import { moveSqliteToPostgres } from '../src/main/core/fleet/move-to-postgres'
import { silentLogger } from '../src/main/core/logger'
import { muteLibsignalLogs } from './support/baileys-clients'
import { pairedStore, type PairedStore } from './support/paired-store'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newApiToken, newDataKey, startServerProcess } from './support/server-process'
import { startTestSimulator, type TestSimulator } from './support/transfer-support'

const ROOT = resolve(import.meta.dirname, '..')
const ACCOUNTS = 50
const KILL_POINTS = 10
const BATCH = 200
/** Text only creds in clear would hold: Baileys' names for their secret fields. */
const PLAINTEXT_MARKERS = ['advSecretKey', 'signedIdentityKey', 'noiseKey', 'signedPreKey']
const logger = silentLogger()

let sim: TestSimulator
let unmute: () => void
let store: PairedStore
let work: string
const newKey = newDataKey()

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

async function rotateCli(where: string[], crashAfter?: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/irish.ts', 'rotate-key', ...where, '--batch', String(BATCH)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      IRISH_DATA_KEY: newKey,
      IRISH_PREVIOUS_DATA_KEY: store.dataKey,
      ...(crashAfter !== undefined ? { IRISH_TEST_ROTATION_CRASH_AFTER: String(crashAfter) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  return { code, signal, stdout, stderr }
}

/** The rerun, in this process (one of the reruns goes through the CLI instead). */
function rerun(where: { dataDir: string } | { databaseUrl: string }) {
  return rotateKey({ ...where, env: { IRISH_DATA_KEY: newKey, IRISH_PREVIOUS_DATA_KEY: store.dataKey }, newKeyInKeychain: false, batchSize: BATCH, logger })
}

/** Ten kill points over a rotation of `total` steps: its first, its last, and eight spread between. */
function killPoints(total: number): number[] {
  return [...new Set(Array.from({ length: KILL_POINTS }, (_, i) => Math.max(1, Math.round(1 + (i * (total - 1)) / (KILL_POINTS - 1)))))]
}

/** One step to begin, one per batch of each sealed column, one to finish. */
function stepsFor(counts: number[]): number {
  return 2 + counts.reduce((n, rows) => n + Math.ceil(rows / BATCH), 0)
}

/** Every account's creds and keys open: the store is usable. */
async function readsEverything(stores: AuthStoreFactory): Promise<number> {
  let keys = 0
  for (const account of store.accounts) {
    const snapshot = await stores.open(account.id as AccountId).exportSnapshot()
    expect(snapshot?.creds.me?.id, account.id).toBeTruthy()
    keys += Object.values(snapshot!.keys).reduce((n, bucket) => n + Object.keys(bucket).length, 0)
  }
  return keys
}

/** Every sealed value names the new key and opens with it alone, and none opens with the old key. */
async function allUnderNewKey(values: Array<{ value: Buffer; aad: Buffer }>): Promise<void> {
  const fresh = createSealer(decodeDataKey(newKey)!)
  const old = createSealer(decodeDataKey(store.dataKey)!)
  expect(values.length).toBeGreaterThan(ACCOUNTS)
  let openedByOld = 0
  for (const { value, aad } of values) {
    expect(sealedKeyId(value)).toBe(fresh.keyId)
    fresh.open(value, aad)
    try {
      old.open(value, aad)
      openedByOld += 1
    } catch {
      // What must happen: the old key opens nothing.
    }
  }
  expect(openedByOld).toBe(0)
}

function sqliteValues(file: string): Array<{ value: Buffer; aad: Buffer }> {
  const db = new Database(file, { readonly: true })
  try {
    return sealedColumnsOf('sqlite').flatMap((column) =>
      (db.prepare(`SELECT * FROM ${column.table} WHERE ${column.column} IS NOT NULL`).all() as Array<Record<string, unknown>>).map((row) => ({
        value: row[column.column] as Buffer,
        aad: column.aad(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))),
      })),
    )
  } finally {
    db.close()
  }
}

/** Starts a server on the store with the new key alone; every account must reach connected by itself. */
async function everyAccountReconnects(options: { dataDir: string; args?: string[] }): Promise<void> {
  const server = await startServerProcess({ dataDir: options.dataDir, dataKey: newKey, token: newApiToken(), env: sim.env, ...(options.args ? { args: options.args } : {}) })
  try {
    let accounts: AccountSummary[] = []
    const deadline = Date.now() + 180_000
    while (Date.now() < deadline) {
      accounts = await server.value<AccountSummary[]>('accounts:list')
      if (accounts.length === ACCOUNTS && accounts.every((a) => a.status === 'connected')) break
      // Nobody scans a QR code here: an account that needed one would wait in pairing for ever.
      expect(accounts.filter((a) => a.status === 'pairing')).toEqual([])
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(accounts.map((a) => a.status)).toEqual(Array(ACCOUNTS).fill('connected'))
    expect(new Set(accounts.map((a) => a.id))).toEqual(new Set(store.accounts.map((a) => a.id)))
  } finally {
    await server.stop()
  }
}

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  work = mkdtempSync(join(tmpdir(), 'irish-rotation-crash-'))
  sim = await startTestSimulator()
  store = await pairedStore(sim.sim, ACCOUNTS, { prefix: 'irish-rotation-paired-' })
}, 600_000)

afterAll(async () => {
  await sim?.close()
  if (store) rmSync(store.dataDir, { recursive: true, force: true })
  if (work) rmSync(work, { recursive: true, force: true })
  unmute?.()
})

/** A fresh copy of the paired store's data dir, as it was before any rotation. */
function copyOfStore(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const file of ['irish.db', 'irish.db-wal']) if (existsSync(join(store.dataDir, file))) copyFileSync(join(store.dataDir, file), join(dir, file))
  return dir
}

describe('rotating the data key of SQLite under kill -9', () => {
  it(`opens and finishes after a kill at each of ${KILL_POINTS} points, then every account reconnects under the new key alone`, async () => {
    const db = new Database(join(store.dataDir, 'irish.db'), { readonly: true })
    const counts = sealedColumnsOf('sqlite').map((c) => (db.prepare(`SELECT count(*) AS n FROM ${c.table} WHERE ${c.column} IS NOT NULL`).get() as { n: number }).n)
    db.close()
    const points = killPoints(stepsFor(counts))
    expect(points).toHaveLength(KILL_POINTS)
    let last = ''
    for (const [i, point] of points.entries()) {
      const dir = copyOfStore(`sqlite-${point}`)
      const killed = await rotateCli(['--data-dir', dir], point)
      expect(killed.signal, killed.stderr).toBe('SIGKILL')
      const opened = openDatabase({ file: join(dir, 'irish.db'), dataKey: decodeDataKey(newKey)!, previousKeys: [decodeDataKey(store.dataKey)!] })
      try {
        expect(await readsEverything(sqliteAuthStoreFactory(opened))).toBeGreaterThan(0)
      } finally {
        opened.close()
      }
      if (i === 1) {
        const finished = await rotateCli(['--data-dir', dir])
        expect(finished.code, finished.stderr).toBe(0)
        expect(finished.stdout).toMatch(/Re-sealed \d+ value\(s\) from k-[0-9a-f]{8} to k-[0-9a-f]{8}/)
      } else {
        const report = await rerun({ dataDir: dir })
        expect(report.to).toBe(keyIdOf(decodeDataKey(newKey)!))
        // Killed after its last step, the rotation had finished: the rerun finds nothing to do.
        expect(report.alreadyDone).toBe(point === points.at(-1))
      }
      await allUnderNewKey(sqliteValues(join(dir, 'irish.db')))
      if (last) rmSync(last, { recursive: true, force: true })
      last = dir
    }
    expect(() => openDatabase({ file: join(last, 'irish.db'), dataKey: decodeDataKey(store.dataKey)! })).toThrow(/does not match/)
    const bytes = readFileSync(join(last, 'irish.db'))
    for (const marker of PLAINTEXT_MARKERS) expect(bytes.includes(Buffer.from(marker)), marker).toBe(false)
    await everyAccountReconnects({ dataDir: last })
  }, 900_000)
})

describePostgres('rotating the data key of PostgreSQL under kill -9', () => {
  const ref = usePostgresCluster()

  it(`opens and finishes after a kill at each of ${KILL_POINTS} points, then every account reconnects under the new key alone`, async () => {
    // The paired accounts, moved into a database that each kill point starts from a copy of.
    const pristine = `rot_${Date.now().toString(36)}`
    const pristineUrl = await ref.cluster.createDatabase(pristine)
    await moveSqliteToPostgres({ dataDir: copyOfStore('to-postgres'), databaseUrl: pristineUrl, dataKey: decodeDataKey(store.dataKey)!, logger })
    const admin = new pg.Client({ connectionString: ref.cluster.url })
    await admin.connect()
    const copyOf = async (name: string): Promise<string> => {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${pristine}`)
      return ref.cluster.urlFor(name)
    }
    const values = async (url: string): Promise<Array<{ value: Buffer; aad: Buffer }>> => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        const out: Array<{ value: Buffer; aad: Buffer }> = []
        for (const column of sealedColumnsOf('postgres')) {
          for (const row of (await client.query(`SELECT * FROM ${column.table} WHERE ${column.column} IS NOT NULL`)).rows as Array<Record<string, unknown>>) {
            out.push({ value: row[column.column] as Buffer, aad: column.aad(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))) })
          }
        }
        return out
      } finally {
        await client.end()
      }
    }
    try {
      const counts: number[] = []
      const probe = new pg.Client({ connectionString: pristineUrl })
      await probe.connect()
      for (const c of sealedColumnsOf('postgres')) counts.push(Number((await probe.query(`SELECT count(*) AS n FROM ${c.table} WHERE ${c.column} IS NOT NULL`)).rows[0].n))
      await probe.end()
      const points = killPoints(stepsFor(counts))
      expect(points).toHaveLength(KILL_POINTS)
      let last = ''
      for (const [i, point] of points.entries()) {
        const url = await copyOf(`${pristine}_k${point}`)
        const killed = await rotateCli(['--database', url], point)
        expect(killed.signal, killed.stderr).toBe('SIGKILL')
        const opened = await openPostgres({ url, dataKey: decodeDataKey(newKey)!, previousKeys: [decodeDataKey(store.dataKey)!], logger })
        try {
          expect(await readsEverything(pgAuthStoreFactory(opened))).toBeGreaterThan(0)
        } finally {
          await opened.close()
        }
        if (i === 1) {
          const finished = await rotateCli(['--database', url])
          expect(finished.code, finished.stderr).toBe(0)
        } else {
          expect((await rerun({ databaseUrl: url })).alreadyDone).toBe(point === points.at(-1))
        }
        await allUnderNewKey(await values(url))
        last = url
      }
      await expect(openPostgres({ url: last, dataKey: decodeDataKey(store.dataKey)!, logger })).rejects.toMatchObject({ code: 'key-unavailable' })
      await everyAccountReconnects({ dataDir: mkdtempSync(join(work, 'fleet-')), args: ['--database', last] })
    } finally {
      await admin.end()
    }
  }, 900_000)
})

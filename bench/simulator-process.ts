// Runs the WhatsApp simulator in a child process (src/simulator/cli.ts through tsx), so a benchmark's
// memory figures cover only the app. Node is started directly with `--import tsx` rather than through
// `npx tsx`: then the pid we hold is the simulator itself, and killing it leaves no grandchild behind.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { totalmem } from 'node:os'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { heapLimitFlag } from '../src/main/server/heap-limit'

const ROOT = resolve(import.meta.dirname, '..')
const STARTUP_TIMEOUT_MS = 30_000

export interface SimulatorProcess {
  url: string
  rootKeyHex: string
  admin: string
  child: ChildProcess
  /** Plays the phone: scans a QR shown by a companion (POST /scan on the admin API). */
  scan(qr: string, name?: string): Promise<{ jid: string; lid: string }>
  stats(): Promise<{ connections: number; loggedIn: number; routedMessages: number; memory: NodeJS.MemoryUsage }>
  /** SIGTERM and wait for the exit. Safe to call twice. */
  stop(): Promise<void>
  /** Synchronous best effort, for process 'exit' handlers. */
  killNow(): void
}

/** `args`: the simulator's own options (a fixed --port, a --state file). */
export async function startSimulatorProcess(args: string[] = ['--port', '0']): Promise<SimulatorProcess> {
  // The server's heap limit (src/main/server/heap-limit.ts) for the simulator too: at 10,000 accounts its
  // directory and sockets approach V8's default. Passed as a flag: this child is started, not re-executed.
  const heap = heapLimitFlag({ execArgv: [], nodeOptions: process.env.NODE_OPTIONS, totalMemory: totalmem(), currentLimit: 0 })
  const child = spawn(process.execPath, [...(heap ? [heap] : []), '--import', 'tsx', '--import', './bench/as-built.ts', 'src/simulator/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const errors: string[] = []
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    errors.push(chunk)
    // Warnings from the simulator are worth seeing, but marked as not ours.
    process.stderr.write(chunk.replace(/^/gm, '[simulator process] '))
  })

  const lines = createInterface({ input: child.stdout! })
  const first = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolveLine(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the simulator exited (${code}) before it started: ${errors.join('').trim()}`))
    })
  }).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  const info = JSON.parse(first) as { url: string; rootKey: string; admin: string }

  async function post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${info.admin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const json = (await response.json()) as T & { error?: { message: string } }
    if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}: ${json.error?.message ?? 'no message'}`)
    return json
  }

  let stopped: Promise<void> | null = null
  return {
    url: info.url,
    rootKeyHex: info.rootKey,
    admin: info.admin,
    child,
    scan: (qr, name) => post('/scan', name ? { qr, name } : { qr }),
    async stats() {
      const response = await fetch(`${info.admin}/stats`)
      return (await response.json()) as Awaited<ReturnType<SimulatorProcess['stats']>>
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = once(child, 'exit')
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      })()
      return stopped
    },
    killNow() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

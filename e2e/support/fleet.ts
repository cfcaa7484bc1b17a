// The accounts-at-scale spec's server (fleet-server.ts, test-only): what it holds, and a handle to
// start it, inject the 500 status changes and stop it. It runs in its own process group so stopping
// it stops npx, tsx and the server together.

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { AccountStatus } from '../../src/shared/contract'

export const FLEET_SIZE = 500

/** Every 50th account is reconnecting, every 25th logged out, every 20th failed; the rest connected. */
export function injectedStatus(index: number): AccountStatus {
  if (index % 50 === 7) return 'reconnecting'
  if (index % 25 === 3) return 'logged-out'
  if (index % 20 === 11) return 'failed'
  return 'connected'
}

export function fleetLabel(index: number): string {
  return `Fleet ${String(index).padStart(3, '0')}`
}

export function expectedCount(status: AccountStatus): number {
  let count = 0
  for (let i = 0; i < FLEET_SIZE; i++) if (injectedStatus(i) === status) count++
  return count
}

export interface FleetServer {
  url: string
  token: string
  /** Pushes the 500 changed summaries through the core's event bus; resolves when they are sent. */
  inject(): Promise<void>
  /** Starts (or, with 0, stops) the benchmark's traffic: `perSecond` messages, a tick and a few changes a second. */
  traffic(perSecond: number): Promise<void>
  stop(): Promise<void>
}

const ROOT = resolve(import.meta.dirname, '..', '..')

export async function startFleetServer(): Promise<FleetServer> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-e2e-fleet-'))
  const token = randomBytes(24).toString('base64url')
  const child = spawn('npx', ['tsx', 'e2e/support/fleet-server.ts', '--data-dir', join(dir, 'data')], {
    cwd: ROOT,
    env: { ...process.env, IRISH_API_TOKEN: token, IRISH_DATA_KEY: randomBytes(32).toString('base64') },
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  })
  const lines = createInterface({ input: child.stdout! })
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = []
  lines.on('line', (line) => {
    const index = waiters.findIndex((w) => w.match.test(line))
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(line)
  })
  const next = (match: RegExp): Promise<string> =>
    new Promise((resolveLine, reject) => {
      waiters.push({ match, resolve: resolveLine })
      child.once('exit', (code) => reject(new Error(`the fleet server exited (code ${code}) before printing ${match}`)))
    })
  const url = /listening on (\S+)/.exec(await next(/listening on /))![1]!
  return {
    url,
    token,
    async inject() {
      const done = next(/^injected \d+/)
      child.stdin!.write('inject\n')
      await done
    },
    async traffic(perSecond) {
      const done = next(/^traffic \d+/)
      child.stdin!.write(`traffic ${perSecond}\n`)
      await done
    },
    async stop() {
      child.stdin!.end()
      await stopGroup(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit))
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }, 10_000)
  await exited
  clearTimeout(timer)
}

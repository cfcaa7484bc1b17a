// The accounts-at-scale spec's server (fleet-server.ts, test-only): what it holds, and a handle to
// start it, inject the 500 status changes and stop it. It runs in its own process group so stopping
// it stops npx, tsx and the server together.

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { AccountCondition, AccountStatus } from '../../src/shared/contract'

export const FLEET_SIZE = 500

/**
 * Every 50th account is reconnecting, every 25th logged out, every 20th failed, every 50th replaced; of
 * each hundred, one more failed with a QR code nobody scanned (408 before pairing), one refused by
 * WhatsApp (403), and one connected with a condition (decryption failures); the rest connected.
 */
export function injectedStatus(index: number): AccountStatus {
  return injected(index).status
}

export interface Injected {
  status: AccountStatus
  lastDisconnectCode: number | null
  /** False: never paired (a QR that expired). */
  paired: boolean
  condition: AccountCondition | null
}

export function injected(index: number): Injected {
  const plain = { lastDisconnectCode: null, paired: true, condition: null }
  if (index % 50 === 7) return { ...plain, status: 'reconnecting', lastDisconnectCode: 408 }
  if (index % 25 === 3) return { ...plain, status: 'logged-out', lastDisconnectCode: 401 }
  if (index % 20 === 11) return { ...plain, status: 'failed', lastDisconnectCode: 408 }
  if (index % 50 === 13) return { ...plain, status: 'replaced', lastDisconnectCode: 440 }
  if (index % 100 === 17) return { ...plain, status: 'failed', lastDisconnectCode: 408, paired: false }
  if (index % 100 === 19) return { ...plain, status: 'failed', lastDisconnectCode: 403 }
  if (index % 100 === 29) {
    return {
      ...plain,
      status: 'connected',
      condition: { code: 'decrypt-failures', title: 'Messages fail to decrypt', detail: '12 messages in 5 minutes', remedy: 'Restart it.', since: 0, until: null, automatic: null },
    }
  }
  return { ...plain, status: 'connected' }
}

export function fleetLabel(index: number): string {
  return `Fleet ${String(index).padStart(3, '0')}`
}

export function expectedCount(status: AccountStatus): number {
  return countWhere((x) => x.status === status)
}

/** How many injected accounts match. */
export function countWhere(match: (injected: Injected, index: number) => boolean): number {
  let count = 0
  for (let i = 0; i < FLEET_SIZE; i++) if (match(injected(i), i)) count++
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

/** Stops a server started in its own process group: stdin closed first, SIGKILL to the group after 10 s. */
export async function stopGroup(child: ChildProcess): Promise<void> {
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

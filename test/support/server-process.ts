// Starts the real headless server (src/main/server/server-entry.ts) as a child process on 127.0.0.1 with its own
// data dir, and talks to it the way any client does: HTTP for commands, a WebSocket for events.
// Used by the integration tests; every process started here is stopped by the test that started it.

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import type { CommandName, EventMessage, Result } from '../../src/shared/contract'

const ROOT = resolve(import.meta.dirname, '../..')
// tsx compiles the server's sources at each start: 30 s was not enough at a load of 20-27 on the 2 shared cores.
const STARTUP_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 15_000

export interface ServerProcess {
  url: string
  token: string
  dataDir: string
  child: ChildProcess
  /** Lines the server printed on stdout, for assertions (and for debugging a failed start). */
  stdout: string[]
  /** What it wrote on stderr (its log records), as received. */
  stderr: string[]
  call<T = unknown>(command: CommandName | string, input?: unknown, token?: string | null): Promise<{ status: number; body: Result<T> }>
  /** Calls a command and returns its value; throws with the server's message otherwise. */
  value<T = unknown>(command: CommandName, input?: unknown): Promise<T>
  events(): Promise<EventStream>
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>
}

export interface ServerOptions {
  dataDir: string
  simulator?: boolean
  token?: string
  dataKey?: string
  env?: Record<string, string>
  args?: string[]
  /** 'source' (default): src/main/server/server-entry.ts through tsx; 'build': out/main/server.js with plain node. */
  entry?: 'source' | 'build'
  /** Flags for node itself, before the entry: `npm run serve` gives the built server HEAP_LIMIT_FLAG (heap-limit.ts). */
  nodeArgs?: string[]
  /** A command the server runs under, e.g. ['prlimit', '--nofile=200'] or ['unshare', '-pf', '--mount-proc']. */
  wrapper?: string[]
}

export function newDataKey(): string {
  return randomBytes(32).toString('base64')
}

/** A token the server's strength rule accepts (what `openssl rand -hex 32` makes). */
export function newApiToken(): string {
  return randomBytes(32).toString('hex')
}

export async function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  const token = options.token ?? newApiToken()
  const entry = options.entry === 'build' ? ['out/main/server.js'] : ['--import', 'tsx', 'src/main/server/server-entry.ts']
  const args = [...(options.nodeArgs ?? []), ...entry, '--host', '127.0.0.1', '--port', '0', '--data-dir', options.dataDir, '--log-level', 'warn']
  if (options.simulator) args.push('--simulator')
  args.push(...(options.args ?? []))
  const wrapper = options.wrapper ?? []
  const child = spawn(wrapper[0] ?? process.execPath, wrapper.length > 0 ? [...wrapper.slice(1), process.execPath, ...args] : args, {
    cwd: ROOT,
    env: {
      ...process.env,
      IRISH_API_TOKEN: token,
      IRISH_DATA_KEY: options.dataKey ?? newDataKey(),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  const stderr: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const lines = createInterface({ input: child.stdout! })

  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Nobody will stop a server whose start failed: it must not outlive the test (and load the machine).
      child.kill('SIGKILL')
      reject(new Error(`server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${stdout.join('\n')}\n${stderr.join('')}`))
    }, STARTUP_TIMEOUT_MS)
    lines.on('line', (line) => {
      stdout.push(line)
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)
      if (match) {
        clearTimeout(timer)
        resolvePromise(match[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${stdout.join('\n')}\n${stderr.join('')}`))
    })
  })

  async function call<T>(command: string, input: unknown = {}, callToken: string | null = token) {
    const response = await fetch(`${url}/api/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(callToken ? { authorization: `Bearer ${callToken}` } : {}) },
      body: JSON.stringify(input),
    })
    return { status: response.status, body: (await response.json()) as Result<T> }
  }

  return {
    url,
    token,
    dataDir: options.dataDir,
    child,
    stdout,
    stderr,
    call,
    async value<T>(command: CommandName, input: unknown = {}) {
      const { body } = await call<T>(command, input)
      if (!body.ok) throw new Error(`${command} failed: ${body.error.code}: ${body.error.message}`)
      return body.value
    },
    events: () => openEventStream(url, token),
    async stop() {
      // Already gone (exited, or killed by a test): nothing to wait for.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      // A server that ignores SIGTERM is a bug the test must see, but it must not outlive the test.
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
      clearTimeout(killer)
      if (signal === 'SIGKILL') throw new Error(`server did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM`)
      return code
    },
  }
}

export interface EventStream {
  /** Every event received so far. */
  received: EventMessage[]
  /** Resolves with the first event (already received or future) that matches. */
  next<M extends EventMessage>(match: (message: EventMessage) => message is M, timeoutMs?: number): Promise<M>
  next(match: (message: EventMessage) => boolean, timeoutMs?: number): Promise<EventMessage>
  close(): void
}

export async function openEventStream(url: string, token: string): Promise<EventStream> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${token}`])
  const received: EventMessage[] = []
  const waiters = new Set<{ match: (m: EventMessage) => boolean; resolve: (m: EventMessage) => void }>()
  await new Promise<void>((resolvePromise, reject) => {
    ws.once('error', reject)
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as EventMessage | { type: 'ready' }
      if ('type' in message) {
        if (message.type === 'ready') resolvePromise()
        return
      }
      received.push(message)
      for (const waiter of [...waiters]) {
        if (waiter.match(message)) {
          waiters.delete(waiter)
          waiter.resolve(message)
        }
      }
    })
  })
  return {
    received,
    next(match: (message: EventMessage) => boolean, timeoutMs = 15_000) {
      const already = received.find(match)
      if (already) return Promise.resolve(already)
      return new Promise<EventMessage>((resolvePromise, reject) => {
        const waiter = {
          match,
          resolve: (m: EventMessage) => {
            clearTimeout(timer)
            resolvePromise(m)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no matching event within ${timeoutMs} ms; received: ${received.map((m) => m.event).join(', ')}`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    close: () => ws.close(),
  } as EventStream
}

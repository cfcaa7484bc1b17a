// Runs the accounts benchmark's plain-Baileys peer (bench/baileys-peer.ts) in a child process and
// drives it one phase at a time over the IPC channel. Node is started directly with
// `--expose-gc --import tsx` (as the simulator is, see simulator-process.ts), so the pid we hold is the
// peer itself and its RSS is its own. The child exits by itself when this process goes away.

import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const STARTUP_TIMEOUT_MS = 30_000

export interface PeerInit {
  /** The simulator's WebSocket URL and root key, and its admin API (POST /scan plays the phone). */
  url: string
  rootKeyHex: string
  admin: string
  /** Where the account folders go (account-1, account-2, ...). The parent owns and removes it. */
  dir: string
  pairConcurrency: number
  timeoutMs: number
  /** Wrap the folder's keys in Baileys' makeCacheableSignalKeyStore, as Baileys' example does. */
  keyCache: boolean
  /** Give the sockets no timer per frame or per query, as the app does (src/main/core/sessions/socket-timeouts.ts). */
  noFrameTimers: boolean
  /** Accounts sending at once in the message phases (send-plan.ts). */
  senders: number
}

export interface PeerMemory {
  rss: number
  heapUsed: number
  external: number
}

export type PeerRequest = { id: number } & (
  | { cmd: 'init'; args: PeerInit }
  | { cmd: 'memory' }
  | { cmd: 'pair'; args: { n: number } }
  | { cmd: 'close' }
  | { cmd: 'reopen' }
  | { cmd: 'exchange'; args: { tag: string; count: number } }
)

export interface PeerResults {
  init: null
  memory: PeerMemory
  pair: { ms: number }
  close: { ms: number }
  /** With the event-loop delay and the heap's peak during it, measured as on the app side (phase-watch.ts). */
  reopen: { ms: number; notOpen: number; lagP99Ms: number; lagMaxMs: number; peakHeap: number }
  exchange: { ms: number; duplicates: number }
}

export type PeerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }

type Command = PeerRequest['cmd']
type ArgsOf<C extends Command> = Extract<PeerRequest, { cmd: C }> extends { args: infer A } ? A : undefined

export interface PeerProcess {
  child: ChildProcess
  request<C extends Command>(cmd: C, ...args: ArgsOf<C> extends undefined ? [] : [ArgsOf<C>]): Promise<PeerResults[C]>
  /** Closes the channel (the child exits on that), SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>
  /** Synchronous best effort, for process 'exit' handlers. */
  killNow(): void
}

export async function startPeerProcess(): Promise<PeerProcess> {
  const child = fork('bench/baileys-peer.ts', [], {
    cwd: ROOT,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  // Nothing from the peer belongs on our stdout (the summary line must stay last): all of it to stderr, marked.
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => process.stderr.write(chunk.replace(/^/gm, '[peer process] ')))
  }

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let exitReason: Error | null = null
  child.once('exit', (code, signal) => {
    exitReason = new Error(`the peer process exited (${signal ?? code})`)
    for (const waiter of pending.values()) waiter.reject(exitReason)
    pending.clear()
  })
  let ready!: () => void
  let startTimer: NodeJS.Timeout | undefined
  const started = new Promise<void>((resolveReady, reject) => {
    ready = resolveReady
    startTimer = setTimeout(() => reject(new Error(`the peer process did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS)
    child.once('exit', (code, signal) => reject(new Error(`the peer process exited (${signal ?? code}) before it started`)))
  })
  child.on('message', (raw) => {
    const message = raw as PeerResponse | { ready: true }
    if ('ready' in message) return ready()
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.result)
    else waiter.reject(new Error(`peer process: ${message.error}`))
  })
  await started
    .catch((error: unknown) => {
      child.kill('SIGKILL')
      throw error
    })
    .finally(() => clearTimeout(startTimer))

  let nextId = 1
  let stopped: Promise<void> | null = null
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  return {
    child,
    request(cmd, ...args) {
      if (exitReason) return Promise.reject(exitReason)
      const id = nextId++
      return new Promise((resolveRequest, reject) => {
        pending.set(id, { resolve: resolveRequest as (v: unknown) => void, reject })
        child.send({ id, cmd, ...(args.length ? { args: args[0] } : {}) })
      })
    },
    stop() {
      stopped ??= (async () => {
        if (!alive()) return
        const exited = once(child, 'exit')
        if (child.connected) child.disconnect()
        const term = setTimeout(() => child.kill('SIGTERM'), 2_000)
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(term)
        clearTimeout(kill)
      })()
      return stopped
    },
    killNow() {
      if (alive()) child.kill('SIGKILL')
    },
  }
}

// Drives lock-holder processes for the data-dir lock tests and the soak script: start one (optionally
// as PID 1 of a new PID namespace), kill it with SIGKILL, race two at the same moment. Loads no vitest.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../..')
const HOLDER = resolve(import.meta.dirname, 'lock-holder.ts')

export interface Holder {
  child: ChildProcess
  /** Sends "go" and resolves with the holder's answer. */
  attempt(): Promise<{ held: boolean; pid?: number; message?: string }>
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>
  /** Closes stdin: a holder releases the lock and exits. */
  release(): Promise<void>
}

/** `asPid1`: run under `unshare -pf --mount-proc --kill-child` (root), as a container runs its server. */
export async function startHolder(dataDir: string, options: { asPid1?: boolean } = {}): Promise<Holder> {
  const node = [process.execPath, '--import', 'tsx', HOLDER, dataDir]
  const command = options.asPid1 ? ['unshare', '-pf', '--mount-proc', '--kill-child', ...node] : node
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const queue: string[] = []
  const waiting: Array<(line: string) => void> = []
  lines.on('line', (line) => {
    const next = waiting.shift()
    if (next) next(line)
    else queue.push(line)
  })
  const exited = once(child, 'exit')
  const nextLine = (): Promise<string> =>
    queue.length > 0
      ? Promise.resolve(queue.shift()!)
      : Promise.race([
          new Promise<string>((r) => waiting.push(r)),
          exited.then(() => {
            throw new Error('the lock holder exited without answering')
          }),
        ])
  const ready = await nextLine()
  if (ready !== 'ready') throw new Error(`unexpected first line from the lock holder: ${ready}`)
  return {
    child,
    async attempt() {
      child.stdin!.write('go\n')
      return JSON.parse(await nextLine()) as { held: boolean; pid?: number; message?: string }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
    async release() {
      child.stdin!.end()
      if (child.exitCode === null && child.signalCode === null) await exited
    },
  }
}

/** Two holders try at the same moment; returns how many got the lock. Both are stopped after. */
export async function raceTwo(dataDir: string, options: { asPid1?: boolean } = {}): Promise<{ winners: number; messages: string[] }> {
  const [a, b] = await Promise.all([startHolder(dataDir, options), startHolder(dataDir, options)])
  try {
    const results = await Promise.all([a!.attempt(), b!.attempt()])
    return { winners: results.filter((r) => r.held).length, messages: results.flatMap((r) => (r.message ? [r.message] : [])) }
  } finally {
    // SIGKILL: the next trial starts over a stale lock, the case that used to let two win.
    await Promise.all([a!.kill(), b!.kill()])
  }
}

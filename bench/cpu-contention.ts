// CPU contention for the soaks: two busy workers beside the work under test, as a loaded machine has.
// stress-ng when it is on the PATH (`--cpu N`, each worker pinned to a core with --taskset), else N node
// busy loops pinned with taskset when that exists. Bench/soak support only: never imported by app code.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpus, loadavg } from 'node:os'

export interface Contention {
  /** What runs, for the report ("stress-ng --cpu 2", "2 node busy loops"). */
  what: string
  stop(): Promise<void>
}

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0

export function startContention(workers = 2): Contention {
  const cores = Array.from({ length: Math.min(workers, cpus().length) }, (_, i) => i)
  const children: ChildProcess[] = []
  let what: string
  if (onPath('stress-ng')) {
    children.push(spawn('stress-ng', ['--cpu', String(workers), '--taskset', cores.join(','), '--quiet'], { stdio: 'ignore' }))
    what = `stress-ng --cpu ${workers} (pinned to cores ${cores.join(',')})`
  } else {
    const pin = onPath('taskset')
    for (let i = 0; i < workers; i += 1) {
      const loop = [process.execPath, '-e', 'for(;;){}']
      const core = String(cores[i % cores.length] ?? 0)
      children.push(pin ? spawn('taskset', ['-c', core, ...loop], { stdio: 'ignore' }) : spawn(loop[0]!, loop.slice(1), { stdio: 'ignore' }))
    }
    what = `${workers} node busy loops${pin ? ' pinned with taskset' : ''}`
  }
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  // Never outlives the soak, even when it is interrupted.
  process.once('exit', killAll)
  return {
    what,
    async stop() {
      process.off('exit', killAll)
      await Promise.all(
        children.map((child) =>
          child.exitCode !== null || child.signalCode !== null ? undefined : new Promise<void>((resolve) => {
            child.once('exit', () => resolve())
            // stress-ng stops its workers on SIGTERM; a busy loop needs no more than that either.
            child.kill('SIGTERM')
          }),
        ),
      )
    },
  }
}

/** The 1, 5 and 15 minute load averages, as uptime prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(', ')
}

// Runs a command line exactly as a person types it in a terminal (through sh, in the repository), for
// the specs that follow the README literally. Its stdout is read line by line; it runs in its own
// process group so stop() ends npm, node and the server together, and nothing else. Test-only.

import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { ROOT } from './build-renderer'

export interface ShellCommand {
  /** Every stdout line so far. */
  readonly lines: readonly string[]
  /** The first stdout line (already printed or still to come) that matches; rejects when the command exits first or after `timeoutMs`. */
  waitFor(match: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  stop(): Promise<void>
}

/**
 * `env` replaces the environment of the test runner, apart from PATH and HOME: what a fresh terminal
 * has, so nothing the runner set (tokens, keys, simulator URLs) leaks into the command.
 */
export function runShellCommand(command: string, env: Record<string, string> = {}): ShellCommand {
  const child = spawn('sh', ['-c', command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const lines: string[] = []
  const stderr: string[] = []
  const waiters = new Set<(line: string | null) => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line)
    for (const waiter of [...waiters]) waiter(line)
  })
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line)
    if (stderr.length > 30) stderr.shift()
  })
  let exited = false
  child.once('exit', () => {
    exited = true
    for (const waiter of [...waiters]) waiter(null)
  })

  return {
    lines,
    waitFor(match, timeoutMs = 60_000) {
      const seen = lines.map((line) => match.exec(line)).find((m) => m !== null)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(null, `printed no line matching ${match} within ${timeoutMs / 1000} s`), timeoutMs)
        const waiter = (line: string | null): void => {
          if (line === null) return done(null, `exited before printing a line matching ${match}`)
          const found = match.exec(line)
          if (found) done(found)
        }
        function done(found: RegExpExecArray | null, why = ''): void {
          clearTimeout(timer)
          waiters.delete(waiter)
          if (found) resolve(found)
          else reject(new Error(`\`${command}\` ${why}.\nIts stdout:\n${lines.join('\n')}\nIts stderr ended with:\n${stderr.join('\n')}`))
        }
        if (exited) return done(null, `exited before printing a line matching ${match}`)
        waiters.add(waiter)
      })
    },
    stop: () => stopGroup(child),
  }
}

/** SIGTERM to the group, then waits until none of it is left (SIGKILL after 10 s if shutdown hangs). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return
  const group = -child.pid
  const signal = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(group, sig)
      return true
    } catch {
      return false
    }
  }
  if (!signal('SIGTERM')) return
  const deadline = Date.now() + 10_000
  while (signal(0)) {
    if (Date.now() > deadline) {
      signal('SIGKILL')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// A cleanup that survives the benchmark being killed. A small detached Node process (its own process
// group, so a Ctrl-C aimed at the benchmark does not reach it) holds the benchmark's temp dirs and
// child pids, and reads its stdin until the benchmark is gone: the pipe closes however the benchmark
// ends, SIGKILL included. Then it kills the children still listed and removes the dirs. Needed because
// `tsx` (the CLI in `npm run bench:accounts`) SIGKILLs its child 60 ms after relaying a Ctrl-C, too
// soon to remove tens of thousands of auth files in an exit handler.

import { spawn, type ChildProcess } from 'node:child_process'

// Plain JavaScript, run with `node -e`: starts in a few ms and needs no loader.
const GUARD = `
const { rmSync } = require('node:fs')
const dirs = JSON.parse(process.argv[1])
const pids = new Set()
let buffered = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  buffered += chunk
  const lines = buffered.split('\\n')
  buffered = lines.pop()
  for (const line of lines) {
    if (line.startsWith('+')) pids.add(Number(line.slice(1)))
    if (line.startsWith('-')) pids.delete(Number(line.slice(1)))
  }
})
process.stdin.on('close', () => {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL') } catch {}
  }
  setTimeout(() => {
    for (const dir of dirs) {
      try { rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) } catch {}
    }
  }, pids.size ? 200 : 0)
})
`

export interface CleanupGuard {
  /** Kill this child if the benchmark dies before it has stopped it. */
  watch(child: ChildProcess): void
}

export function startCleanupGuard(dirs: string[]): CleanupGuard {
  const guard = spawn(process.execPath, ['-e', GUARD, JSON.stringify(dirs)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
  guard.unref()
  const stdin = guard.stdin!
  // Neither the pipe nor the guard may keep the benchmark alive.
  ;(stdin as unknown as { unref?: () => void }).unref?.()
  stdin.on('error', () => undefined)
  return {
    watch(child) {
      if (child.pid === undefined) return
      stdin.write(`+${child.pid}\n`)
      child.once('exit', () => stdin.write(`-${child.pid}\n`))
    },
  }
}

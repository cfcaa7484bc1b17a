// The server's heap limit. V8 caps the heap at about 4 GiB on a 64-bit machine whatever its memory, and
// the accounts one process runs are bounded by their memory (0.24 MB of live heap each, more while a
// mass reconnect is under way: docs/performance.md): at 10,000 accounts the default would end a
// reconnect in an out-of-memory crash on a machine that has the memory. So the server's entry starts
// itself again with a limit from the machine's memory, unless node was given one. And once ready, it gives
// back what its start grew and left behind (collectStartGarbage). Electron-free.

import { totalmem } from 'node:os'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** The share of the machine's memory the heap may use when node was not told otherwise. */
export const HEAP_SHARE_OF_MEMORY = 0.75
/**
 * The flag that gives it. `npm run serve` and `npm start` pass it to node themselves, which saves the
 * restart below (about 0.09 s of every start: docs/performance.md, "The idle server").
 */
export const HEAP_LIMIT_FLAG = `--max-old-space-size-percentage=${HEAP_SHARE_OF_MEMORY * 100}`
const MB = 1024 * 1024

export interface HeapLimitFacts {
  /** node's own flags (process.execArgv) and NODE_OPTIONS: a heap flag there is the operator's choice. */
  execArgv: readonly string[]
  nodeOptions: string | undefined
  /** The machine's memory and the heap limit V8 runs with now, in bytes. */
  totalMemory: number
  currentLimit: number
}

/** The flag to start node again with, or null when the limit stays: chosen by the operator, or already as high. */
export function heapLimitFlag(facts: HeapLimitFacts): string | null {
  const given = [...facts.execArgv, ...(facts.nodeOptions ?? '').split(/\s+/)].some((arg) => /^--max[-_]old[-_]space[-_]size/.test(arg))
  if (given) return null
  const wanted = Math.floor((facts.totalMemory * HEAP_SHARE_OF_MEMORY) / MB)
  return wanted > facts.currentLimit / MB ? HEAP_LIMIT_FLAG : null
}

/**
 * Unless node was given a heap limit, replaces this process (same process id, so signals, supervisors and
 * a parent see no change) with the same command and a limit from the machine's memory. Returns only when
 * the limit stays; run it before anything else has. Not in Electron, whose binary is not node.
 */
export function restartWithHeapLimit(): void {
  const flag = heapLimitFlag({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, totalMemory: totalmem(), currentLimit: getHeapStatistics().heap_size_limit })
  if (flag && typeof process.execve === 'function' && !process.versions.electron) {
    process.execve(process.execPath, [process.execPath, flag, ...process.execArgv, ...process.argv.slice(1)], process.env)
  }
}

/** The line the server says at start: the limit it runs with, and where it came from. */
export function heapLimitLine(execArgv: readonly string[] = process.execArgv, totalMemory = totalmem()): string {
  const limit = Math.round(getHeapStatistics().heap_size_limit / MB)
  const memory = Math.round(totalMemory / MB)
  const set = execArgv.find((arg) => /^--max[-_]old[-_]space[-_]size/.test(arg))
  return set
    ? `heap limit ${limit} MB of ${memory} MB memory (${set})`
    : `heap limit ${limit} MB of ${memory} MB memory (V8's default; node --max-old-space-size=<MB> sets it)`
}

/**
 * One thorough garbage collection, once the server is ready. Its start (the modules, the API token's
 * strength check, the migrations) grows V8's young generation to its maximum (128 MB of new space) and
 * leaves garbage in the old generation, and V8 neither shrinks the one nor collects the other in a process
 * that then idles. The collection V8 keeps for memory pressure ("last resort") does both; the young
 * generation grows again as soon as work needs it, so unlike a smaller `--max-semi-space-size` it costs no
 * throughput (docs/performance.md, "The idle server"). Once, after the ready line. `gc` is exposed only
 * long enough to take it.
 */
export function collectStartGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void
  setFlagsFromString('--no-expose-gc')
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
}

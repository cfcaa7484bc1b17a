// The server's heap limit. V8 caps the heap at about 4 GiB on a 64-bit machine whatever its memory, and
// the accounts one process runs are bounded by their memory (0.24 MB of live heap each, more while a
// mass reconnect is under way: docs/performance.md): at 10,000 accounts the default would end a
// reconnect in an out-of-memory crash on a machine that has the memory. So the server's entry starts
// itself again with a limit from the machine's memory, unless node was given one. Electron-free.

import { totalmem } from 'node:os'
import { getHeapStatistics } from 'node:v8'

/** The share of the machine's memory the heap may use when node was not told otherwise. */
export const HEAP_SHARE_OF_MEMORY = 0.75
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
  return wanted > facts.currentLimit / MB ? `--max-old-space-size=${wanted}` : null
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

// Tests and benchmarks only (Linux): a process's resident memory, now and at its peak, from /proc — the
// figures `ps` and the kernel's OOM accounting use.

import { readFileSync } from 'node:fs'

export interface ProcessMemory {
  /** Resident now (VmRSS), MiB. */
  rssMiB: number
  /** Resident at its peak so far (VmHWM), MiB. */
  peakMiB: number
}

export function processMemory(pid: number): ProcessMemory {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)
    if (!match) throw new Error(`no ${name} for process ${pid}`)
    return Number(match[1]) / 1024
  }
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') }
}

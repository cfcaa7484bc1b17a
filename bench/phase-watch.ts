// Watches one benchmark phase from inside the process doing the work: how late the event loop ran
// (perf_hooks' event-loop delay histogram, 10 ms resolution) and how high the heap rose (V8's used heap,
// sampled every 50 ms, garbage included: the peak a heap limit must allow for). Used by the accounts
// benchmark for the app and, the same way, by its plain-Baileys peer.

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'

export interface PhaseWatch {
  /** Event-loop delay p99 and max (ms), and the highest used heap seen (bytes). */
  stop(): { lagP99Ms: number; lagMaxMs: number; peakHeap: number }
}

export function watchPhase(): PhaseWatch {
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  let peakHeap = getHeapStatistics().used_heap_size
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size)
  }, 50)
  return {
    stop() {
      clearInterval(sampler)
      lag.disable()
      peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size)
      return { lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6, peakHeap }
    },
  }
}

// The event loop's delay, as its own figure beside the store's latency: a timer due every 20 ms notes
// how late it ran and publishes that on event_loop:delay (channels.ts), which the telemetry aggregator
// and /metrics read. Main process, Electron-free. Process-wide, like the loop it measures: however many
// cores a process opens (tests open several), one sampler runs while any of them holds it.
//
// Why its own figure: a store call timed from outside includes the wait for the loop, and a mass
// reconnect keeps the loop busy for seconds; with the two told apart, a slow loop no longer reads as a
// slow database (instrument-store.ts times the store's own work).

import { eventLoopDelayChannel } from './channels'

/** How often the sampler asks to run: fine enough to see a 50 ms stall, rare enough to cost nothing. */
export const LOOP_SAMPLE_MS = 20

let holders = 0
let timer: NodeJS.Timeout | null = null

function schedule(): void {
  const due = performance.now() + LOOP_SAMPLE_MS
  timer = setTimeout(() => {
    const lateMs = performance.now() - due
    if (eventLoopDelayChannel.hasSubscribers) eventLoopDelayChannel.publish({ delayNs: Math.max(0, Math.round(lateMs * 1e6)) })
    if (holders > 0) schedule()
  }, LOOP_SAMPLE_MS)
  // Never what keeps a process alive.
  timer.unref()
}

/** Starts the sampler (or joins the running one); call the returned function to let go of it. */
export function holdLoopDelaySampler(): () => void {
  holders += 1
  if (holders === 1) schedule()
  let released = false
  return () => {
    if (released) return
    released = true
    holders -= 1
    if (holders === 0 && timer) {
      clearTimeout(timer)
      timer = null
    }
  }
}

// How many texts an account received lately, for the accounts table (accounts:stats): the last one's
// time and a count over the last 24 hours, in 15-minute steps (96 numbers per account, whatever the
// traffic). Memory only: the server that runs the account counts since it started running it.
// Main process, Electron-free.

export const TRAFFIC_WINDOW_MS = 24 * 60 * 60_000
/** The count moves in steps of this: a message leaves the 24 hours within one step of the exact time. */
export const TRAFFIC_STEP_MS = 15 * 60_000
const STEPS = TRAFFIC_WINDOW_MS / TRAFFIC_STEP_MS

export interface TrafficCounter {
  record(at: number): void
  lastAt(): number | null
  /** Messages received in the 24 hours up to `now`. */
  lastDay(now: number): number
}

export function createTrafficCounter(): TrafficCounter {
  // counts[i] holds the messages of step stepOf[i]; a slot whose step is older is stale and counts nothing.
  const counts = new Array<number>(STEPS).fill(0)
  const steps = new Array<number>(STEPS).fill(-1)
  let last: number | null = null
  return {
    record(at) {
      const step = Math.floor(at / TRAFFIC_STEP_MS)
      const slot = step % STEPS
      if (steps[slot] !== step) {
        steps[slot] = step
        counts[slot] = 0
      }
      counts[slot] = (counts[slot] ?? 0) + 1
      if (last === null || at > last) last = at
    },
    lastAt: () => last,
    lastDay(now) {
      const newest = Math.floor(now / TRAFFIC_STEP_MS)
      let total = 0
      for (let slot = 0; slot < STEPS; slot++) {
        const step = steps[slot]!
        if (step > newest - STEPS && step <= newest) total += counts[slot]!
      }
      return total
    },
  }
}

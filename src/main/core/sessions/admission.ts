// Admission control for handshakes: at most `limit` sockets between their creation and their first
// answer (open, a QR code to show, or close) at once; the others wait their turn, in order. Main
// process, Electron-free.
//
// Why: starting every account at once (a restart, a bulk start, bulk pairing) built thousands of Baileys
// sockets in one turn of the event loop and ran their handshakes interleaved. The loop then stalled for
// seconds (every timer, WebSocket and HTTP answer waited), memory peaked with thousands of half-made
// sockets, and the whole took no less time: two cores do not handshake faster for having more in flight.
// A small window keeps the simulator or WhatsApp busy while this process stays responsive.
// docs/runtime.md ("Admission control") has the measurements behind the default.

/** Handshakes in flight by default: enough to hide the round trips, few enough to keep the loop free. */
export const DEFAULT_CONNECT_CONCURRENCY = 16

export interface Admission {
  /** Resolves with a release function once a slot is free; release is idempotent. */
  enter(): Promise<() => void>
  /** Handshakes in flight now. */
  inFlight(): number
  /** Handshakes waiting for a slot now. */
  waiting(): number
}

export function createAdmission(limit = DEFAULT_CONNECT_CONCURRENCY): Admission {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`The connect concurrency must be a whole number of at least 1, not ${String(limit)}.`)
  let active = 0
  const queue: Array<() => void> = []

  function slot(): () => void {
    active += 1
    let released = false
    return () => {
      if (released) return
      released = true
      active -= 1
      const next = queue.shift()
      if (next) next()
    }
  }

  return {
    enter() {
      if (active < limit && queue.length === 0) return Promise.resolve(slot())
      return new Promise((resolve) => queue.push(() => resolve(slot())))
    },
    inFlight: () => active,
    waiting: () => queue.length,
  }
}

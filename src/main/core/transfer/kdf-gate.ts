// How many scrypt derivations (bundle encodes and decodes) run at once. Each may take up to 256 MiB
// for a second or more (SCRYPT_BOUNDS); four at the maximum took 1.18 GiB. Two run, a few wait their
// turn, and beyond that the caller is told to come back (unavailable, which the server answers 503
// with Retry-After) instead of the process growing until it is killed.

import { AppError } from '../../../shared/errors'

export interface KdfGate {
  run<T>(work: () => Promise<T>): Promise<T>
  readonly running: number
  readonly waiting: number
}

export function createKdfGate(maxRunning: number, maxWaiting: number): KdfGate {
  let running = 0
  const queue: Array<() => void> = []
  const next = (): void => {
    running -= 1
    const wake = queue.shift()
    if (wake) {
      running += 1
      wake()
    }
  }
  return {
    get running() {
      return running
    },
    get waiting() {
      return queue.length
    },
    async run(work) {
      if (running >= maxRunning) {
        if (queue.length >= maxWaiting) {
          throw new AppError('unavailable', 'Too many session bundles are being opened or written at once; try again in a few seconds.')
        }
        await new Promise<void>((resolve) => queue.push(resolve))
      } else {
        running += 1
      }
      try {
        return await work()
      } finally {
        next()
      }
    },
  }
}

/** The process-wide gate every bundle key derivation passes. */
export const KDF_GATE = createKdfGate(2, 4)

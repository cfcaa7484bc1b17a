// Work run one at a time per key, in the order asked, whatever each ends in. Main process, Electron-free.

export interface KeyedQueue {
  /** Starts `work` once everything asked before for `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>
  /** Resolves when everything asked so far has settled. */
  settled(): Promise<void>
}

export function keyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>()
  return {
    run(key, work) {
      const result = (tails.get(key) ?? Promise.resolve()).then(work)
      const tail = result.then(
        () => undefined,
        () => undefined,
      )
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
    settled: async () => void (await Promise.all([...tails.values()])),
  }
}

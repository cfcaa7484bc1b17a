// Runs one action over many accounts a few at a time, reporting progress after each, and collects
// failures instead of stopping at the first: an operator stopping 200 accounts wants the other 199
// stopped and a list of what did not work. Pure apart from the action it is given.

export interface BulkFailure<K> {
  key: K
  message: string
}

export interface BulkProgress<K> {
  done: number
  total: number
  failures: ReadonlyArray<BulkFailure<K>>
}

export async function runBulk<K>(
  keys: readonly K[],
  action: (key: K) => Promise<unknown>,
  options: { concurrency?: number; onProgress?: (progress: BulkProgress<K>) => void; describe?: (error: unknown) => string; signal?: { cancelled: boolean } } = {},
): Promise<BulkProgress<K>> {
  const concurrency = Math.max(1, options.concurrency ?? 4)
  const describe = options.describe ?? ((error: unknown) => (error instanceof Error ? error.message : String(error)))
  const failures: Array<BulkFailure<K>> = []
  let next = 0
  let done = 0
  const report = (): void => options.onProgress?.({ done, total: keys.length, failures: [...failures] })

  async function worker(): Promise<void> {
    while (next < keys.length && !options.signal?.cancelled) {
      const key = keys[next++] as K
      try {
        await action(key)
      } catch (error) {
        failures.push({ key, message: describe(error) })
      }
      done++
      report()
    }
  }

  report()
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, () => worker()))
  return { done, total: keys.length, failures }
}

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

/** What a command over many keys answers for one of them: null when it worked, else why not. */
export interface KeyOutcome<K> {
  key: K
  failure: string | null
}

/**
 * Sends the keys to a command that takes many at once (accounts:bulk), `chunkSize` per call and one
 * call at a time, reporting progress after each call: the server does the work, the chunks only give
 * the operator a moving count. A call that fails as a whole fails each of its keys with its reason,
 * and the next chunk still goes.
 */
export async function runChunked<K>(
  keys: readonly K[],
  action: (chunk: K[]) => Promise<ReadonlyArray<KeyOutcome<K>>>,
  options: { chunkSize?: number; onProgress?: (progress: BulkProgress<K>) => void; describe?: (error: unknown) => string } = {},
): Promise<BulkProgress<K>> {
  const size = Math.max(1, options.chunkSize ?? 50)
  const describe = options.describe ?? ((error: unknown) => (error instanceof Error ? error.message : String(error)))
  const failures: Array<BulkFailure<K>> = []
  let done = 0
  options.onProgress?.({ done, total: keys.length, failures: [] })
  for (let start = 0; start < keys.length; start += size) {
    const chunk = keys.slice(start, start + size)
    try {
      for (const outcome of await action(chunk)) if (outcome.failure !== null) failures.push({ key: outcome.key, message: outcome.failure })
    } catch (error) {
      const message = describe(error)
      for (const key of chunk) failures.push({ key, message })
    }
    done += chunk.length
    options.onProgress?.({ done, total: keys.length, failures: [...failures] })
  }
  return { done, total: keys.length, failures }
}

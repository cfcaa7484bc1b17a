// Wraps an auth store so each of the seed's four calls publishes auth_store:start and auth_store:stop.
// Main process, Electron-free. Values pass through untouched; with no subscriber the wrapper calls the
// store directly (no timing, no extra promise), which is what the store benchmark measures.

import type { AuthStore } from '../auth-store/types'
import { type AuthStoreReq, authStoreStartChannel, authStoreStopChannel } from './channels'

const INSTRUMENTED: Readonly<Record<string, AuthStoreReq>> = {
  loadCreds: 'load_creds',
  saveCreds: 'save_creds',
  get: 'keys_get',
  set: 'keys_set',
}

/**
 * Returns a view of `store` whose loadCreds, saveCreds, get and set are timed; every other member
 * (counts, clear, exportSnapshot, …) is the store's own, called on the store itself.
 */
export function instrumentStore<T extends AuthStore>(store: T): T {
  // Bound once per name so `wrapped.counts === wrapped.counts`, and so methods that use #private
  // fields run with `this` = the real store (a Proxy as `this` would break them).
  const cache = new Map<PropertyKey, unknown>()

  return new Proxy(store, {
    get(target, prop) {
      const known = cache.get(prop)
      if (known !== undefined) return known
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      const req = typeof prop === 'string' ? INSTRUMENTED[prop] : undefined
      const fn = value as (...args: unknown[]) => unknown
      const wrapped = req ? timed(target, fn, req) : fn.bind(target)
      cache.set(prop, wrapped)
      return wrapped
    },
  })
}

function timed(store: AuthStore, fn: (...args: unknown[]) => unknown, req: AuthStoreReq) {
  // Fixed arity (the four calls take at most two arguments): rest parameters cost an array per call.
  return function instrumentedCall(a?: unknown, b?: unknown): unknown {
    const two = arguments.length >= 2
    if (!authStoreStartChannel.hasSubscribers && !authStoreStopChannel.hasSubscribers) return two ? fn.call(store, a, b) : fn.call(store, a)
    return timedCall(store, fn, req, two, a, b)
  }
}

/**
 * Times the store's own work, not the wait for the event loop. The store's answer is returned as it is
 * (no extra promise, no extra tick). The stop event carries:
 * - for a store that answered before returning (SQLite: the query, the sealing and the decoding all run
 *   in the call; its promise is already settled), the time the call itself took;
 * - for a store that answers later (PostgreSQL), the time until its promise settled: the round trip,
 *   plus, unavoidably, the wait for the loop to read the answer off the socket.
 * Awaiting the answer instead (as this did before) timed the queue of everything else ready to run at
 * that moment: during a mass reconnect, a 20 µs read showed up as seconds. Which of the two happened is
 * told by a microtask queued right after the call: a reaction to an already settled promise runs first.
 */
function timedCall(store: AuthStore, fn: (...args: unknown[]) => unknown, req: AuthStoreReq, two: boolean, a: unknown, b: unknown): unknown {
  const account = store.account as string
  if (authStoreStartChannel.hasSubscribers) authStoreStartChannel.publish({ req, account })
  const started = performance.now()
  let answer: unknown
  try {
    answer = two ? fn.call(store, a, b) : fn.call(store, a)
  } catch (error) {
    stop(account, req, 'error', performance.now() - started)
    throw error
  }
  const returned = performance.now()
  if (!(answer instanceof Promise)) {
    stop(account, req, 'ok', returned - started)
    return answer
  }
  let later = false
  const settled = (result: 'ok' | 'error') => () => stop(account, req, result, (later ? performance.now() : returned) - started)
  // A side branch: the caller gets `answer` itself, and handles its rejection as it always did.
  answer.then(settled('ok'), settled('error'))
  queueMicrotask(() => {
    later = true
  })
  return answer
}

function stop(account: string, req: AuthStoreReq, result: 'ok' | 'error', ms: number): void {
  if (authStoreStopChannel.hasSubscribers) authStoreStopChannel.publish({ req, account, result, durationNs: Math.round(ms * 1e6) })
}

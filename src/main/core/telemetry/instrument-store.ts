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
    if (!authStoreStartChannel.hasSubscribers && !authStoreStopChannel.hasSubscribers) {
      return arguments.length < 2 ? fn.call(store, a) : fn.call(store, a, b)
    }
    return timedCall(store, fn, req, arguments.length < 2 ? [a] : [a, b])
  }
}

async function timedCall(store: AuthStore, fn: (...args: unknown[]) => unknown, req: AuthStoreReq, args: unknown[]) {
  const account = store.account as string
  if (authStoreStartChannel.hasSubscribers) authStoreStartChannel.publish({ req, account })
  const started = process.hrtime.bigint()
  let result: 'ok' | 'error' = 'error'
  try {
    const value = await fn.apply(store, args)
    result = 'ok'
    return value
  } finally {
    if (authStoreStopChannel.hasSubscribers) {
      const durationNs = Number(process.hrtime.bigint() - started)
      authStoreStopChannel.publish({ req, account, result, durationNs })
    }
  }
}

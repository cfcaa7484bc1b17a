import diagnosticsChannel from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import type { AuthenticationCreds, KeyData, KeyValue, ManagedAuthStore } from '../auth-store/types'
import type { AccountId } from '../../../shared/ids'
import { AUTH_STORE_START, AUTH_STORE_STOP, authStoreStartChannel, authStoreStopChannel } from './channels'
import { instrumentStore } from './instrument-store'

/** A tiny store with a #private field: the wrapper must call its methods on the store itself. */
class TinyStore implements Pick<ManagedAuthStore, 'account' | 'loadCreds' | 'saveCreds' | 'get' | 'set' | 'counts'> {
  readonly account = 'acct-1' as AccountId
  #keys = new Map<string, KeyValue>()
  #creds: AuthenticationCreds | null = null
  failNextGet = false

  async loadCreds() {
    return this.#creds
  }
  async saveCreds(creds: AuthenticationCreds) {
    this.#creds = creds
  }
  async get(type: string, ids: string[]) {
    if (this.failNextGet) {
      this.failNextGet = false
      throw new Error('disk on fire')
    }
    const out: Record<string, KeyValue> = {}
    for (const id of ids) if (this.#keys.has(`${type}.${id}`)) out[id] = this.#keys.get(`${type}.${id}`)
    return out
  }
  async set(data: KeyData) {
    for (const [type, values] of Object.entries(data)) {
      for (const [id, value] of Object.entries(values ?? {})) {
        if (value === null) this.#keys.delete(`${type}.${id}`)
        else this.#keys.set(`${type}.${id}`, value)
      }
    }
  }
  async counts() {
    return { all: this.#keys.size }
  }
}

const listeners: Array<[string, (m: unknown) => void]> = []
function listen(name: string): unknown[] {
  const seen: unknown[] = []
  const fn = (message: unknown) => seen.push(message)
  diagnosticsChannel.subscribe(name, fn)
  listeners.push([name, fn])
  return seen
}
afterEach(() => {
  for (const [name, fn] of listeners.splice(0)) diagnosticsChannel.unsubscribe(name, fn)
})

describe('instrumentStore', () => {
  it('publishes start and stop for each of the four calls, with the documented shapes', async () => {
    const starts = listen(AUTH_STORE_START)
    const stops = listen(AUTH_STORE_STOP)
    const store = instrumentStore(new TinyStore())
    const creds = { me: { id: '1@s.whatsapp.net' } } as unknown as AuthenticationCreds

    await store.saveCreds(creds)
    expect(await store.loadCreds()).toBe(creds)
    await store.set({ session: { a: Buffer.from([1, 2]) } })
    expect(await store.get('session', ['a', 'b'])).toEqual({ a: Buffer.from([1, 2]) })

    const reqs = ['save_creds', 'load_creds', 'keys_set', 'keys_get']
    expect(starts).toEqual(reqs.map((req) => ({ req, account: 'acct-1' })))
    expect(stops).toHaveLength(4)
    stops.forEach((stop, i) => {
      expect(stop).toEqual({ req: reqs[i], account: 'acct-1', result: 'ok', durationNs: expect.any(Number) })
      const ns = (stop as { durationNs: number }).durationNs
      expect(Number.isInteger(ns) && ns > 0).toBe(true)
    })
  })

  it('publishes stop with result error and rethrows the same error', async () => {
    const stops = listen(AUTH_STORE_STOP)
    const inner = new TinyStore()
    const store = instrumentStore(inner)
    inner.failNextGet = true
    await expect(store.get('session', ['x'])).rejects.toThrow('disk on fire')
    expect(stops).toEqual([{ req: 'keys_get', account: 'acct-1', result: 'error', durationNs: expect.any(Number) }])
  })

  it('hands back the very promise the store returns, timed or not; nothing published without a subscriber', async () => {
    expect(authStoreStartChannel.hasSubscribers).toBe(false)
    expect(authStoreStopChannel.hasSubscribers).toBe(false)
    const inner = new TinyStore()
    const sentinel = Promise.resolve({})
    inner.get = () => sentinel
    const store = instrumentStore(inner)
    expect(store.get('session', ['a'])).toBe(sentinel)
    // Subscribing later switches timing on for the next call without re-wrapping, and still adds no
    // promise (no tick) of its own: the timing is a side branch.
    const stops = listen(AUTH_STORE_STOP)
    expect(store.get('session', ['a'])).toBe(sentinel)
    await store.get('session', ['a'])
    expect(stops.length).toBe(2)
  })

  it('times a store that answered in the call by the call, not by the wait for the loop that follows', async () => {
    const stops = listen(AUTH_STORE_STOP)
    const inner = new TinyStore()
    const store = instrumentStore(inner)
    const answer = store.get('session', ['a'])
    // The loop is busy with other work for 200 ms before anyone gets to the answer.
    const until = performance.now() + 200
    while (performance.now() < until);
    await answer
    await new Promise((resolve) => setImmediate(resolve))
    const ns = (stops[0] as { durationNs: number }).durationNs
    expect(ns).toBeLessThan(50e6)
  })

  it('times a store that answers later until its answer, not until the caller runs again', async () => {
    const stops = listen(AUTH_STORE_STOP)
    const inner = new TinyStore()
    inner.get = () => new Promise((resolve) => setTimeout(() => resolve({}), 30))
    const store = instrumentStore(inner)
    await store.get('session', ['a'])
    await new Promise((resolve) => setImmediate(resolve))
    const ns = (stops[0] as { durationNs: number }).durationNs
    expect(ns).toBeGreaterThanOrEqual(29e6)
  })

  it('passes other methods and properties through, bound to the real store', async () => {
    const inner = new TinyStore()
    const store = instrumentStore(inner)
    await store.set({ 'pre-key': { 1: { k: 1 } } })
    expect(await store.counts()).toEqual({ all: 1 })
    expect(store.account).toBe('acct-1')
    expect(store.counts).toBe(store.counts)
    const stops = listen(AUTH_STORE_STOP)
    await store.counts()
    expect(stops).toEqual([])
  })
})

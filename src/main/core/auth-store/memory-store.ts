// An in-memory auth store for tests and demos: nothing survives the process.
// Main process, Electron-free. Values are kept serialized (the same BufferJSON codec as the other stores),
// so callers can never mutate stored state and the three built-in stores share one set of semantics.

import type { AccountId } from '../../../shared/ids'
import { decodeJson, encodeJson } from './codec'
import type { AuthSnapshot, AuthStoreFactory, AuthenticationCreds, KeyData, KeyValue, ManagedAuthStore } from './types'
import { assertAccountId, assertCreds, assertIds, assertKeyType, assertSnapshot, flattenKeyData } from './validate'

interface AccountState {
  creds: string | null
  keys: Map<string, Map<string, string>>
}

export function createMemoryAuthStoreFactory(): AuthStoreFactory {
  const accounts = new Map<string, AccountState>()

  function stateOf(account: string): AccountState {
    let state = accounts.get(account)
    if (!state) {
      state = { creds: null, keys: new Map() }
      accounts.set(account, state)
    }
    return state
  }

  /** Serializes everything first: a value that cannot be stored throws before anything changes. */
  function encodeWrites(account: string, data: unknown): { type: string; id: string; text: string | null }[] {
    return flattenKeyData(data).map((w) => ({
      type: w.type,
      id: w.id,
      text: w.value === null ? null : encodeJson(w.value, `The ${w.type} key "${w.id}" of account ${account}`),
    }))
  }

  function applyWrites(state: AccountState, writes: { type: string; id: string; text: string | null }[]): void {
    for (const w of writes) {
      let bucket = state.keys.get(w.type)
      if (w.text === null) {
        bucket?.delete(w.id)
        if (bucket?.size === 0) state.keys.delete(w.type)
        continue
      }
      if (!bucket) {
        bucket = new Map()
        state.keys.set(w.type, bucket)
      }
      bucket.set(w.id, w.text)
    }
  }

  function open(account: AccountId): ManagedAuthStore {
    assertAccountId(account)
    return {
      account,
      async loadCreds() {
        const text = accounts.get(account)?.creds
        return text ? (decodeJson(text) as AuthenticationCreds) : null
      },
      async saveCreds(creds) {
        assertCreds(creds)
        stateOf(account).creds = encodeJson(creds, `The creds of account ${account}`)
      },
      async get(type, ids) {
        assertKeyType(type)
        assertIds(ids, type)
        const out: Record<string, KeyValue> = {}
        const bucket = accounts.get(account)?.keys.get(type)
        if (!bucket) return out
        for (const id of ids) {
          const text = bucket.get(id)
          if (text !== undefined) out[id] = decodeJson(text)
        }
        return out
      },
      async set(data: KeyData) {
        const writes = encodeWrites(account, data)
        applyWrites(stateOf(account), writes)
      },
      async counts() {
        const out: Record<string, number> = {}
        for (const [type, bucket] of accounts.get(account)?.keys ?? []) out[type] = bucket.size
        return out
      },
      async clear() {
        accounts.delete(account)
      },
      async exportSnapshot(): Promise<AuthSnapshot | null> {
        const state = accounts.get(account)
        if (!state?.creds) return null
        const keys: Record<string, Record<string, KeyValue>> = {}
        for (const [type, bucket] of state.keys) {
          const out: Record<string, KeyValue> = {}
          for (const [id, text] of bucket) out[id] = decodeJson(text)
          keys[type] = out
        }
        return { creds: decodeJson(state.creds) as AuthenticationCreds, keys }
      },
      async importSnapshot(snapshot) {
        assertSnapshot(snapshot)
        const creds = encodeJson(snapshot.creds, `The creds of account ${account}`)
        const writes = encodeWrites(account, snapshot.keys)
        const next: AccountState = { creds, keys: new Map() }
        applyWrites(next, writes)
        accounts.set(account, next)
      },
    }
  }

  return {
    open,
    async close() {
      accounts.clear()
    },
  }
}

// Turns any AuthStore into the `{ state: { creds, keys }, saveCreds }` that Baileys' makeWASocket takes.
// Main process, Electron-free. Keys go through a cache in front of the store (cached-key-store.ts, a
// 5-minute LRU by default); the caller may pass its own CacheStore (e.g. one that reports hits and misses).

import {
  initAuthCreds,
  proto,
  type AuthenticationState,
  type CacheStore,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AuthStore, KeyValue } from './types'
import { makeCachedKeyStore } from './cached-key-store'
import { createLruKeyCache } from './key-cache'
import { isPlainObject } from './validate'

export interface BaileysAuthStateOptions {
  cache?: CacheStore
}

export interface BaileysAuthState {
  state: AuthenticationState
  saveCreds(): Promise<void>
}

export async function makeBaileysAuthState(
  store: AuthStore,
  options: BaileysAuthStateOptions = {},
): Promise<BaileysAuthState> {
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.loadCreds !== 'function' ||
    typeof store.saveCreds !== 'function' ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function'
  ) {
    throw new AppError('invalid-input', 'makeBaileysAuthState needs an AuthStore (loadCreds, saveCreds, get, set).')
  }
  if (typeof options !== 'object' || options === null) {
    throw new AppError('invalid-input', 'makeBaileysAuthState options must be an object { cache? }.')
  }

  let creds = await store.loadCreds()
  if (!creds) {
    creds = initAuthCreds()
    // Saved at once: the noise and identity keys must survive a crash before the first creds.update.
    await store.saveCreds(creds)
  }

  const raw: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found = await store.get(type, ids)
      if (type === 'app-state-sync-key') {
        // Stored through JSON, a protobuf message is its toJSON form (base64 bytes, string longs);
        // fromObject rebuilds the message with keyData as bytes, as useMultiFileAuthState does.
        for (const [id, value] of Object.entries(found)) {
          if (isPlainObject(value)) found[id] = proto.Message.AppStateSyncKeyData.fromObject(value)
        }
      }
      return found as { [id: string]: SignalDataTypeMap[T] }
    },
    async set(data: SignalDataSet) {
      await store.set(data as Record<string, Record<string, KeyValue | null>>)
    },
  }

  const state: AuthenticationState = {
    creds,
    keys: makeCachedKeyStore(raw, options.cache ?? createLruKeyCache()),
  }
  return {
    state,
    // Baileys mutates state.creds in place and emits creds.update; the caller wires that event here.
    saveCreds: () => store.saveCreds(state.creds),
  }
}

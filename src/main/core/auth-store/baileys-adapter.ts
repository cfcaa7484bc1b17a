// Turns any AuthStore into the `{ state: { creds, keys }, saveCreds }` that Baileys' makeWASocket takes.
// Main process, Electron-free. Keys go through Baileys' makeCacheableSignalKeyStore (a 5-minute cache in
// front of the store); the caller may pass its own CacheStore (e.g. one that reports hits and misses).

import {
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationState,
  type CacheStore,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'
import type { AuthStore, KeyValue } from './types'
import { isPlainObject } from './validate'

/** Baileys' ILogger, as makeCacheableSignalKeyStore uses it (pino's Logger fits). */
export type BaileysLogger = Parameters<typeof makeCacheableSignalKeyStore>[1]

export interface BaileysAuthStateOptions {
  logger?: BaileysLogger
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
    throw new AppError('invalid-input', 'makeBaileysAuthState options must be an object { logger?, cache? }.')
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
    keys: makeCacheableSignalKeyStore(raw, options.logger, options.cache),
  }
  return {
    state,
    // Baileys mutates state.creds in place and emits creds.update; the caller wires that event here.
    saveCreds: () => store.saveCreds(state.creds),
  }
}

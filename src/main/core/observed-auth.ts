// How the app hands an account's store to Baileys: the store instrumented for telemetry, then Baileys'
// adapter with the account's observed key cache in front. Main process, Electron-free. One home for
// this wiring, so the session manager and the store benchmark's as-app path measure the same thing.

import type { AccountId } from '../../shared/ids'
import { makeBaileysAuthState, type BaileysAuthState } from './auth-store/baileys-adapter'
import type { AuthStore } from './auth-store/types'
import type { Telemetry } from './telemetry/wiring'

export interface ObservedAuth<S extends AuthStore> extends BaileysAuthState {
  /** The instrumented store under the cache (reads here bypass the cache and are timed). */
  store: S
}

export async function openObservedAuth<S extends AuthStore>(
  telemetry: Pick<Telemetry, 'instrument' | 'keyCache'>,
  store: S,
  account: AccountId,
): Promise<ObservedAuth<S>> {
  const observed = telemetry.instrument(store)
  const auth = await makeBaileysAuthState(observed, { cache: telemetry.keyCache(account) })
  return { state: auth.state, saveCreds: auth.saveCreds, store: observed }
}

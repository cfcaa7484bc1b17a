import { proto, type CacheStore } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { makeBaileysAuthState } from './baileys-adapter'
import { expectSameValue } from '../../../../test/support/auth-store-contract'
import { openSqliteAuthStoreFactory } from './sqlite-store'
import type { AuthStoreFactory } from './types'

/** A CacheStore that remembers which keys were asked for, to prove the adapter uses the one it is given. */
function recordingCache(): CacheStore & { asked: string[] } {
  const map = new Map<string, unknown>()
  const asked: string[] = []
  return {
    asked,
    get<T>(key: string) {
      asked.push(key)
      return map.get(key) as T | undefined
    },
    set<T>(key: string, value: T) {
      map.set(key, value)
    },
    del(key: string) {
      map.delete(key)
    },
    flushAll() {
      map.clear()
    },
  }
}

describe('makeBaileysAuthState', () => {
  let dir: string
  let factory: AuthStoreFactory
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-adapter-'))
    factory = openSqliteAuthStoreFactory({ file: join(dir, 'app.db'), dataKey: randomBytes(32) })
  })
  afterEach(async () => {
    await factory.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates and saves fresh creds once, then loads the same creds', async () => {
    const store = factory.open('acct' as AccountId)
    const first = await makeBaileysAuthState(store)
    expectSameValue(await store.loadCreds(), first.state.creds)
    first.state.creds.registered = true
    await first.saveCreds()
    const second = await makeBaileysAuthState(store)
    expectSameValue(second.state.creds, first.state.creds)
    expect(second.state.creds.registered).toBe(true)
  })

  it('puts the given cache in front of the store and rebuilds app-state keys as protobuf messages', async () => {
    const store = factory.open('acct' as AccountId)
    const cache = recordingCache()
    const { state } = await makeBaileysAuthState(store, { cache })
    const keyData = randomBytes(32)
    const message = proto.Message.AppStateSyncKeyData.fromObject({ keyData, fingerprint: { rawId: 1, currentIndex: 0 }, timestamp: 5 })
    await state.keys.set({ 'app-state-sync-key': { 'AAAA/w==': message }, session: { 's.0': randomBytes(8) } })
    await state.keys.get('session', ['s.0'])
    expect(cache.asked).toContain('session.s.0')

    // A fresh adapter has an empty cache, so this read comes from the database through JSON.
    const fresh = await makeBaileysAuthState(store)
    const got = (await fresh.state.keys.get('app-state-sync-key', ['AAAA/w==']))['AAAA/w==']
    expect(got).toBeInstanceOf(proto.Message.AppStateSyncKeyData)
    expect(Buffer.from(got!.keyData!).equals(keyData)).toBe(true)
  })

  it('rejects something that is not a store', async () => {
    await expect(makeBaileysAuthState({} as never)).rejects.toMatchObject({ code: 'invalid-input' })
  })
})

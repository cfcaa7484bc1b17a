// Test-only (never in a build: it lives under e2e/): a headless server with N accounts and synthetic
// auth-store traffic, for the telemetry specs. It uses the real core (createCore: SQLite, the sealed
// store, telemetry, the dispatcher) and the real HTTP + WebSocket server; only the accounts are not
// paired with a phone. Each account gets a phone and keys through the import path (importSession), then
// reads and writes a session key about once a second through its real instrumented store, so figures
// reach the browser through the real path: diagnostics channels, aggregator, telemetry:tick, WebSocket.
// One account's store is wrapped to answer 150 ms late: the outlier the ranking must put first.
//
// Usage: tsx e2e/support/telemetry-server.ts --accounts 200 [--ui-dir out/renderer]
//        [--data-dir <dir> --port <n> --token <t>] (a restart of an earlier one; IRISH_DATA_KEY its key)
// Prints one JSON line {"url", "token", "slow": {...}, "accounts": [...]} on stdout when ready; stops on
// SIGTERM or when its stdin closes (the spec's process ended), deleting its data dir unless given one.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AuthStore } from '../../src/main/core/auth-store/types'
import { createCore } from '../../src/main/core/create-core'
import { envVault } from '../../src/main/core/crypto/key-vault'
import { createLogger } from '../../src/main/core/logger'
import { startApiServer } from '../../src/main/server/http-server'
import { SLOW_DELAY_MS, type SeededAccount, type TelemetryServerInfo } from './telemetry-seed'

/** Adds `delayMs` before every `get`: a store that answers slowly, for one account only. */
function slowed<T extends AuthStore>(store: T, delayMs: number): T {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (prop === 'get') {
        return async (type: string, ids: string[]) => {
          await new Promise((r) => setTimeout(r, delayMs))
          return target.get(type, ids)
        }
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '200' },
      'ui-dir': { type: 'string', default: 'out/renderer' },
      // A restart: the same data dir (accounts kept), port and token; the data key from IRISH_DATA_KEY.
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
    },
  })
  const count = Number(values.accounts)
  const ownDir = values['data-dir'] === undefined
  const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'irish-e2e-telemetry-'))
  const logger = createLogger('warn')
  const core = await createCore({
    dataDir,
    keyVault: envVault(process.env.IRISH_DATA_KEY ?? randomBytes(32).toString('base64')),
    logger,
    appVersion: 'e2e',
  })

  // The ranking leaves out accounts with fewer samples than the setting (default 100, some 30 s of this
  // load): these specs rank from the first seconds, and the one about the minimum sets it itself.
  core.settings.set({ rankingMinSamples: 1 })
  const accounts: SeededAccount[] = core.sessions.list().map((a) => ({ id: a.id, label: a.label, phone: a.phone ?? '' }))
  for (let i = accounts.length; i < count; i++) {
    // Distinct, searchable phones: +49 151 2000 0000, +49 151 2000 0001, …
    const phone = `491512${String(i).padStart(7, '0')}`
    const label = `Shop ${String(i + 1).padStart(3, '0')}`
    const keys = 5 + (i % 7)
    const summary = await core.sessions.importSession({ label }, { phone, name: null }, async (store) => {
      const preKeys = Object.fromEntries(Array.from({ length: keys }, (_, k) => [String(k), { public: randomBytes(32), private: randomBytes(32) }]))
      await store.set({ 'pre-key': preKeys, session: { [`${phone}.0`]: randomBytes(64) } })
    })
    accounts.push({ id: summary.id, label, phone })
  }
  const slow = accounts[Math.floor(count * 0.37)]!

  const stores = accounts.map((account) => {
    const store = core.stores.open(account.id)
    return { account, store: core.telemetry.instrument(account === slow ? slowed(store, SLOW_DELAY_MS) : store) }
  })
  // About one "message" per account per second, spread over the second: read the peer's session, write
  // it back (what Baileys does per message), and a pre-key read that misses.
  let next = 0
  const perTick = Math.max(1, Math.round(stores.length / 10))
  const load = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      const { account, store } = stores[next]!
      next = (next + 1) % stores.length
      void store
        .get('session', [`${account.phone}.0`])
        .then((found) => store.set({ session: { [`${account.phone}.0`]: found[`${account.phone}.0`] ?? randomBytes(64) } }))
        .then(() => store.get('pre-key', ['999']))
        .catch((error: unknown) => logger.error({ err: error }, 'synthetic load failed'))
    }
  }, 100)

  const token = values.token ?? randomBytes(24).toString('base64url')
  const server = await startApiServer({
    host: '127.0.0.1',
    port: Number(values.port),
    token,
    dispatch: core.dispatch,
    events: core.events,
    logger,
    staticDir: resolve(values['ui-dir']),
  })

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    clearInterval(load)
    await server.close()
    await core.close()
    if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
  // The spec holds our stdin: when it goes away (even killed), so do we.
  process.stdin.on('end', () => void stop())
  process.stdin.resume()

  const info: TelemetryServerInfo = { url: server.url, token, slow, accounts }
  process.stdout.write(`${JSON.stringify(info)}\n`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})

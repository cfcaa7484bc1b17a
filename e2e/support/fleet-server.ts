// Test-only: a headless server holding 500 accounts, for the accounts-at-scale spec. It lives under
// e2e/, so no production build contains it. The accounts are real rows made through the session
// manager (stopped, with a phone and a name, no keys); on "inject" (a line on stdin) it pushes a
// changed summary for each through the core's own event bus, the path real status changes take to
// the page: most connected, some reconnecting, logged out, replaced or failed (QR expired, refused),
// one in a hundred with a condition (fleet.ts says which). Commands (stop, start …) then
// run on the real core. "traffic <per second>" then emits that many accounts:message events a second
// (round robin over the accounts, spread over the second), a telemetry:tick a second and a few status
// changes a second through the same bus, as a busy server would: the UI benchmark's load (bench/ui.bench.ts).
// Binds 127.0.0.1, stops on SIGTERM or when stdin closes.
// Usage: tsx e2e/support/fleet-server.ts --data-dir <dir>   (IRISH_API_TOKEN, IRISH_DATA_KEY set)

import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import type { AccountSummary } from '../../src/shared/contract'
import { createCore } from '../../src/main/core/create-core'
import { envVault } from '../../src/main/core/crypto/key-vault'
import { createLogger } from '../../src/main/core/logger'
import { startApiServer } from '../../src/main/server/http-server'
import { FLEET_SIZE, fleetLabel, injected } from './fleet'

const ROOT = resolve(import.meta.dirname, '..', '..')

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, strict: true })
  const dataDir = values['data-dir']
  const token = process.env.IRISH_API_TOKEN
  const key = process.env.IRISH_DATA_KEY
  if (!dataDir || !token || !key) throw new Error('fleet-server needs --data-dir, IRISH_API_TOKEN and IRISH_DATA_KEY')
  const logger = createLogger('warn')
  const core = await createCore({
    dataDir,
    keyVault: envVault(key),
    logger,
    appVersion: 'e2e',
    // Nothing here ever connects (the accounts have no keys); a dead loopback port keeps it that way.
    whatsappOverride: { url: 'ws://127.0.0.1:9/ws', trustedRootKey: randomBytes(32).toString('hex') },
  })
  if (core.sessions.list().length === 0) {
    for (let i = 0; i < FLEET_SIZE; i++) {
      await core.sessions.importSession({ label: fleetLabel(i) }, { phone: `1555${String(1_000_000 + i)}`, name: `Agent ${i}` }, async () => {})
    }
  }
  const server = await startApiServer({ host: '127.0.0.1', port: 0, token, dispatch: core.dispatch, events: core.events, logger, staticDir: join(ROOT, 'out', 'renderer') })

  function inject(): void {
    const now = Date.now()
    const list = core.sessions.list()
    for (const account of list) {
      // Which of the 500 it is, from its number (`1555` and 1 000 000 + its index): renaming it changes nothing.
      const index = Number(account.phone) - 15_551_000_000
      const { status, lastDisconnectCode, paired, condition } = injected(index)
      const summary: AccountSummary = {
        ...account,
        status,
        statusSince: now,
        lastError: status === 'connected' ? null : `Injected ${status}`,
        lastDisconnectCode,
        condition,
        // Imported, so never paired here; one whose QR expired has no number either.
        ...(paired ? {} : { pairedAt: null, phone: null }),
      }
      core.events.emit('accounts:changed', summary)
    }
    process.stdout.write(`injected ${list.length}\n`)
  }

  /** Messages are spread over the second in this many slices, as real traffic is. */
  const SLICES_PER_SECOND = 50
  /** Status changes a second under traffic: a few accounts reconnecting, as on a real server. */
  const CHANGES_PER_SECOND = 2
  let trafficTimer: ReturnType<typeof setInterval> | null = null
  function traffic(perSecond: number): void {
    if (trafficTimer) clearInterval(trafficTimer)
    trafficTimer = null
    if (perSecond <= 0) return
    const list = core.sessions.list()
    let next = 0
    let carry = 0
    let sent = 0
    let slice = 0
    trafficTimer = setInterval(() => {
      carry += perSecond / SLICES_PER_SECOND
      for (; carry >= 1; carry -= 1) {
        const account = list[next % list.length]!
        next += 1
        sent += 1
        core.events.emit('accounts:message', {
          account: account.id,
          id: `3EB0${sent.toString(16).padStart(16, '0')}`,
          from: '15550000001@s.whatsapp.net',
          fromPhone: '+15550000001',
          fromLid: null,
          text: `Traffic message ${sent}, about as long as a short chat line`,
          at: Date.now(),
        })
      }
      slice += 1
      if (slice % SLICES_PER_SECOND !== 0) return
      const now = Date.now()
      const t = Math.floor(now / 1000) - 1
      const stats = { count: perSecond * 3, errors: 0, p50: 0.2, p95: 0.6, p99: 1.4, max: 3 }
      core.events.emit('telemetry:tick', {
        t,
        points: (['keys_get', 'keys_set'] as const).map((req) => ({ ...stats, t, account: '*' as const, req })),
        cache: [{ t, account: '*', hits: perSecond * 2, misses: perSecond }],
      })
      for (let c = 0; c < CHANGES_PER_SECOND; c++) {
        const account = core.sessions.list()[(slice / SLICES_PER_SECOND) * CHANGES_PER_SECOND + c] ?? list[0]!
        core.events.emit('accounts:changed', { ...account, status: 'connected', statusSince: now, lastError: null, lastDisconnectCode: null })
      }
    }, 1000 / SLICES_PER_SECOND)
  }

  let stopping = false
  async function stop(): Promise<void> {
    if (stopping) return
    stopping = true
    traffic(0)
    await server.close()
    await core.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/)
    if (command === 'inject') inject()
    if (command === 'traffic') {
      traffic(Number(argument ?? 0))
      process.stdout.write(`traffic ${Number(argument ?? 0)}\n`)
    }
  })
  lines.on('close', () => void stop())
  process.stdout.write(`listening on ${server.url}\n`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})

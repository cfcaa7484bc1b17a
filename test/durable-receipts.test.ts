// A received message is recorded before Baileys' receipt for it leaves (src/main/core/sessions/
// durable-receipts.ts): real
// Baileys against the simulator, with the recording held. A connection cut while the record is still
// pending leaves the message unacknowledged, so the simulator (like WhatsApp) delivers it again after
// the reconnect, and it is reported once. With Baileys' own order (receipt first, report after) the
// message would have been acknowledged before the cut and never come back.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, PairingState, ReceivedMessage } from '../src/shared/contract'
import { AppError } from '../src/shared/errors'
import type { AccountId } from '../src/shared/ids'
import { silentLogger as silentSimulatorLogger } from '../src/simulator/logger'
import { startSimulator, type Simulator } from '../src/simulator/simulator'
import { muteLibsignalLogs } from './support/baileys-clients'
import { bareSessionDeps } from './support/bare-session-deps'
import { createMemoryAuthStoreFactory } from '../src/main/core/auth-store/memory-store'
import { createEventBus, type EventBus, type Recorded } from '../src/main/core/events'
import { silentLogger } from '../src/main/core/logger'
import { openObservedAuth } from '../src/main/core/observed-auth'
import { createTelemetry } from '../src/main/core/telemetry/wiring'
import { enforceSignatureChecks, restoreDefaultRoot, trustWhatsAppRoot } from '../src/whatsapp-protocol/trust-root'
import { memoryAccounts } from './support/memory-accounts'
import { createSessionManager, type SessionManager } from '../src/main/core/sessions/session-manager'
import { openDatabase, type OpenedDatabase } from '../src/main/core/db/open-database'
import { TEST_BACKOFF } from './support/sessions'

describe('receipts wait for the record', () => {
  let sim: Simulator
  let sessions: SessionManager
  let bus: EventBus
  let unmute: () => void
  let storeDown = false
  /** What recording a message answers; by default recorded at once. */
  let record: (message: ReceivedMessage) => Recorded = () => undefined
  const reported: ReceivedMessage[] = []

  // The send queue's store (unused here: nothing is sent), on a throwaway SQLite file.
  let dir: string
  let database: OpenedDatabase

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'irish-receipts-'))
    database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
    unmute = muteLibsignalLogs()
    sim = await startSimulator({ port: 0, logger: silentSimulatorLogger })
    enforceSignatureChecks()
    trustWhatsAppRoot(sim.rootKeyHex)
    bus = createEventBus(silentLogger())
    const telemetry = createTelemetry({ events: bus, logger: silentLogger() })
    const memory = createMemoryAuthStoreFactory()
    // A store that can be made unreachable, as a fleet's database during a restart.
    const stores = {
      open(id: AccountId) {
        const inner = memory.open(id)
        const check = (): void => {
          if (storeDown) throw new AppError('unavailable', 'The database cannot be reached (test).')
        }
        return {
          ...inner,
          get: async (type: Parameters<typeof inner.get>[0], ids: string[]) => (check(), inner.get(type, ids)),
          set: async (data: Parameters<typeof inner.set>[0]) => (check(), inner.set(data)),
          loadCreds: async () => (check(), inner.loadCreds()),
          saveCreds: async (creds: Parameters<typeof inner.saveCreds>[0]) => (check(), inner.saveCreds(creds)),
        }
      },
    }
    // As the webhook outbox and the fleet log wrap the bus: a message is recorded, then shown.
    const recording: EventBus = {
      subscribe: (listener) => bus.subscribe(listener),
      emit(event, payload) {
        if (event !== 'accounts:message') return bus.emit(event, payload)
        const result = record(payload as ReceivedMessage)
        const shown = (ok: boolean): boolean => {
          if (ok) {
            reported.push(payload as ReceivedMessage)
            void bus.emit(event, payload)
          }
          return ok
        }
        return result === undefined ? void shown(true) : result.then(shown)
      },
    }
    sessions = createSessionManager({
      accounts: memoryAccounts(),
      openStore: (id) => stores.open(id),
      openAuth: (id) => openObservedAuth(telemetry, stores.open(id), id),
      events: recording,
      backoff: TEST_BACKOFF,
      socketConfig: () => ({ waWebSocketUrl: sim.url }),
      // No LID mappings kept between runs: this suite is about receipts, not senders.
      ...bareSessionDeps(database),
    })
  }, 30_000)

  afterAll(async () => {
    await sessions?.shutdown()
    await sim?.close()
    restoreDefaultRoot()
    unmute?.()
    database?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  async function pair(label: string): Promise<AccountSummary & { phone: string }> {
    const added = await sessions.add(label)
    const qr = await new Promise<string>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr) {
          stop()
          resolve((m.payload as PairingState).qr!)
        }
      })
    })
    const connected = new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected') {
          stop()
          resolve()
        }
      })
    })
    await sim.scanQr(qr, { name: label })
    await connected
    return sessions.list().find((a) => a.id === added.id) as AccountSummary & { phone: string }
  }

  it('a message whose record is pending when the connection drops is delivered again, and reported once', async () => {
    const account = await pair('Receiver')
    let attempts = 0
    let held!: () => void
    const firstSeen = new Promise<void>((resolve) => (held = resolve))
    record = (message) => {
      if (message.text !== 'keep me') return undefined
      attempts += 1
      if (attempts > 1) return Promise.resolve(true)
      held()
      // The database is down: this try fails once the connection is gone.
      return new Promise<boolean>((resolve) => {
        const stop = bus.subscribe((m) => {
          if (m.event === 'accounts:changed' && (m.payload as AccountSummary).id === account.id && (m.payload as AccountSummary).status === 'reconnecting') {
            stop()
            resolve(false)
          }
        })
      })
    }
    await sim.sendFromPhone('4915130000009', account.phone, 'keep me')
    await firstSeen
    // The receipt has not left: cutting the connection hands the message back to the offline queue.
    expect(sim.kick(`${account.phone}@s.whatsapp.net`, 500)).toBe(1)
    expect(sim.stats().queuedStanzas).toBe(1)
    await new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'keep me') {
          stop()
          resolve()
        }
      })
    })
    expect(attempts).toBe(2)
    expect(reported.filter((m) => m.text === 'keep me')).toHaveLength(1)
    expect(sessions.messages(account.id).map((m) => m.text)).toEqual(['keep me'])
  }, 60_000)

  it('a record that fails once is tried again while the connection stays, and the message is reported once', async () => {
    const account = sessions.list().find((a) => a.label === 'Receiver')! as AccountSummary & { phone: string }
    let attempts = 0
    record = (message) => {
      if (message.text !== 'second try') return undefined
      attempts += 1
      return Promise.resolve(attempts > 1)
    }
    const since = reported.length
    await sim.sendFromPhone('4915130000009', account.phone, 'second try')
    await new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'second try') {
          stop()
          resolve()
        }
      })
    })
    expect(attempts).toBe(2)
    expect(reported.slice(since).map((m) => m.text)).toEqual(['second try'])
    // Acknowledged now: a reconnect does not bring it back.
    sim.kick(`${account.phone}@s.whatsapp.net`, 500)
    await sim.sendFromPhone('4915130000009', account.phone, 'after')
    await new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'after') {
          stop()
          resolve()
        }
      })
    })
    expect(reported.slice(since).map((m) => m.text)).toEqual(['second try', 'after'])
  }, 60_000)

  it('a key store that cannot be reached closes the connection (the message, recorded first, once), and the account comes back when it can', async () => {
    const account = sessions.list().find((a) => a.label === 'Receiver')! as AccountSummary & { phone: string }
    record = () => undefined
    const since = reported.length
    storeDown = true
    const reconnecting = new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:changed' && (m.payload as AccountSummary).id === account.id && (m.payload as AccountSummary).status === 'reconnecting') {
          stop()
          resolve()
        }
      })
    })
    // Its session is in the key cache, so it decrypts and is recorded; saving the advanced session fails.
    await sim.sendFromPhone('4915130000009', account.phone, 'while down')
    await reconnecting
    storeDown = false
    const back = new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:changed' && (m.payload as AccountSummary).id === account.id && (m.payload as AccountSummary).status === 'connected') {
          stop()
          resolve()
        }
      })
    })
    await back
    await sim.sendFromPhone('4915130000009', account.phone, 'after the outage')
    await new Promise<void>((resolve) => {
      const stop = bus.subscribe((m) => {
        if (m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === 'after the outage') {
          stop()
          resolve()
        }
      })
    })
    expect(reported.slice(since).map((m) => m.text)).toEqual(['while down', 'after the outage'])
    // A store outage never switches the account off: it retried until the store answered.
    expect(sessions.list().find((a) => a.id === account.id)).toMatchObject({ status: 'connected' })
  }, 60_000)
})

// Assembles the core from plain values: a data dir, a key vault, a logger, the WhatsApp endpoint.
// Both shells (Electron main, headless server) call createCore and then only talk to what it returns.
// Main process, Electron-free. Opening order matters: lock, key, database (migrations), then sessions.

import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import type { SocketConfig } from '@whiskeysockets/baileys'
import { AppError } from '../../shared/errors'
import type { AccountId } from '../../shared/ids'
import { createActivityLog, type ActivityLog } from './activity/activity-log'
import { commandObserver, watchSessions } from './activity/wiring'
import { createDispatch, type Dispatch } from './api/dispatch'
import { createHandlers } from './api/handlers'
import { sqliteAuthStoreFactory } from './auth-store/sqlite-store'
import type { AuthStoreFactory } from './auth-store/types'
import type { KeyVault } from './crypto/key-vault'
import { guardConsoleAgainstSessionDumps } from './console-guard'
import { acquireDataDirLock } from './data-dir-lock'
import { createAccountRepository } from './db/account-repository'
import { openDatabase } from './db/open-database'
import { createEventBus, type EventBus } from './events'
import type { Logger } from './logger'
import { createSessionManager, type SessionManager } from './sessions/session-manager'
import type { BackoffOptions } from './sessions/reconnect-policy'
import { createSettingsStore, type SettingsStore } from './settings/settings-store'
import { openObservedAuth } from './observed-auth'
import { createTelemetry, type Telemetry } from './telemetry/wiring'
import { openHandOffJournal } from './transfer/hand-off-journal'
import type { CrashPoint } from './transfer/hand-off-protocol'
import { loadInstanceId } from './transfer/instance-id'
import { createTransferService } from './transfer/transfer-service'
import { enforceSignatureChecks, restoreDefaultRoot, trustWhatsAppRoot } from './whatsapp/trust'

export const DATABASE_FILE = 'irish.db'
/** Where server-to-server hand-offs are journaled (transfer/hand-off-journal.ts). */
export const HAND_OFF_DIR = 'hand-offs'

/** Plays the phone for a QR code or a linking code; present when a simulator runs in this process. */
export interface SimulatorPort {
  url: string
  rootKeyHex: string
  adminUrl: string | null
  scanQr(qr: string): Promise<{ jid: string; lid: string }>
  /** Plays a person typing a linking code on the phone with this number (digits). */
  enterLinkCode(phone: string, code: string): Promise<{ jid: string; lid: string }>
}

export interface CoreDeps {
  dataDir: string
  keyVault: KeyVault
  logger: Logger
  appVersion: string
  migrationsFolder?: string
  /** better-sqlite3's native binding for another ABI (the Electron build). */
  sqliteBinding?: string
  /** An endpoint that wins over the settings (the --simulator flag, an environment override). */
  whatsappOverride?: { url: string; trustedRootKey: string }
  simulator?: SimulatorPort
  backoff?: BackoffOptions
  /** Extra Baileys socket settings, applied over the endpoint (tests set a short qrTimeout this way). */
  socketOverrides?: Partial<SocketConfig>
  now?: () => number
  /** Tests only: kill the process at this step of a hand-off (IRISH_TEST_CRASH_AT in the server). */
  crashAt?: CrashPoint
}

export interface Core {
  dispatch: Dispatch
  events: EventBus
  sessions: SessionManager
  settings: SettingsStore
  stores: AuthStoreFactory
  telemetry: Telemetry
  activity: ActivityLog
  /** Starts the accounts the operator left running (when autoStart is on). */
  startAccounts(): Promise<void>
  /** Graceful: closes sockets, lets pending writes land, closes the database, releases the lock. */
  close(): Promise<void>
}

export async function createCore(deps: CoreDeps): Promise<Core> {
  const log = deps.logger
  // Before any Baileys socket exists: libsignal would print session keys to the console.
  guardConsoleAgainstSessionDumps(log)
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 })
  const lock = acquireDataDirLock(deps.dataDir, deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {})
  const cleanup: Array<() => void> = [() => lock.release()]
  try {
    const dataKey = await deps.keyVault.getDataKey()
    const database = openDatabase({
      file: join(deps.dataDir, DATABASE_FILE),
      dataKey,
      ...(deps.migrationsFolder ? { migrationsFolder: deps.migrationsFolder } : {}),
      ...(deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {}),
    })
    dataKey.fill(0)
    cleanup.unshift(() => database.close())

    const events = createEventBus(log)
    const settings = createSettingsStore(database.db, log)
    const stores = sqliteAuthStoreFactory(database)
    const telemetry = createTelemetry({ events, logger: log, ...(deps.now ? { now: deps.now } : {}) })
    cleanup.unshift(() => telemetry.dispose())

    applyEndpointTrust(deps, settings)

    const sessions = createSessionManager({
      accounts: createAccountRepository(database.db),
      events,
      logger: log,
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      socketConfig: () => socketConfigFor(deps, settings),
      openStore: (id: AccountId) => telemetry.instrument(stores.open(id)),
      openAuth: (id: AccountId) => openObservedAuth(telemetry, stores.open(id), id),
    })

    const activity = createActivityLog({ sqlite: database.sqlite, ...(deps.now ? { now: deps.now } : {}) })
    cleanup.unshift(watchSessions(events, activity, sessions.list(), log))

    const transfer = createTransferService({
      sessions,
      logger: log,
      appVersion: deps.appVersion,
      instanceId: loadInstanceId(deps.dataDir),
      handOffJournal: openHandOffJournal(join(deps.dataDir, HAND_OFF_DIR)),
      ...(deps.crashAt ? { crashAt: deps.crashAt } : {}),
    })
    cleanup.unshift(() => transfer.close())
    const handlers = createHandlers({
      sessions,
      settings,
      telemetry,
      transfer,
      activity,
      simulator: deps.simulator ?? null,
      whatsappOverride: deps.whatsappOverride ?? null,
    })
    const dispatch = createDispatch(handlers, log, commandObserver(activity, log))

    let closed = false
    return {
      dispatch,
      events,
      sessions,
      settings,
      stores,
      telemetry,
      activity,
      async startAccounts() {
        if (settings.get().autoStart) await sessions.startAll()
        // Whatever autoStart says: a hand-off left open by a crash must end with the account somewhere.
        transfer.resumeHandOffs()
      },
      async close() {
        if (closed) return
        closed = true
        await sessions.shutdown()
        for (const step of cleanup) step()
      },
    }
  } catch (error) {
    for (const step of cleanup) step()
    throw error
  }
}

/** The endpoint override (simulator) wins; otherwise the settings; otherwise real WhatsApp. */
function socketConfigFor(deps: CoreDeps, settings: SettingsStore): Partial<SocketConfig> {
  const url = deps.whatsappOverride?.url ?? settings.get().whatsappUrl
  return { ...(url ? { waWebSocketUrl: url } : {}), ...deps.socketOverrides }
}

function applyEndpointTrust(deps: CoreDeps, settings: SettingsStore): void {
  // Without this, Baileys accepts any server's certificate chain and the trusted root means nothing.
  enforceSignatureChecks()
  const root = deps.whatsappOverride?.trustedRootKey ?? settings.get().trustedRootKey
  if (root) {
    trustWhatsAppRoot(root)
    deps.logger.warn({}, 'trusting a non-WhatsApp certificate root (local simulator); real WhatsApp will be refused')
  } else {
    restoreDefaultRoot()
  }
  if (!deps.whatsappOverride && settings.get().whatsappUrl && !root) {
    throw new AppError('invalid-input', 'A custom WhatsApp URL needs a trusted root key as well.')
  }
}

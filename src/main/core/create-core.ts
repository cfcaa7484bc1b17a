// Assembles the core from plain values: a data dir, a key vault, a logger, the WhatsApp endpoint.
// Both shells (Electron main, headless server) call createCore and then only talk to what it returns.
// Main process, Electron-free. Opening order matters: lock, key, database (migrations), then sessions.

import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type makeWASocket from '@whiskeysockets/baileys'
import type { SocketConfig } from '@whiskeysockets/baileys'
import { AppError } from '../../shared/errors'
import type { AccountId } from '../../shared/ids'
import { answerAwaitsWrites, isCommandName } from '../../shared/contract'
import type { ActivityLog } from './activity/activity-log'
import { createSqliteActivityLog } from './activity/sqlite-activity-log'
import { commandObserver, recordsCommand, watchSessions } from './activity/wiring'
import { createDispatch, type Dispatch } from './api/dispatch'
import { guardedDispatch } from './api/guard'
import { createHandlers } from './api/handlers'
import { createAuditTrail, type AuditTrail } from './audit/audit-trail'
import { sqliteAuditRows } from './audit/sqlite-audit-rows'
import { createTokenRegistry, type TokenRegistry } from './tokens/token-registry'
import { sqliteTokenRows } from './tokens/sqlite-token-rows'
import { backupSqlite } from './backup/sqlite-backup'
import { sqliteSeenIdentities } from './staleness/sqlite-seen-identities'
import type { AuthStoreFactory } from './auth-store/types'
import type { KeyVault, OptionalKeyVault } from './crypto/key-vault'
import { guardConsoleAgainstSessionDumps } from '../../whatsapp-protocol/console-guard'
import { acquireDataDirLock } from './data-dir-lock'
import { openStorage, type Storage } from './open-storage'
import type { Fleet } from './fleet/fleet'
import type { FleetEvents } from './fleet/fleet-events'
import { emitLocally, isLocalOnly } from './fleet/local-only'
import type { FleetLog } from './fleet/fleet-log'
import { tagOwner } from './fleet/owner-tag'
import { createEventBus, type EventBus } from './events'
import { createContacts } from './contacts/contact-book'
import type { LidStore } from './contacts/lid-store'
import { createSqliteLidStore } from './contacts/sqlite-lid-store'
import { createDoctor, type Doctor, type DoctorOptions } from './doctor/doctor'
import type { Logger } from './logger'
import { createCeremonyDesk, type CeremonyDesk } from './api/passkey-ceremony'
import { createSessionManager, type SessionManager } from './sessions/session-manager'
import type { BackoffOptions } from './sessions/reconnect-policy'
import type { SocketTimeouts } from './sessions/socket-timeouts'
import type { SettingsStore } from './settings/settings-store'
import { openObservedAuth } from './observed-auth'
import { proxySecrets } from './proxy/proxy-secret'
import type { LimitWindows } from './sends/limits'
import { createSqliteSendStore } from './sends/sqlite-send-store'
import { createTelemetry, type Telemetry } from './telemetry/wiring'
import { openHandOffJournal } from './transfer/hand-off-journal'
import type { CrashPoint } from './transfer/hand-off-protocol'
import { loadInstanceId } from './transfer/instance-id'
import { createTransferService } from './transfer/transfer-service'
import { createSqliteOutbox } from './webhooks/sqlite-outbox'
import { createWebhookService, type WebhookOptions, type WebhookService } from './webhooks/webhook-service'
import type { SimulatorPort } from './whatsapp/simulator-port'
import { createEndpointWatch } from './whatsapp/endpoint-watch'
import { enforceSignatureChecks, restoreDefaultRoot, trustWhatsAppRoot } from '../../whatsapp-protocol/trust-root'

export { DATABASE_FILE } from './open-storage'
export type { SimulatorPort }
/** Where server-to-server hand-offs are journaled (transfer/hand-off-journal.ts). */
export const HAND_OFF_DIR = 'hand-offs'

export interface CoreDeps {
  dataDir: string
  keyVault: KeyVault
  /** The old data key while a rotation re-seals the store under the key vault's (IRISH_PREVIOUS_DATA_KEY). */
  previousKeyVault?: OptionalKeyVault | null
  logger: Logger
  appVersion: string
  migrationsFolder?: string
  /** A postgres:// URL: accounts, settings and the auth store live there instead of <dataDir>/irish.db. */
  databaseUrl?: string
  postgresMigrationsFolder?: string
  /** With databaseUrl: this server's part in the fleet sharing that database. */
  fleet?: FleetDeps
  /** better-sqlite3's native binding for another ABI (the Electron build). */
  sqliteBinding?: string
  /** An endpoint that wins over the settings (the --simulator flag, an environment override). */
  whatsappOverride?: { url: string; trustedRootKey: string }
  simulator?: SimulatorPort
  backoff?: BackoffOptions
  /** Extra Baileys socket settings, applied over the endpoint (tests set a short qrTimeout this way). */
  socketOverrides?: Partial<SocketConfig>
  /** Tests only: builds each Baileys socket (a test wraps one to tamper with what it sends). */
  makeSocket?: typeof makeWASocket
  /**
   * The origin browsers reach this server at (the headless server's public or listening URL), for
   * the passkey ceremony link; absent where no HTTP server runs (the desktop app).
   */
  ceremonyServer?: () => string | null
  now?: () => number
  /** Webhook delivery: private targets allowed (--webhooks-allow-private); tests shorten retries and timeouts. */
  webhooks?: WebhookOptions
  /** Tests only: shorter send-limit windows (a minute of 600 ms), so a queue drains within a test. */
  sendWindows?: Partial<LimitWindows>
  /** Handshakes in flight at most, for mass starts and bulk pairing (sessions/admission.ts). */
  connectConcurrency?: number
  /** Tests only: shorter waits for WhatsApp's answers (sessions/socket-timeouts.ts). */
  socketTimeouts?: Partial<SocketTimeouts>
  /** Tests only: kill the process at this step of a hand-off (IRISH_TEST_CRASH_AT in the server). */
  crashAt?: CrashPoint
  /** The doctor's thresholds (docs/session-doctor.md); tests shorten its waits. */
  doctor?: DoctorOptions
  /** The server's own API token: the admin token named `default` (none in the desktop app). */
  apiToken?: string
}

/** How often a fleet server reads the tokens again, so a revoke elsewhere holds here within a second. */
export const FLEET_TOKEN_REFRESH_MS = 250

export interface FleetDeps {
  /** The advertised URL; read when the server registers (after it listens) and at every heartbeat. */
  url: () => string
  /** The fleet's shared API token, for commands forwarded to the server that runs an account. */
  token: string
  capacity?: number
  leaseTtlMs?: number
  /** Tests only: holds a key write inside its transaction (the fleet's fault tests pause the process there). */
  holdKeyWrite?: (account: AccountId, what: string) => Promise<void>
}

export interface Core {
  dispatch: Dispatch
  events: EventBus
  sessions: SessionManager
  settings: SettingsStore
  stores: AuthStoreFactory
  telemetry: Telemetry
  activity: ActivityLog
  /** What is wrong with each account, and the counts behind it (docs/session-doctor.md). */
  doctor: Doctor
  /** Fleet (PostgreSQL) only. */
  fleet: Fleet | null
  /** Signed webhooks from the durable outbox (SQLite, or the fleet's PostgreSQL). */
  webhooks: WebhookService | null
  /** The named API tokens (and the server's own, `default`). */
  tokens: TokenRegistry
  audit: AuditTrail
  /** The id the audit trail names this server by: the fleet server's id, or this installation's. */
  serverId: string
  /** The passkey ceremony's two ends (options, answer) for the server's routes and the desktop window. */
  ceremony: CeremonyDesk
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
  const cleanup: Array<() => void | Promise<void>> = [() => lock.release()]
  const runCleanup = async (): Promise<void> => {
    for (const step of cleanup) await step()
  }
  try {
    const dataKey = await deps.keyVault.getDataKey()
    const previousKey = deps.previousKeyVault ? await deps.previousKeyVault.getDataKey() : null
    const storage = await openStorage({
      dataDir: deps.dataDir,
      dataKey,
      ...(previousKey ? { previousKeys: [previousKey] } : {}),
      logger: log,
      ...(deps.databaseUrl ? { databaseUrl: deps.databaseUrl } : {}),
      ...(deps.migrationsFolder ? { migrationsFolder: deps.migrationsFolder } : {}),
      ...(deps.postgresMigrationsFolder ? { postgresMigrationsFolder: deps.postgresMigrationsFolder } : {}),
      ...(deps.sqliteBinding ? { sqliteBinding: deps.sqliteBinding } : {}),
      ...(deps.fleet?.leaseTtlMs !== undefined ? { leaseTtlMs: deps.fleet.leaseTtlMs } : {}),
    }).finally(() => {
      dataKey.fill(0)
      previousKey?.fill(0)
    })
    cleanup.unshift(() => storage.close())

    const events = createEventBus(log)
    const serverId = `srv-${randomBytes(4).toString('hex')}`
    // PostgreSQL's adapters and the fleet: loaded by openStorage for that database only (postgres-adapters.ts).
    const pgSide = storage.postgres?.adapters
    const fleetLog: FleetLog | null = storage.postgres
      ? storage.postgres.adapters.createFleetLog({ pool: storage.postgres.database.pool, serverId, sealer: storage.sealer, logger: log })
      : null
    const fleet = storage.postgres ? await joinFleet(deps, storage.postgres, log, serverId, events) : null
    if (fleet) cleanup.unshift(() => fleet.stop())
    const { settings } = storage
    const stores = fleet?.stores ?? storage.stores
    if (!stores) throw new AppError('internal', 'A PostgreSQL database is used by a fleet only, and the fleet did not start.')
    const telemetry = createTelemetry({ events, logger: log, ...(deps.now ? { now: deps.now } : {}) })
    cleanup.unshift(() => telemetry.dispose())

    applyEndpointTrust(deps, settings)

    // The outbox is written inside the sessions' emit (webhooks/webhook-service.ts), so it must be open first.
    // In a fleet every server shares the PostgreSQL outbox and claims what it sends (docs/webhooks.md).
    const outbox = storage.sqlite ? createSqliteOutbox(storage.sqlite) : fleet && storage.postgres ? storage.postgres.adapters.createPgOutbox(storage.postgres.database.pool, fleet.serverId) : null
    const webhooks = outbox
      ? await createWebhookService({ outbox, sealer: storage.sealer, logger: log, ...deps.webhooks, ...(deps.now ? { now: deps.now } : {}) })
      : null
    if (webhooks) cleanup.unshift(() => webhooks.close())

    const accounts = fleet?.accounts ?? storage.accounts
    const doctor = createDoctor({
      stored: (id) => accounts.get(id)?.condition,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.doctor ? { options: deps.doctor } : {}),
    })
    const lids: LidStore = storage.sqlite
      ? createSqliteLidStore({ sqlite: storage.sqlite, logger: log })
      : pgSide!.createPgLidStore({ pool: storage.postgres!.database.pool, logger: log })
    cleanup.unshift(() => lids.settled())
    // A simulator this server is joined to may go away and come back (its demo server restarts).
    const endpoint = deps.whatsappOverride
      ? createEndpointWatch({ url: deps.whatsappOverride.url, logger: log, onBack: () => sessions.retryWaiting(), ...(deps.now ? { now: deps.now } : {}) })
      : null
    if (endpoint) cleanup.unshift(() => endpoint.close())
    const sessions = createSessionManager({
      ...(endpoint ? { endpoint } : {}),
      accounts,
      doctor,
      contacts: createContacts({ store: lids, logger: log, now: deps.now ?? Date.now }),
      staleSocketSeconds: () => settings.get().staleSocketSeconds,
      // Webhooks see an event before the fleet's de-duplication: a message reported again after a
      // failover maps to the same delivery ids, so the outbox skips it, and one whose first report
      // died with its server still gets out.
      events: captureFor(webhooks, fleet && fleetLog ? tagOwner(pgSide!.dedupeMessages(events, fleetLog, log), fleet.present) : events),
      logger: log,
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.makeSocket ? { makeSocket: deps.makeSocket } : {}),
      ...(deps.ceremonyServer ? { ceremonyServer: deps.ceremonyServer } : {}),
      ...(deps.connectConcurrency !== undefined ? { connectConcurrency: deps.connectConcurrency } : {}),
      ...(deps.socketTimeouts ? { socketTimeouts: deps.socketTimeouts } : {}),
      socketConfig: () => socketConfigFor(deps, settings),
      proxies: proxySecrets(storage.sealer),
      defaultProxyUrl: () => settings.defaultProxyUrl(),
      sends: {
        // In a fleet the queue is shared: the server that runs an account sends it (docs/proxies-and-limits.md).
        store: storage.sqlite ? createSqliteSendStore(storage.sqlite) : pgSide!.createPgSendStore(storage.postgres!.database.pool, fleet?.serverId ?? 'server'),
        sealer: storage.sealer,
        defaultLimits: () => settings.get().defaultLimits,
        maxQueue: () => settings.get().maxQueuePerAccount,
        ...(deps.sendWindows ? { windows: deps.sendWindows } : {}),
      },
      openStore: (id: AccountId) => telemetry.instrument(stores.open(id)),
      async openAuth(id: AccountId) {
        // A fleet server opens a socket only under the account's lease: never two sockets for one account.
        if (fleet) await fleet.ensureLease(id)
        return openObservedAuth(telemetry, stores.open(id), id)
      },
      ...(fleet ? { claim: (id: AccountId) => fleet.ensureLease(id) } : {}),
    })

    telemetry.useKeySource({
      accounts: () => sessions.list().map((a) => a.id),
      count: (id) => sessions.health(id).then((health) => health.keyCounts),
    })
    telemetry.useDecryptFailures((windowSeconds) => doctor.decryptFailuresSince(windowSeconds))
    const clock = deps.now ? { now: deps.now } : {}
    const activity = storage.sqlite && storage.batch
      ? createSqliteActivityLog({ sqlite: storage.sqlite, batch: storage.batch, ...clock })
      : pgSide!.createPgActivityLog({ pool: storage.postgres!.database.pool, logger: log, ...clock })
    cleanup.unshift(() => activity.settled())
    // In a fleet the log is shared: each change is written by the server it happened on, not again by
    // every server its relayed event reaches.
    let relay: FleetEvents | null = null
    cleanup.unshift(watchSessions(events, activity, sessions.list(), log, (message) => !relay?.relaying() && !isLocalOnly(message.payload)))

    const instanceId = loadInstanceId(deps.dataDir)
    // This process as the trail and the core name it: its fleet server id, else its instance id.
    const ownId = fleet ? serverId : instanceId
    const tokens = await createTokenRegistry({
      rows: storage.sqlite ? sqliteTokenRows(storage.sqlite) : pgSide!.pgTokenRows(storage.postgres!.database.pool),
      builtIn: deps.apiToken ?? null,
      accountExists: (id) => sessions.list().some((a) => a.id === id),
      refreshMs: fleet ? FLEET_TOKEN_REFRESH_MS : null,
      logger: log,
      ...clock,
    })
    cleanup.unshift(() => tokens.close())
    const audit = createAuditTrail({
      rows: storage.sqlite ? sqliteAuditRows(storage.sqlite) : pgSide!.pgAuditRows(storage.postgres!.database.pool),
      server: ownId,
      logger: log,
      retentionDays: () => settings.get().auditRetentionDays,
      ...clock,
    })
    cleanup.unshift(() => audit.close())

    const seen = storage.sqlite ? sqliteSeenIdentities(storage.sqlite, deps.now) : pgSide!.pgSeenIdentities(storage.postgres!.database.pool, deps.now)
    const sqlite = storage.sqlite
    const backup = sqlite
      ? (path: string) => backupSqlite(sqlite, path, { keyId: storage.sealer.keyId, appVersion: deps.appVersion, logger: log, ...clock })
      : null

    const transfer = createTransferService({
      sessions,
      logger: log,
      appVersion: deps.appVersion,
      seen,
      instanceId,
      handOffJournal: openHandOffJournal(join(deps.dataDir, HAND_OFF_DIR)),
      settled: () => storage.settled(),
      ...(deps.crashAt ? { crashAt: deps.crashAt } : {}),
    })
    cleanup.unshift(() => transfer.close())
    const handlers = createHandlers({
      sessions,
      settings,
      telemetry,
      transfer,
      activity,
      logger: log,
      webhooks,
      simulator: deps.simulator ?? null,
      whatsappOverride: deps.whatsappOverride ?? null,
      endpoint,
      fleet,
      tokens,
      audit,
      seen,
      backup,
    })
    const observed = createDispatch(handlers, log, commandObserver(activity, log))
    // Account rows and activity lines land in the background (a write batch per turn on SQLite, a
    // write queue on PostgreSQL): a command's answer waits for what it changed and for its own line, so
    // nothing an operator was told is lost in a crash, and any server of a fleet asked right after it
    // reads the change (a stop answered by one server, then a start asked of another, must not be
    // overwritten by the stop's late write) and lists who asked.
    const localDispatch: Dispatch = async (command, input, caller) => {
      const result = await observed(command, input, caller)
      if (!isCommandName(command) || answerAwaitsWrites(command)) await storage.settled()
      if (recordsCommand(command)) await activity.settled()
      return result
    }
    const route =
      fleet && storage.postgres
        ? storage.postgres.adapters.forwardingDispatch({
            local: localDispatch,
            database: storage.postgres.database,
            serverId: fleet.serverId,
            token: deps.fleet?.token ?? '',
            logger: log,
            sawNoLease: (ids) => fleet.sawNoLease(ids),
          })
        : localDispatch
    // Every transport comes in here: the caller's role and accounts are checked, and the trail kept.
    const dispatch = guardedDispatch({ route, audit })
    if (fleet && fleetLog && storage.postgres && deps.databaseUrl) {
      relay = await storage.postgres.adapters.relayFleetEvents({
        log: fleetLog,
        url: deps.databaseUrl,
        serverId: fleet.serverId,
        events,
        accounts: storage.postgres.accounts,
        runsHere: (id) => fleet.leases.held().has(id),
        logger: log,
        onSignal: () => void fleet.tick(),
      })
      const opened = relay
      cleanup.unshift(() => opened.close())
    }

    let closed = false
    return {
      dispatch,
      events,
      sessions,
      settings,
      stores,
      telemetry,
      activity,
      doctor,
      fleet,
      webhooks,
      tokens,
      audit,
      serverId: ownId,
      ceremony: createCeremonyDesk({ dispatch, ...clock }),
      async startAccounts() {
        // In a fleet the assignment loop decides which accounts run here.
        if (fleet) await fleet.start(sessions)
        else if (settings.get().autoStart) await sessions.startAll()
        // Whatever autoStart says: a hand-off left open by a crash must end with the account somewhere.
        transfer.resumeHandOffs()
      },
      async close() {
        if (closed) return
        closed = true
        await sessions.shutdown()
        await runCleanup()
      },
    }
  } catch (error) {
    await runCleanup()
    throw error
  }
}

function captureFor(webhooks: WebhookService | null, bus: EventBus): EventBus {
  return webhooks ? webhooks.capture(bus) : bus
}

async function joinFleet(deps: CoreDeps, postgres: NonNullable<Storage['postgres']>, log: Logger, serverId: string, events: EventBus): Promise<Fleet> {
  const fleet = postgres.adapters.createFleet({
    database: postgres.database,
    accounts: postgres.accounts,
    serverId,
    url: deps.fleet?.url ?? (() => 'http://127.0.0.1'),
    logger: log,
    // A lapse every server sees for itself: shown on its own stream, neither relayed nor recorded.
    showLocally: (summary) => emitLocally(events, 'accounts:changed', summary),
    signal: () => postgres.adapters.signalFleet(postgres.database.pool),
    ...(deps.fleet?.holdKeyWrite ? { holdKeyWrite: deps.fleet.holdKeyWrite } : {}),
    ...(deps.fleet?.capacity !== undefined ? { capacity: deps.fleet.capacity } : {}),
    ...(deps.fleet?.leaseTtlMs !== undefined ? { ttlMs: deps.fleet.leaseTtlMs } : {}),
  })
  // Before the session manager exists: it resets stale running statuses, and must not touch the
  // accounts other servers run.
  await fleet.init()
  return fleet
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

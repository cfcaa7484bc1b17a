// One named handler per command of the contract. Inputs arrive parsed by the dispatcher; handlers
// only call into the core's services. Main process, Electron-free. Everything else about a command
// (fleet routing, activity wording, body size, CLI verb, role) is its declaration in the contract.

import type { AccountSummary, FleetServer } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { SessionManager } from '../sessions/session-manager'
import type { SettingsStore } from '../settings/settings-store'
import type { Telemetry } from '../telemetry/wiring'
import type { TransferService } from '../transfer/transfer-service'
import { restoreDefaultRoot, trustWhatsAppRoot } from '../../../whatsapp-protocol/trust-root'
import type { SimulatorPort } from '../whatsapp/simulator-port'
import type { Handlers } from './dispatch'
import type { ActivityLog } from '../activity/activity-log'
import { runBulkAction, runTagChange } from '../sessions/bulk'
import type { Logger } from '../logger'
import { toErrorInfo } from './dispatch'
import type { WebhookService } from '../webhooks/webhook-service'
import type { TokenRegistry } from '../tokens/token-registry'
import type { AuditTrail } from '../audit/audit-trail'
import type { SeenIdentities } from '../staleness/seen-identities'
import type { BackupInfo } from '../../../shared/contract'
import type { EndpointWatch } from '../whatsapp/endpoint-watch'

export interface HandlerDeps {
  sessions: SessionManager
  settings: SettingsStore
  telemetry: Telemetry
  simulator: SimulatorPort | null
  whatsappOverride: { url: string; trustedRootKey: string } | null
  /** Whether that override's endpoint answers (null without an override). */
  endpoint?: Pick<EndpointWatch, 'down'> | null
  transfer: TransferService
  activity: ActivityLog
  /** Where a bulk command's unexpected per-account errors are logged (they leave as `internal`). */
  logger: Logger
  /** Null only where no database holds an outbox (never in the app; some tests). */
  webhooks?: WebhookService | null
  /** Fleet (PostgreSQL) only. */
  fleet?: { servers(): Promise<FleetServer[]>; present(summary: AccountSummary): AccountSummary; refreshOwners(): Promise<void> } | null
  /** Null only where no database holds them (some tests). */
  tokens?: TokenRegistry | null
  audit?: AuditTrail | null
  seen?: SeenIdentities | null
  /** Writes a backup of the store to `path` (SQLite); null where the store cannot be copied so (PostgreSQL). */
  backup?: ((path: string) => Promise<BackupInfo>) | null
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { sessions, settings, telemetry, simulator, whatsappOverride, endpoint = null, transfer, activity, logger, webhooks = null, fleet = null } = deps
  const hooks = (): WebhookService => {
    if (!webhooks) throw new AppError('unavailable', 'Webhooks are not available in this process.')
    return webhooks
  }
  const tokens = (): TokenRegistry => {
    if (!deps.tokens) throw new AppError('unavailable', 'Named API tokens are not available in this process.')
    return deps.tokens
  }
  const trail = (): AuditTrail => {
    if (!deps.audit) throw new AppError('unavailable', 'The audit trail is not available in this process.')
    return deps.audit
  }
  return {
    'accounts:list': async function listAccounts() {
      const list = sessions.list()
      if (!fleet) return list
      // From the database, not the last assignment round: every server of a fleet gives the same answer.
      await fleet.refreshOwners()
      return list.map((a) => fleet.present(a))
    },
    'fleet:servers': async function fleetServers() {
      return fleet ? fleet.servers() : []
    },
    'accounts:add': async function addAccount({ label }) {
      return sessions.add(label)
    },
    'accounts:remove': async function removeAccount({ id }) {
      // Its credentials' writes are remembered: an older copy of the device brought back is refused.
      await deps.seen?.remember(id)
      await sessions.remove(id)
      telemetry.forget(id)
      return { done: true as const }
    },
    'accounts:logout': async function logoutAccount({ id }) {
      return sessions.logout(id)
    },
    'accounts:start': async function startAccount({ id, takeBack, repair }) {
      return sessions.start(id, { takeBack: takeBack ?? false, repair: repair ?? false })
    },
    'accounts:stop': async function stopAccount({ id }) {
      return sessions.stop(id)
    },
    'accounts:rename': async function renameAccount({ id, label }) {
      return sessions.rename(id, label)
    },
    'accounts:send-text': async function sendText({ id, to, text }) {
      return sessions.sendText(id, to, text)
    },
    'accounts:messages': async function listMessages({ id }) {
      return sessions.messages(id)
    },
    'accounts:health': async function accountHealth({ id }) {
      return sessions.health(id)
    },
    'accounts:pairing': async function pairingState({ id }) {
      return sessions.pairing(id)
    },
    'telemetry:snapshot': async function telemetrySnapshot({ account, windowSeconds }) {
      return telemetry.snapshot(account ?? null, windowSeconds)
    },
    'telemetry:series': async function telemetrySeries({ account, req, sinceSeconds }) {
      return telemetry.series(account ?? null, req ?? null, sinceSeconds ?? 900)
    },
    'telemetry:ranking': async function telemetryRanking({ windowSeconds }) {
      return telemetry.ranking(windowSeconds ?? 900)
    },
    'telemetry:key-counts': async function telemetryKeyCounts() {
      return telemetry.keyCounts()
    },
    'telemetry:watch': async function telemetryWatch({ client, accounts }) {
      // Unknown ids are not an error: a view may name an account removed a moment ago.
      const known = new Set(sessions.list().map((a) => a.id))
      const watched = accounts.filter((id) => known.has(id))
      return { accounts: watched, leaseSeconds: telemetry.watch(client, watched) }
    },
    'settings:get': async function getSettings() {
      return settings.get()
    },
    'settings:set': async function setSettings(patch) {
      const merged = { ...settings.get(), ...patch }
      if (merged.whatsappUrl && !merged.trustedRootKey) {
        // Checked before saving: a URL without a root would fail every connect with a certificate error.
        throw new AppError('invalid-input', 'A custom WhatsApp URL needs its trusted root key (64 hex characters).')
      }
      const next = settings.set(patch)
      if (!whatsappOverride) {
        if (next.trustedRootKey) trustWhatsAppRoot(next.trustedRootKey)
        else restoreDefaultRoot()
      }
      return next
    },
    'simulator:info': async function simulatorInfo() {
      const current = settings.get()
      const url = whatsappOverride?.url ?? current.whatsappUrl
      const trusted = Boolean(whatsappOverride?.trustedRootKey ?? current.trustedRootKey)
      return { trusted, url: trusted ? url : null, admin: simulator?.adminUrl ?? null, down: endpoint?.down() ?? null }
    },
    'simulator:scan': async function simulateScan({ id, passkey }) {
      if (!simulator) {
        throw new AppError('not-found', 'No simulator runs in this process: scan the QR code with a phone instead.')
      }
      const { qr } = sessions.pairing(id)
      if (!qr) throw new AppError('conflict', 'This account is not showing a QR code right now. Start it to get one.')
      return simulator.scanQr(qr, { passkey: passkey ?? false })
    },
    // Pairing by phone-number code
    'accounts:pair-code': async function pairByCode({ id, phone }) {
      return sessions.pairByCode(id, phone)
    },
    'simulator:enter-code': async function simulateEnteringCode({ id, passkey }) {
      if (!simulator) {
        throw new AppError('not-found', 'No simulator runs in this process: type the code on the phone instead.')
      }
      const { code, phone } = sessions.pairing(id)
      if (!code || !phone) throw new AppError('conflict', 'This account is not showing a linking code right now. Ask for a code first.')
      return simulator.enterLinkCode(phone, code, { passkey: passkey ?? false })
    },
    // The passkey check WhatsApp asks some accounts for (docs/passkey-linking.md).
    'accounts:passkey-response': async function answerPasskey({ id, credential, ceremonyToken }) {
      return sessions.passkeyRespond(id, credential, ceremonyToken)
    },
    'accounts:passkey-confirm': async function confirmPasskey({ id }) {
      return sessions.passkeyConfirm(id)
    },
    'accounts:passkey-cancel': async function cancelPasskey({ id }) {
      return sessions.passkeyCancel(id)
    },
    'simulator:authenticate': async function simulateAuthenticator({ id }) {
      if (!simulator) {
        throw new AppError('not-found', 'No simulator runs in this process: answer the passkey check with your own passkey instead.')
      }
      const { passkey } = sessions.pairing(id)
      if (passkey?.phase !== 'required') throw new AppError('conflict', 'This account is not waiting for a passkey right now.')
      const credential = simulator.authenticate(passkey.options)
      if (!credential) {
        throw new AppError(
          'not-found',
          "The simulator's demo authenticator holds no key for this phone's passkey (it was registered another way, or before a restart). Answer with your own passkey instead.",
        )
      }
      return sessions.passkeyRespond(id, credential)
    },
    'transfer:export': async function exportBundle(input) {
      return transfer.exportToFile(input)
    },
    'transfer:export-to-server': async function exportToServer({ id, url, token, passphrase, replace, includeProxy }) {
      return transfer.exportToServer({
        id,
        url,
        token,
        ...(passphrase !== undefined ? { passphrase } : {}),
        ...(replace !== undefined ? { replace } : {}),
        ...(includeProxy !== undefined ? { includeProxy } : {}),
      })
    },
    'transfer:hand-off': async function handOff({ id, action }) {
      return transfer.settleIncoming(id, action)
    },
    'transfer:identity': async function identity() {
      return { instanceId: transfer.instanceId }
    },
    'transfer:inspect': async function inspectBundle({ bundle }) {
      return transfer.inspect(bundle)
    },
    'transfer:import': async function importBundle({ bundle, passphrase, replace, start, label, allowOlder, handOff }) {
      return transfer.importBundle({ bundle, passphrase, ...importOptions({ replace, start, label }), ...(allowOlder ? { allowOlder } : {}), ...(handOff ? { handOff } : {}) })
    },
    'transfer:import-folder': async function importFolder({ path, replace, start, label }) {
      return transfer.importFolder({ path, ...importOptions({ replace, start, label }) })
    },
    'accounts:activity': async function accountActivity({ id, limit }) {
      if (!sessions.list().some((a) => a.id === id)) throw new AppError('not-found', `There is no account ${id}.`)
      return activity.list(id, limit ?? 100)
    },
    'accounts:bulk': async function bulkAction({ ids, action }) {
      return runBulkAction(sessions, ids, action, { describe: (error) => toErrorInfo(error, logger, `accounts:bulk ${action}`) })
    },
    'accounts:set-limits': async function setLimits({ ids, limits }) {
      return sessions.setLimits(ids, limits, { describe: (error) => toErrorInfo(error, logger, 'accounts:set-limits') })
    },
    'accounts:queue': async function sendQueue({ id }) {
      return sessions.queue(id)
    },
    'accounts:queue-cancel': async function cancelQueued({ id, messageIds }) {
      await sessions.cancelQueued(id, messageIds)
      return { cancelled: new Set(messageIds).size }
    },
    'accounts:send-stats': async function sendStats() {
      return sessions.sendStats()
    },
    'accounts:set-proxy': async function setProxy({ ids, url, reconnect }) {
      return sessions.setProxy(ids, url, { reconnect: reconnect ?? false, describe: (error) => toErrorInfo(error, logger, 'accounts:set-proxy') })
    },
    'accounts:stats': async function accountStats({ ids }) {
      const unique = [...new Set(ids)]
      const known = new Set(sessions.list().map((a) => a.id))
      const failures = webhooks ? await webhooks.failures(unique.filter((id) => known.has(id))) : new Map<string, number>()
      return unique.map((id) =>
        known.has(id)
          ? { id, ok: true, ...sessions.traffic(id), webhookFailures: failures.get(id) ?? 0 }
          : { id, ok: false, error: { code: 'not-found' as const, message: `There is no account "${id}".` } },
      )
    },
    'accounts:tag': async function tagAccounts({ ids, add, remove }) {
      return runTagChange(sessions, ids, { add, remove }, { describe: (error) => toErrorInfo(error, logger, 'accounts:tag') })
    },
    // Signed webhooks from a durable outbox (docs/webhooks.md).
    'webhooks:add': async function addWebhook(input) {
      return hooks().add(input)
    },
    'webhooks:list': async function listWebhooks() {
      return hooks().list()
    },
    'webhooks:remove': async function removeWebhook({ id }) {
      await hooks().remove(id)
      return { done: true as const }
    },
    'webhooks:deliveries': async function webhookDeliveries(filter) {
      return hooks().deliveries(filter)
    },
    'webhooks:redeliver': async function redeliverWebhook({ deliveryId }) {
      return hooks().redeliver(deliveryId)
    },
    'webhooks:test': async function testWebhook({ id }) {
      return hooks().test(id)
    },
    // Named API tokens and the audit trail (docs/security.md).
    'tokens:add': async function addToken({ name, role, accounts }) {
      return tokens().add({ name, role, accounts })
    },
    'tokens:list': async function listTokens() {
      return tokens().list()
    },
    'tokens:revoke': async function revokeToken({ name }) {
      await tokens().revoke(name)
      return { done: true as const }
    },
    'tokens:whoami': async function whoAmI(_input, caller) {
      const { name, role, accounts } = caller.identity
      return { name, role, accounts: accounts ? [...accounts] : null }
    },
    'audit:list': async function listAudit(filter) {
      return trail().list(filter)
    },
    'store:backup': async function backupStore({ path }) {
      if (!deps.backup) {
        throw new AppError(
          'unavailable',
          "This server keeps its data in PostgreSQL: back the database up with pg_dump (docs/security.md, \"Backups\"), not with store:backup.",
        )
      }
      return deps.backup(path)
    },
  }
}

/** Drops absent options (exactOptionalPropertyTypes-safe) so the service sees only what was given. */
function importOptions(input: { replace?: boolean | undefined; start?: boolean | undefined; label?: string | undefined }): {
  replace?: boolean
  start?: boolean
  label?: string
} {
  return {
    ...(input.replace !== undefined ? { replace: input.replace } : {}),
    ...(input.start !== undefined ? { start: input.start } : {}),
    ...(input.label !== undefined ? { label: input.label } : {}),
  }
}

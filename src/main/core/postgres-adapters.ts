// Everything the core runs on PostgreSQL and nowhere else: the database itself, each capability's pg-*
// adapter and the fleet. open-storage.ts loads this module, through a dynamic import, only for a
// `--database postgres://` server, so a server on SQLite (and the desktop app) never loads `pg`, drizzle's
// node-postgres driver and migrator, the pg-core schemas or the fleet (docs/performance.md, "The idle
// server", has what that saves; test/server-dialect-loading.test.ts keeps it so). Anything else that needs one of these takes it from
// `Storage.postgres.adapters`; a static import of them elsewhere in the core would load them for SQLite too.

export { openPostgres } from './db/postgres/open-postgres'
export { createWriteQueue } from './db/postgres/write-queue'
export { createPgAccountRepository } from './accounts/pg-account-repository'
export { createPgSettingsRows } from './settings/pg-settings-rows'
export { createPgActivityLog } from './activity/pg-activity-log'
export { pgAuditRows } from './audit/pg-audit-rows'
export { pgTokenRows } from './tokens/pg-token-rows'
export { pgSeenIdentities } from './staleness/pg-seen-identities'
export { createPgLidStore } from './contacts/pg-lid-store'
export { createPgSendStore } from './sends/pg-send-store'
export { createPgOutbox } from './webhooks/pg-outbox'
export { createFleet } from './fleet/fleet'
export { relayFleetEvents, signalFleet } from './fleet/fleet-events'
export { createFleetLog } from './fleet/fleet-log'
export { dedupeMessages } from './fleet/message-dedupe'
export { forwardingDispatch } from './fleet/forwarding'

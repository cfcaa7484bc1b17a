// The PostgreSQL schema: the same tables as the SQLite one (../schema.ts), plus the fleet's servers and
// leases. `npm run db:generate:postgres` turns changes here into a migration under drizzle/postgres/.
// Main process, Electron-free. Imports nothing but drizzle-orm; opening the database is open-postgres.ts.

import { bigint, bigserial, boolean, customType, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

/** Sealed values are raw bytes; node-postgres reads bytea as a Buffer and writes a Buffer as bytea. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
})

/** Milliseconds since the epoch, as the SQLite schema keeps them (JavaScript numbers, not Dates). */
const millis = (name: string) => bigint(name, { mode: 'number' })

/** One row per account: its Baileys creds, sealed (see auth-store/codec.ts for the AAD). */
export const authCreds = pgTable('auth_creds', {
  accountId: text('account_id').primaryKey(),
  value: bytea('value').notNull(),
  updatedAt: millis('updated_at').notNull(),
  /** How many times these creds were written (see ../schema.ts). */
  writes: bigint('writes', { mode: 'number' }).notNull().default(0),
  identity: text('identity'),
})

/** The most writes seen for each linked device, as in SQLite (../schema.ts). */
export const seenIdentities = pgTable('seen_identities', {
  identity: text('identity').primaryKey(),
  writes: bigint('writes', { mode: 'number' }).notNull(),
  accountId: text('account_id').notNull(),
  at: millis('at').notNull(),
})

/** Every Signal key of every account: (account, type, id) -> sealed value. */
export const authKeys = pgTable(
  'auth_keys',
  {
    accountId: text('account_id').notNull(),
    type: text('type').notNull(),
    id: text('id').notNull(),
    value: bytea('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.type, t.id] })],
)

/** Database-wide facts, e.g. the key-check value that tells a wrong data key from a corrupt row. */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: bytea('value').notNull(),
})

/** One row per account the fleet manages: metadata only, the secrets live sealed in auth_*. */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  label: text('label').notNull(),
  phone: text('phone'),
  name: text('name'),
  status: text('status').notNull(),
  statusSince: millis('status_since').notNull(),
  lastError: text('last_error'),
  lastDisconnectCode: integer('last_disconnect_code'),
  reconnectCount: integer('reconnect_count').notNull().default(0),
  createdAt: millis('created_at').notNull(),
  pairedAt: millis('paired_at'),
  lastConnectedAt: millis('last_connected_at'),
  wantRunning: boolean('want_running').notNull().default(false),
  movedTo: text('moved_to'),
  movedAt: millis('moved_at'),
  /** As in SQLite (db/schema.ts): the proxy as shown, and the whole URL sealed. */
  proxy: text('proxy'),
  proxyUrl: bytea('proxy_url'),
  limits: text('limits'),
  /** What is wrong with the account (AccountCondition as JSON), or null (core/doctor). */
  condition: text('condition'),
  /** JSON array of the operator's tags, as the SQLite table keeps them (the two share one row mapping). */
  tags: text('tags').notNull().default('[]'),
})

/** App settings as JSON values under a key (see core/settings). Shared by every server of a fleet. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/**
 * The servers of a fleet. A heartbeat is the database's now() at the last renewal: servers never
 * compare their own clocks.
 */
export const servers = pgTable('servers', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  /** The id of the data key it seals under (a key rotation waits for every live server to hold the new key). */
  keyId: text('key_id'),
  /** The most accounts it runs (--capacity), or null: no cap. 0 serves the API and runs none (docs/fleet.md). */
  capacity: integer('capacity'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * Who runs an account. `epoch` grows by one with every new owner; every write of creds or keys checks
 * (owner, epoch) in its own transaction, so a server whose lease was taken over writes nothing.
 * A released lease keeps its row (owner null) so the epoch never goes back. A lease handed over to
 * another server of the fleet (rebalancing) names it in `offered_to`: for one ttl after `offered_at`
 * only that server may claim it.
 */
export const leases = pgTable('leases', {
  accountId: text('account_id').primaryKey(),
  owner: text('owner'),
  epoch: bigint('epoch', { mode: 'number' }).notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  offeredTo: text('offered_to'),
  offeredAt: timestamp('offered_at', { withTimezone: true }),
})

/**
 * Message ids each account has reported, so a message WhatsApp delivers again after a failover (the old
 * owner died before its ack) is reported once by the fleet. Pruned after a day.
 */
export const receivedMessages = pgTable(
  'received_messages',
  {
    accountId: text('account_id').notNull(),
    messageId: text('message_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.messageId] })],
)

/**
 * The fleet's account events, in one sequence (fleet/fleet-log.ts): every server appends what happened
 * on it and reads what the others appended after the last sequence it relayed, so a server whose LISTEN
 * connection dropped catches up when it comes back. Appends hold one advisory lock until they commit,
 * so rows become visible in `seq` order (a reader never skips one that commits late). The payload is
 * sealed (messages carry text), bound to `id`. Kept an hour.
 */
export const fleetEvents = pgTable(
  'fleet_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull(),
    origin: text('origin').notNull(),
    event: text('event').notNull(),
    payload: bytea('payload').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('fleet_events_at').on(t.at)],
)

/**
 * Each account's activity log (core/activity), shared by every server of a fleet so any of them shows
 * the same history: the SQLite table's columns, bounded per account by the writer. No secrets, only
 * what the operator already sees. `seq` comes from one sequence, so it orders entries across servers.
 */
export const activity = pgTable(
  'activity',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    accountId: text('account_id').notNull(),
    at: millis('at').notNull(),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    code: integer('code'),
    actor: text('actor').notNull(),
  },
  (t) => [index('activity_account_seq').on(t.accountId, t.seq)],
)

/** Webhook endpoints, as in SQLite (db/schema.ts): the secret and the address sealed with the data key. */
export const webhooks = pgTable('webhooks', {
  id: text('id').primaryKey(),
  /** Clear, from versions before sealed_url: emptied when the database opens (db/seal-webhook-urls.ts). */
  url: text('url'),
  sealedUrl: bytea('sealed_url'),
  events: text('events').notNull(),
  secret: bytea('secret').notNull(),
  createdAt: millis('created_at').notNull(),
  lastSuccessAt: millis('last_success_at'),
  failuresInARow: integer('failures_in_a_row').notNull().default(0),
  lastError: text('last_error'),
})

/**
 * The webhook outbox, as in SQLite, plus the claim that makes one server of the fleet send each row:
 * a server takes a due lane head with FOR UPDATE SKIP LOCKED and marks it claimed (claim_id) until the
 * attempt's timeout has passed with a margin; a server that dies mid-attempt leaves a claim that simply expires.
 * See docs/webhooks.md.
 */
export const webhookOutbox = pgTable(
  'webhook_outbox',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    deliveryId: text('delivery_id').notNull().unique(),
    webhookId: text('webhook_id').notNull(),
    lane: text('lane').notNull(),
    event: text('event').notNull(),
    payload: bytea('payload').notNull(),
    createdAt: millis('created_at').notNull(),
    queuedAt: millis('queued_at').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: millis('next_attempt_at').notNull(),
    lastAttemptAt: millis('last_attempt_at'),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    response: text('response'),
    claimedBy: text('claimed_by'),
    claimedUntil: millis('claimed_until'),
    /** A fresh id per claim: recording an attempt counts only under the claim it was sent under. */
    claimId: text('claim_id'),
  },
  (t) => [index('webhook_outbox_lane').on(t.webhookId, t.status, t.lane, t.seq), index('webhook_outbox_due').on(t.status, t.nextAttemptAt)],
)

/**
 * Every send, as in SQLite (db/schema.ts), shared by the fleet: the server that runs an account sends its
 * queue; `claimed_by` names the server mid-send, and a new owner takes back what a gone one left `sending`.
 */
export const sends = pgTable(
  'sends',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    messageId: text('message_id').notNull().unique(),
    accountId: text('account_id').notNull(),
    jid: text('jid').notNull(),
    payload: bytea('payload'),
    newContact: boolean('new_contact').notNull(),
    state: text('state', { enum: ['queued', 'sending', 'sent', 'failed', 'cancelled'] }).notNull(),
    createdAt: millis('created_at').notNull(),
    doneAt: millis('done_at'),
    error: text('error'),
    claimedBy: text('claimed_by'),
  },
  (t) => [index('sends_account_state').on(t.accountId, t.state, t.seq), index('sends_done').on(t.state, t.doneAt)],
)

/** Whom each account exchanged a message with, as in SQLite. */
export const knownContacts = pgTable(
  'known_contacts',
  {
    accountId: text('account_id').notNull(),
    jid: text('jid').notNull(),
    firstAt: millis('first_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.jid] })],
)

/** The phone number behind each LID an account has met, as in SQLite (db/schema.ts). */
export const lidMappings = pgTable(
  'lid_mappings',
  {
    accountId: text('account_id').notNull(),
    lid: text('lid').notNull(),
    pn: text('pn').notNull(),
    learnedAt: millis('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.lid] })],
)

/** Named API tokens, as in SQLite (db/schema.ts): shared by every server of the fleet. */
export const apiTokens = pgTable('api_tokens', {
  name: text('name').primaryKey(),
  role: text('role').notNull(),
  accounts: text('accounts'),
  hash: text('hash').notNull().unique(),
  createdAt: millis('created_at').notNull(),
})

/** The audit trail, as in SQLite: one for the whole fleet, each entry naming the server that answered. */
export const audit = pgTable(
  'audit',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: millis('at').notNull(),
    actor: text('actor').notNull(),
    command: text('command').notNull(),
    accounts: text('accounts').notNull(),
    result: text('result').notNull(),
    server: text('server').notNull(),
    subject: text('subject'),
  },
  (t) => [index('audit_at').on(t.at)],
)

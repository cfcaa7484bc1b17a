// The app's one Drizzle schema: every table of the SQLite database lives in this file, and
// `npm run db:generate` turns changes here into a new migration under drizzle/.
// Main process, Electron-free. Imports nothing but drizzle-orm; opening the database is open-database.ts.

import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * One row per account: its Baileys creds, sealed (see auth-store/codec.ts for the AAD).
 * Creds have their own table rather than a reserved key type so that no future Baileys key type can
 * collide with them, and so that key counts and "never paired" need no special case.
 */
export const authCreds = sqliteTable('auth_creds', {
  accountId: text('account_id').primaryKey(),
  value: blob('value', { mode: 'buffer' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
  /**
   * How many times these creds were written: an import or a restore carrying fewer writes than this
   * store has seen for the same WhatsApp identity is older state, and refused (transfer/staleness.ts).
   */
  writes: integer('writes').notNull().default(0),
  /** The linked device the creds belong to (creds.me.id without its server: "15550001111:12"), once paired. */
  identity: text('identity'),
})

/**
 * The most writes this store has seen for each linked device (a WhatsApp identity), kept when its
 * account is exported, removed or replaced: older state of it is refused on import and restore.
 */
export const seenIdentities = sqliteTable('seen_identities', {
  identity: text('identity').primaryKey(),
  writes: integer('writes').notNull(),
  accountId: text('account_id').notNull(),
  at: integer('at').notNull(),
})

/**
 * Every Signal key of every account: (account, type, id) -> sealed value.
 * The primary key is also the index every hot query uses (one key, many keys of a type, counts by type).
 */
export const authKeys = sqliteTable(
  'auth_keys',
  {
    accountId: text('account_id').notNull(),
    type: text('type').notNull(),
    id: text('id').notNull(),
    value: blob('value', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.type, t.id] })],
)

/** Database-wide facts, e.g. the key-check value that tells a wrong data key from a corrupt row. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: blob('value', { mode: 'buffer' }).notNull(),
})


/**
 * One row per account the app manages. Only metadata: the secrets live sealed in auth_creds and
 * auth_keys. The UI never sees these rows, only the contract's AccountSummary.
 */
export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  label: text('label').notNull(),
  phone: text('phone'),
  name: text('name'),
  status: text('status').notNull(),
  statusSince: integer('status_since').notNull(),
  lastError: text('last_error'),
  lastDisconnectCode: integer('last_disconnect_code'),
  reconnectCount: integer('reconnect_count').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  pairedAt: integer('paired_at'),
  lastConnectedAt: integer('last_connected_at'),
  wantRunning: integer('want_running', { mode: 'boolean' }).notNull().default(false),
  movedTo: text('moved_to'),
  movedAt: integer('moved_at'),
  /** The account's proxy as it may be shown (password as ***), or null: it connects directly. */
  proxy: text('proxy'),
  /** The whole proxy URL, sealed with the data key (AAD "account-proxy:<id>"); set and cleared with `proxy`. */
  proxyUrl: blob('proxy_url', { mode: 'buffer' }),
  /** The send limits, JSON (core/sends); null for an account made before limits: the built-in defaults. */
  limits: text('limits'),
  /** What is wrong with the account (AccountCondition as JSON), or null (core/doctor). */
  condition: text('condition'),
  /** JSON array of the operator's tags (src/shared/tags.ts). */
  tags: text('tags').notNull().default('[]'),
})

/** App settings as JSON values under a key (see core/settings). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/**
 * Each account's activity log (core/activity): status changes with their reason and code, reconnect
 * attempts, pairing, transfers and the commands that asked for them, with who asked. Bounded per
 * account by the writer; no secrets, only what the operator already sees.
 */
export const activity = sqliteTable(
  'activity',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    accountId: text('account_id').notNull(),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    code: integer('code'),
    actor: text('actor').notNull(),
  },
  (t) => [index('activity_account_seq').on(t.accountId, t.seq)],
)

/**
 * Webhook endpoints (core/webhooks). The secret is sealed with the data key (AAD "webhook-secret:<id>")
 * and never leaves the core after webhooks:add returned it. The address is sealed too (AAD
 * "webhook-url:<id>"): a query string can carry the receiver's credentials. Health (last success,
 * failures in a row) is kept here so it survives restarts.
 */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  /**
   * The address in clear, as versions before sealed_url wrote it: emptied (NULL) when the database opens
   * (db/seal-webhook-urls.ts), never written. Kept as a column because sealing needs the data key, which
   * SQL migrations do not have.
   */
  url: text('url'),
  sealedUrl: blob('sealed_url', { mode: 'buffer' }),
  /** JSON array of event names. */
  events: text('events').notNull(),
  secret: blob('secret', { mode: 'buffer' }).notNull(),
  createdAt: integer('created_at').notNull(),
  lastSuccessAt: integer('last_success_at'),
  failuresInARow: integer('failures_in_a_row').notNull().default(0),
  lastError: text('last_error'),
})

/**
 * The webhook outbox: one row per (event, endpoint), written in the same synchronous step that emits the
 * event, so a kill -9 after the emit loses nothing. Rows of one endpoint and one lane (the account id, or
 * '' for events of no account) go out in seq order: a row waits until the one before it is delivered or
 * dead. The payload is sealed (AAD "webhook-payload:<delivery id>"): it holds message text.
 * See docs/webhooks.md.
 */
export const webhookOutbox = sqliteTable(
  'webhook_outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    deliveryId: text('delivery_id').notNull().unique(),
    webhookId: text('webhook_id').notNull(),
    lane: text('lane').notNull(),
    event: text('event').notNull(),
    payload: blob('payload', { mode: 'buffer' }).notNull(),
    /** When the event happened (epoch ms). */
    createdAt: integer('created_at').notNull(),
    /** When the current run of attempts began: the 24 h dead-letter window counts from here. */
    queuedAt: integer('queued_at').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastAttemptAt: integer('last_attempt_at'),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms'),
    /** The first bytes of the receiver's answer, for the deliveries view. */
    response: text('response'),
  },
  (t) => [index('webhook_outbox_lane').on(t.status, t.webhookId, t.lane, t.seq), index('webhook_outbox_webhook').on(t.webhookId, t.seq)],
)

/**
 * Every send of every account (core/sends, docs/proxies-and-limits.md): what went at once and what waits
 * in the queue, one row per message id. The queue is the rows `queued` (or `sending`, mid-send when the
 * process stopped) of an account in seq order; the sent rows of the last day are the limits' history.
 * The text is sealed (AAD "send:<message id>") while it waits and dropped once the send ends.
 */
export const sends = sqliteTable(
  'sends',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull().unique(),
    accountId: text('account_id').notNull(),
    jid: text('jid').notNull(),
    payload: blob('payload', { mode: 'buffer' }),
    newContact: integer('new_contact', { mode: 'boolean' }).notNull(),
    state: text('state', { enum: ['queued', 'sending', 'sent', 'failed', 'cancelled'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    /** When it was sent, failed or was cancelled. */
    doneAt: integer('done_at'),
    error: text('error'),
  },
  (t) => [index('sends_account_state').on(t.accountId, t.state, t.seq), index('sends_done').on(t.state, t.doneAt)],
)

/** Whom each account exchanged a message with: a send to anyone else counts against newContactsPerDay. */
export const knownContacts = sqliteTable(
  'known_contacts',
  {
    accountId: text('account_id').notNull(),
    jid: text('jid').notNull(),
    firstAt: integer('first_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.jid] })],
)

/**
 * The phone number behind each LID an account has met (core/contacts): learned from the alternate
 * addressing attributes of its messages and from Baileys' mapping updates. Digits only, both sides.
 */
export const lidMappings = sqliteTable(
  'lid_mappings',
  {
    accountId: text('account_id').notNull(),
    lid: text('lid').notNull(),
    pn: text('pn').notNull(),
    learnedAt: integer('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.lid] })],
)

/**
 * Named API tokens (core/tokens): a name, a role, the accounts it may see (a JSON array, or NULL for
 * every account) and the SHA-256 of the token in hex. The token itself is never stored.
 */
export const apiTokens = sqliteTable('api_tokens', {
  name: text('name').primaryKey(),
  role: text('role').notNull(),
  accounts: text('accounts'),
  hash: text('hash').notNull().unique(),
  createdAt: integer('created_at').notNull(),
})

/**
 * The audit trail (core/audit): every command that answered, who asked (a token's name), the accounts
 * it named (a JSON array), how it ended ('ok' or the error code), and the server that answered. Names
 * and ids only: never an input's text, passphrase or token. Pruned by age (the auditRetentionDays setting).
 */
export const audit = sqliteTable(
  'audit',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    command: text('command').notNull(),
    accounts: text('accounts').notNull(),
    result: text('result').notNull(),
    server: text('server').notNull(),
    subject: text('subject'),
  },
  (t) => [index('audit_at').on(t.at)],
)

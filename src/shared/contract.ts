// The one contract between the UI and the core: every command (input and output schemas) and every
// event (payload schema). Shared by main, preload, renderer and the headless server: no electron,
// no node:*, no DOM. Both transports (Electron IPC, HTTP + WebSocket) are generated from these maps,
// and every input is parsed with its schema before the core sees it.

import { z } from 'zod'
import { ACCOUNT_ID_PATTERN, type AccountId } from './ids'
import { ERROR_CODES, type ErrorInfo } from './errors'
import { MIN_PASSPHRASE_LENGTH } from './passphrase'
import { LabelSchema } from './labels'
import { PairingMethodSchema, PhoneNumberSchema } from './pairing'
import type { CommandName, EventName } from './channels'

export { COMMAND_NAMES, EVENT_NAMES, isCommandName, isEventName, type CommandName, type EventName } from './channels'

// ---------------------------------------------------------------------------------------------
// Domain types

export const AccountIdSchema = z
  .string()
  .regex(ACCOUNT_ID_PATTERN, 'An account id is 1 to 64 lower-case letters, digits or dashes.')
  .transform((value) => value as AccountId)

export const ACCOUNT_STATUSES = [
  /** Created, never paired, not running. */
  'new',
  /** Showing QR codes, waiting for a phone to scan. */
  'pairing',
  /** Socket opening with saved credentials. */
  'connecting',
  'connected',
  /** Lost the connection; a retry is scheduled. */
  'reconnecting',
  /** Stopped by the operator. */
  'stopped',
  /** WhatsApp said 401: the keys are gone, pair again. */
  'logged-out',
  /** WhatsApp said 440: another client took over this session. */
  'replaced',
  /** Exported to another place and stopped here, to avoid running two copies. */
  'moved',
  /** A failure the policy does not retry (pairing expired, store error). */
  'failed',
  /**
   * Fleet only, never stored: the server that ran it stopped renewing its lease (died, paused, cut off)
   * or handed it over, and another server of the fleet is taking it over.
   */
  'moving',
] as const
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES)
export type AccountStatus = z.infer<typeof AccountStatusSchema>

export const MovedToSchema = z.object({ target: z.string(), at: z.number() })

export const AccountSummarySchema = z.object({
  id: AccountIdSchema,
  label: z.string(),
  /** Digits only, once paired. */
  phone: z.string().nullable(),
  /** Push name or business name, once known. */
  name: z.string().nullable(),
  status: AccountStatusSchema,
  /** Epoch milliseconds. */
  statusSince: z.number(),
  lastError: z.string().nullable(),
  /** The last disconnect status code Baileys reported (401, 440, 515, 408 …). */
  lastDisconnectCode: z.number().nullable(),
  reconnectCount: z.number().int(),
  createdAt: z.number(),
  pairedAt: z.number().nullable(),
  lastConnectedAt: z.number().nullable(),
  movedTo: MovedToSchema.nullable(),
  /** Fleet (PostgreSQL) only: the id of the server that runs the account, or null when none does. */
  server: z.string().nullable().optional(),
})
export type AccountSummary = z.infer<typeof AccountSummarySchema>

export const KeyCountsSchema = z.record(z.string(), z.number().int())
export type KeyCounts = z.infer<typeof KeyCountsSchema>

export const AccountHealthSchema = AccountSummarySchema.extend({
  keyCounts: KeyCountsSchema,
  /** Set while the account waits for the next reconnect attempt. Epoch milliseconds. */
  nextRetryAt: z.number().nullable(),
})
export type AccountHealth = z.infer<typeof AccountHealthSchema>

export const PairingStateSchema = z.object({
  id: AccountIdSchema,
  /** The current QR payload, or null when none is showing. */
  qr: z.string().nullable(),
  /** When the current QR stops being valid. Epoch milliseconds. */
  expiresAt: z.number().nullable(),
  status: AccountStatusSchema,
  /** The method the operator chose: QR unless a code was asked for. */
  method: PairingMethodSchema,
  /** The current linking code as WhatsApp shows it (XXXX-XXXX), or null when none is valid. */
  code: z.string().nullable(),
  /** When the current code stops being valid. Epoch milliseconds. */
  codeExpiresAt: z.number().nullable(),
  /** With the code method: the phone number (digits) the code is for. */
  phone: z.string().nullable(),
})
export type PairingState = z.infer<typeof PairingStateSchema>

export const ReceivedMessageSchema = z.object({
  account: AccountIdSchema,
  id: z.string(),
  /** The chat's jid as Baileys reports it. */
  from: z.string(),
  text: z.string(),
  /** Epoch milliseconds. */
  at: z.number(),
})
export type ReceivedMessage = z.infer<typeof ReceivedMessageSchema>

// Telemetry: the request types the seed defines.
export const STORE_REQUESTS = ['load_creds', 'save_creds', 'keys_get', 'keys_set'] as const
export const StoreRequestSchema = z.enum(STORE_REQUESTS)
export type StoreRequest = z.infer<typeof StoreRequestSchema>

export const LatencyStatsSchema = z.object({
  count: z.number().int(),
  errors: z.number().int(),
  /** Milliseconds. */
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
})
export type LatencyStats = z.infer<typeof LatencyStatsSchema>

export const TelemetrySnapshotSchema = z.object({
  /** The account the figures cover, or null for all accounts together. */
  account: AccountIdSchema.nullable(),
  windowSeconds: z.number().int(),
  requests: z.record(StoreRequestSchema, LatencyStatsSchema),
  /** Operations per second averaged over windowSeconds, all request types. */
  opsPerSecond: z.number(),
  cache: z.object({ hits: z.number().int(), misses: z.number().int(), hitRatio: z.number().nullable() }),
})
export type TelemetrySnapshot = z.infer<typeof TelemetrySnapshotSchema>

/** An account id, or '*' for all accounts together. */
export const TelemetryScopeSchema = z.union([AccountIdSchema, z.literal('*')])
export const ALL_ACCOUNTS = '*'

export const SeriesPointSchema = LatencyStatsSchema.extend({
  /** Epoch seconds: the start of the 1-second bucket. */
  t: z.number().int(),
  account: TelemetryScopeSchema,
  req: StoreRequestSchema,
})
export type SeriesPoint = z.infer<typeof SeriesPointSchema>

export const CachePointSchema = z.object({
  t: z.number().int(),
  account: TelemetryScopeSchema,
  hits: z.number().int(),
  misses: z.number().int(),
})
export type CachePoint = z.infer<typeof CachePointSchema>

export const TelemetrySeriesSchema = z.object({
  points: z.array(SeriesPointSchema),
  cache: z.array(CachePointSchema),
})
export type TelemetrySeries = z.infer<typeof TelemetrySeriesSchema>

// Telemetry at scale (issue 15): ranking, key counts of every account in one answer, and the watch
// that decides which accounts' series the ticks carry.
/** The time ranges a telemetry view offers: 1, 5 and 15 minutes. */
export const TELEMETRY_RANGES = [60, 300, 900] as const
export const TelemetryRangeSchema = z.union([z.literal(60), z.literal(300), z.literal(900)])
export type TelemetryRange = z.infer<typeof TelemetryRangeSchema>

export const RankingRowSchema = LatencyStatsSchema.extend({
  account: AccountIdSchema,
  /** count / windowSeconds. */
  opsPerSecond: z.number(),
})
export type RankingRow = z.infer<typeof RankingRowSchema>

export const TelemetryRankingSchema = z.object({
  windowSeconds: z.number().int(),
  /** Every account with operations in the window, all request types together; the caller sorts. */
  rows: z.array(RankingRowSchema),
})
export type TelemetryRanking = z.infer<typeof TelemetryRankingSchema>

export const AccountKeyCountsSchema = z.object({ account: AccountIdSchema, counts: KeyCountsSchema, total: z.number().int() })
export type AccountKeyCounts = z.infer<typeof AccountKeyCountsSchema>

export const KeyCountOverviewSchema = z.object({
  /** Per key type, summed over every account. */
  totals: KeyCountsSchema,
  /** One row per account, in the accounts list's order. */
  accounts: z.array(AccountKeyCountsSchema),
})
export type KeyCountOverview = z.infer<typeof KeyCountOverviewSchema>

/** Up to 20 accounts; a client id is whatever the view picked (8–64 of [A-Za-z0-9_-]). */
export const TelemetryWatchInputSchema = z
  .object({
    client: z.string().regex(/^[\w-]{8,64}$/, 'A watch client id is 8 to 64 letters, digits, dashes or underscores.'),
    accounts: z.array(AccountIdSchema).max(20, 'Watch at most 20 accounts at once.'),
  })
  .strict()

export const SettingsSchema = z.object({
  /** The WhatsApp WebSocket endpoint; null means real WhatsApp. */
  whatsappUrl: z.string().url().nullable(),
  /** Hex of the root key the endpoint's certificate chain is trusted under (for the local simulator). */
  trustedRootKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'The trusted root key is 64 hex characters.')
    .nullable(),
  /** Start every account that was running when the app last stopped. */
  autoStart: z.boolean(),
})
export type Settings = z.infer<typeof SettingsSchema>

export const SimulatorInfoSchema = z.object({
  /** True when this process trusts a simulator instead of real WhatsApp. */
  trusted: z.boolean(),
  url: z.string().nullable(),
  /** The simulator's admin API, when it runs inside this process. */
  admin: z.string().nullable(),
})
export type SimulatorInfo = z.infer<typeof SimulatorInfoSchema>

/** A session bundle's readable metadata (see docs/bundle-format.md), as the import dialog shows it. */
export const BundleInfoSchema = z.object({
  version: z.number().int(),
  /** "+<digits>" as the exporter wrote it; only a claim until the bundle is opened with its passphrase. */
  accountPhone: z.string().nullable(),
  /** The account's label where it was exported. */
  accountName: z.string().nullable(),
  /**
   * 'copy': the account kept running where it was exported, so importing it runs a second copy unless
   * that one is stopped (the UI and CLI warn). Null in bundles written before this was recorded.
   * Lazy: TransferModeSchema is defined below.
   */
  exportMode: z.lazy(() => TransferModeSchema).nullable(),
  /** ISO 8601. */
  exportedAt: z.string(),
  appVersion: z.string(),
  keyCounts: KeyCountsSchema,
})
export type BundleInfo = z.infer<typeof BundleInfoSchema>

export const TRANSFER_MODES = [
  /** Stops the account here and marks it moved: the bundle becomes the only live copy. */
  'move',
  /** Keeps it running here: running both copies breaks the session (the UI must warn). */
  'copy',
] as const
export const TransferModeSchema = z.enum(TRANSFER_MODES)
export type TransferMode = z.infer<typeof TransferModeSchema>

/** The bundle file's bytes as base64. Its size is checked by the core (payload-too-large), not here. */
const BundleTextSchema = z.string().min(1, 'The bundle is empty: choose a session bundle file.')
/** A bundle file's name, without its folder: where the exporting machine keeps its files is not shared. */
const BundleFileNameSchema = z
  .string()
  .trim()
  .min(1, 'The file name is empty.')
  .max(255, 'A file name is at most 255 characters.')
  .refine((name) => !/[/\\]/.test(name) && !name.includes('\0') && name !== '.' && name !== '..', "Give the file's name without its folder.")
const ExportPassphraseSchema = z
  .string()
  .min(MIN_PASSPHRASE_LENGTH, `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`)
  .max(1024, 'The passphrase is at most 1024 characters.')

// Issue 11: each account's activity log, and who asked for what.

/** Who asked: the app's own UI (IPC or the browser page), the HTTP API, the irish CLI, or the core itself. */
export const ACTIVITY_ACTORS = ['ui', 'api', 'cli', 'system'] as const
export const ActivityActorSchema = z.enum(ACTIVITY_ACTORS)
export type ActivityActor = z.infer<typeof ActivityActorSchema>

export const ACTIVITY_KINDS = ['status', 'reconnect', 'pairing', 'error', 'command', 'transfer'] as const
export const ActivityKindSchema = z.enum(ACTIVITY_KINDS)
export type ActivityKind = z.infer<typeof ActivityKindSchema>

export const ActivityEntrySchema = z.object({
  /** Increases with every entry: the newest entry has the highest. */
  seq: z.number().int(),
  /** Epoch milliseconds. */
  at: z.number(),
  kind: ActivityKindSchema,
  message: z.string(),
  /** A disconnect status code (401, 440, 515 …) when there was one. */
  code: z.number().int().nullable(),
  actor: ActivityActorSchema,
})
export type ActivityEntry = z.infer<typeof ActivityEntrySchema>
// Issue 11: one command for many accounts (the bulk bar), answered per account.
export const BULK_ACTIONS = ['start', 'stop', 'logout'] as const
export const BulkActionSchema = z.enum(BULK_ACTIONS)
export type BulkAction = z.infer<typeof BulkActionSchema>
/** The most ids one accounts:bulk takes; the UI sends larger selections in several calls. */
export const MAX_BULK_IDS = 1000

export const BulkResultSchema = z.object({
  id: AccountIdSchema,
  ok: z.boolean(),
  /** The account after the action, when it succeeded. */
  account: AccountSummarySchema.optional(),
  /** Why it failed, as a single command would have said. Lazy: ErrorInfoSchema is defined below. */
  error: z.lazy(() => ErrorInfoSchema).optional(),
})
export type BulkResult = z.infer<typeof BulkResultSchema>

/** One server of a fleet, as `fleet:servers` lists it. */
export const FleetServerSchema = z.object({
  id: z.string(),
  /** Its advertised URL, where the other servers forward commands for its accounts. */
  url: z.string(),
  /** Since its last heartbeat, by the database's clock. */
  heartbeatAgeMs: z.number().int().nonnegative(),
  /** Its heartbeat is younger than the lease expiry; a server that is not is shown as down. */
  alive: z.boolean(),
  /** Accounts it holds a live lease on. */
  accounts: z.number().int().nonnegative(),
})
export type FleetServer = z.infer<typeof FleetServerSchema>

// Issue 16: signed webhooks from a durable outbox (core/webhooks, docs/webhooks.md).

/** The events a webhook can subscribe to: the event stream's per-account events. */
export const WEBHOOK_EVENTS = ['accounts:message', 'accounts:changed', 'accounts:removed', 'accounts:qr'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]
/** What webhooks:test sends: not an event of the stream, so it is never subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhooks:test'
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS, {
  error: (issue) => `Unknown event name ${JSON.stringify(issue.input)}: a webhook can receive ${WEBHOOK_EVENTS.join(', ')}.`,
})
export const WebhookIdSchema = z.string().regex(/^wh-[0-9a-f]{12}$/, 'A webhook id looks like wh- and 12 hex digits.')
export const DeliveryIdSchema = z.string().regex(/^[0-9a-f-]{36}$/, 'A delivery id is a UUID.')
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES)
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>

export const WebhookSummarySchema = z.object({
  id: WebhookIdSchema,
  url: z.string(),
  events: z.array(WebhookEventSchema),
  createdAt: z.number(),
  /** Health: the last 2xx answer (epoch ms), and failed attempts since then. */
  lastSuccessAt: z.number().nullable(),
  failuresInARow: z.number().int(),
  lastError: z.string().nullable(),
  pending: z.number().int(),
  dead: z.number().int(),
})
export type WebhookSummary = z.infer<typeof WebhookSummarySchema>

export const WebhookDeliverySchema = z.object({
  deliveryId: DeliveryIdSchema,
  webhookId: WebhookIdSchema,
  event: z.string(),
  /** The account the event is about, or null (a test event). */
  account: z.string().nullable(),
  status: DeliveryStatusSchema,
  attempts: z.number().int(),
  createdAt: z.number(),
  lastAttemptAt: z.number().nullable(),
  /** Pending only: when the next attempt is due. */
  nextAttemptAt: z.number().nullable(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  /** The first bytes of the receiver's last answer. */
  response: z.string().nullable(),
  /** The first bytes of the event's JSON, as sent. */
  payloadPreview: z.string(),
})
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>

// ---------------------------------------------------------------------------------------------
// Commands

const Empty = z.object({}).strict()
const ById = z.object({ id: AccountIdSchema }).strict()
const Done = z.object({ done: z.literal(true) })

export const commands = {
  'accounts:list': { input: Empty, output: z.array(AccountSummarySchema) },
  'accounts:add': {
    input: z
      .object({ label: LabelSchema.optional() })
      .strict(),
    output: AccountSummarySchema,
  },
  'accounts:remove': { input: ById, output: Done },
  'accounts:logout': { input: ById, output: AccountSummarySchema },
  'accounts:start': {
    input: z
      .object({
        id: AccountIdSchema,
        /** Required to start an account marked moved: the operator accepts the risk of two running copies. */
        takeBack: z.boolean().optional(),
      })
      .strict(),
    output: AccountSummarySchema,
  },
  'accounts:stop': { input: ById, output: AccountSummarySchema },
  'accounts:rename': {
    input: z.object({ id: AccountIdSchema, label: LabelSchema }).strict(),
    output: AccountSummarySchema,
  },
  'accounts:send-text': {
    input: z
      .object({
        id: AccountIdSchema,
        /**
         * A phone number in international format, as people write it ("+1 (555) 010-0123": spaces,
         * dashes, dots and parentheses are dropped), or a full jid.
         */
        to: z
          .string()
          .trim()
          .transform((value) => (value.includes('@') ? value : value.replace(/[\s().-]/g, '')))
          .pipe(
            z
              .string()
              .regex(
                /^(\+?\d{5,20}|[\w.:-]+@(s\.whatsapp\.net|lid|g\.us))$/,
                'Give a phone number in international format, such as +1 555 010 0123, or a WhatsApp id.',
              ),
          ),
        text: z.string().min(1, 'The message is empty.').max(4096, 'A message is at most 4096 characters.'),
      })
      .strict(),
    output: z.object({ messageId: z.string() }),
  },
  'accounts:messages': {
    input: ById,
    output: z.array(ReceivedMessageSchema),
  },
  'accounts:health': { input: ById, output: AccountHealthSchema },
  'accounts:pairing': { input: ById, output: PairingStateSchema },
  'telemetry:snapshot': {
    input: z.object({ account: AccountIdSchema.optional(), windowSeconds: TelemetryRangeSchema.optional() }).strict(),
    output: TelemetrySnapshotSchema,
  },
  'telemetry:series': {
    input: z
      .object({
        account: AccountIdSchema.optional(),
        req: StoreRequestSchema.optional(),
        sinceSeconds: z.number().int().min(1).max(900).optional(),
      })
      .strict(),
    output: TelemetrySeriesSchema,
  },
  /** Every account with operations over the range, all request types together, for the outlier ranking. */
  'telemetry:ranking': {
    input: z.object({ windowSeconds: TelemetryRangeSchema.optional() }).strict(),
    output: TelemetryRankingSchema,
  },
  /** Key counts of every account and their totals, in one answer: no per-account polling. */
  'telemetry:key-counts': { input: Empty, output: KeyCountOverviewSchema },
  /**
   * Which accounts' per-second points telemetry:tick carries for this client, besides the '*' aggregate
   * it always carries. A lease: renew it within `leaseSeconds`; an empty list ends it.
   */
  'telemetry:watch': {
    input: TelemetryWatchInputSchema,
    output: z.object({ accounts: z.array(AccountIdSchema), leaseSeconds: z.number().int() }),
  },
  'settings:get': { input: Empty, output: SettingsSchema },
  'settings:set': { input: SettingsSchema.partial().strict(), output: SettingsSchema },
  'simulator:info': { input: Empty, output: SimulatorInfoSchema },
  /** The servers of the fleet sharing this PostgreSQL database; empty on a single SQLite server. */
  'fleet:servers': { input: Empty, output: z.array(FleetServerSchema) },
  /** Plays the phone for an account that shows a QR code. Only when a simulator runs in this process. */
  'simulator:scan': { input: ById, output: z.object({ jid: z.string(), lid: z.string() }) },
  /** Exports one account to a session bundle, returned as base64 for the UI to save. */
  'transfer:export': {
    input: z
      .object({
        id: AccountIdSchema,
        passphrase: ExportPassphraseSchema,
        mode: TransferModeSchema,
        /**
         * The name of the file the caller writes the bundle to, when it chose one (`irish export --out`):
         * a move records it, so the take-back dialog names the file actually written. Default: the suggestion.
         */
        fileName: BundleFileNameSchema.optional(),
      })
      .strict(),
    output: z.object({
      /** A suggested file name, `*.irishbundle`. */
      fileName: z.string(),
      /** The file's bytes, base64. */
      bundle: z.string(),
      bytes: z.number().int(),
      meta: BundleInfoSchema,
      /** The account here after the export (status 'moved' for a move). */
      account: AccountSummarySchema,
    }),
  },
  /**
   * Moves one account to another Irish server (its POST /api/transfer:import) and marks it moved here.
   * https, or http only to a loopback address. Without a passphrase a one-time random one is used.
   */
  'transfer:export-to-server': {
    input: z
      .object({
        id: AccountIdSchema,
        url: z.string().trim().min(1, 'Give the other server\'s address.').max(2048),
        /** The other server's API token. Never logged or echoed. */
        token: z.string().trim().min(1, 'Give the other server\'s API token.').max(4096),
        passphrase: ExportPassphraseSchema.optional(),
        /** Passed on: replace an account with the same phone on the other server. */
        replace: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ account: AccountSummarySchema, remote: AccountSummarySchema }),
  },
  /** Reads a bundle's metadata without the passphrase, and names the account here with the same phone. */
  'transfer:inspect': {
    input: z.object({ bundle: BundleTextSchema }).strict(),
    output: z.object({
      meta: BundleInfoSchema,
      existing: z.object({ id: AccountIdSchema, label: z.string(), status: AccountStatusSchema }).nullable(),
    }),
  },
  /** Imports a session bundle: validated fully before anything is written; all or nothing. */
  'transfer:import': {
    input: z
      .object({
        bundle: BundleTextSchema,
        passphrase: z.string().min(1, 'Enter the passphrase the bundle was exported with.').max(1024, 'The passphrase is at most 1024 characters.'),
        /** Replace the account with the same phone here (stopping it), keeping its id. */
        replace: z.boolean().optional(),
        /** Start it after the import. Default true. */
        start: z.boolean().optional(),
        label: LabelSchema.optional(),
        /**
         * Server-to-server hand-off: hold the account as pending (not started) until the source confirms
         * with transfer:hand-off. `id` names the hand-off; `source` is the sending installation's id.
         */
        handOff: z
          .object({ id: z.string().regex(/^[0-9a-f-]{36}$/, 'A hand-off id is a UUID.'), source: z.string().min(1).max(200) })
          .strict()
          .optional(),
      })
      .strict(),
    output: AccountSummarySchema,
  },
  /** Imports a Baileys useMultiFileAuthState folder on the machine that runs the core. */
  'transfer:import-folder': {
    input: z
      .object({
        /** Absolute path on the machine running the core. */
        path: z.string().min(1, 'Give the folder\'s path.').max(4096),
        label: LabelSchema.optional(),
        replace: z.boolean().optional(),
        start: z.boolean().optional(),
      })
      .strict(),
    output: AccountSummarySchema,
  },
  /**
   * This installation's id: a server asked to export to another one checks first that it is not
   * itself. Needs the token like every command.
   */
  'transfer:identity': { input: Empty, output: z.object({ instanceId: z.string() }) },
  /**
   * The target's side of a two-phase hand-off, driven by the source: where the hand-off stands
   * (status), start the pending account (confirm), or drop it and refuse it from now on (abort).
   * Confirm and abort are idempotent, so a source that crashed can repeat them.
   */
  'transfer:hand-off': {
    input: z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, 'A hand-off id is a UUID.'), action: z.enum(['status', 'confirm', 'abort']) }).strict(),
    output: z.object({ state: z.enum(['unknown', 'pending', 'started', 'aborted']), account: AccountSummarySchema.nullable() }),
  },
  // Pairing by phone-number code
  /**
   * Pairs an account by code: starts it if needed and returns the code to type on the phone (Settings →
   * Linked devices → Link a device → Link with phone number instead). A new call gives a new code.
   */
  'accounts:pair-code': {
    input: z.object({ id: AccountIdSchema, phone: PhoneNumberSchema }).strict(),
    output: z.object({ code: z.string(), expiresAt: z.number() }),
  },
  /** Plays a person typing the account's current code on the phone. Only when a simulator runs in this process. */
  'simulator:enter-code': { input: ById, output: z.object({ jid: z.string(), lid: z.string() }) },
  /** An account's activity log, newest first (issue 11). */
  'accounts:activity': {
    input: z.object({ id: AccountIdSchema, limit: z.number().int().min(1).max(500).optional() }).strict(),
    output: z.array(ActivityEntrySchema),
  },
  /**
   * Starts, stops or logs out many accounts in one call (issue 11), a few at a time inside the core, and
   * answers one result per distinct id in the order given: a failure (an unknown id, an account already
   * running) fails only its own entry. In a fleet each id is run by the server that holds it.
   */
  'accounts:bulk': {
    input: z
      .object({
        ids: z
          .array(AccountIdSchema)
          .min(1, 'Choose at least one account.')
          .max(MAX_BULK_IDS, `At most ${MAX_BULK_IDS} accounts at once: send larger selections in parts.`),
        action: BulkActionSchema,
      })
      .strict(),
    output: z.array(BulkResultSchema),
  },
  // Issue 16: signed webhooks from a durable outbox.
  /** https, or http only to loopback; private and link-local addresses only when the operator allows them. */
  'webhooks:add': {
    input: z
      .object({
        url: z.string().trim().min(1, 'Give the address of the server that receives the webhook.').max(2048, 'A webhook address is at most 2048 characters.'),
        events: z.array(WebhookEventSchema).min(1, 'Choose at least one event.').max(WEBHOOK_EVENTS.length),
        /** Generated when absent. Returned once, here; never listed afterwards. */
        secret: z.string().min(16, 'A webhook secret is at least 16 characters.').max(256, 'A webhook secret is at most 256 characters.').optional(),
      })
      .strict(),
    output: z.object({ id: WebhookIdSchema, url: z.string(), events: z.array(WebhookEventSchema), secret: z.string() }),
  },
  'webhooks:list': { input: Empty, output: z.array(WebhookSummarySchema) },
  /** Removes the endpoint and drops its undelivered events. */
  'webhooks:remove': { input: z.object({ id: WebhookIdSchema }).strict(), output: Done },
  /** Recent deliveries, newest first. */
  'webhooks:deliveries': {
    input: z
      .object({ id: WebhookIdSchema.optional(), status: DeliveryStatusSchema.optional(), limit: z.number().int().min(1).max(500).optional() })
      .strict(),
    output: z.array(WebhookDeliverySchema),
  },
  /** Sends one delivery again, with the same delivery id, ahead of the events queued behind it. */
  'webhooks:redeliver': { input: z.object({ deliveryId: DeliveryIdSchema }).strict(), output: WebhookDeliverySchema },
  /** Queues a `webhooks:test` event for one endpoint. */
  'webhooks:test': { input: z.object({ id: WebhookIdSchema }).strict(), output: WebhookDeliverySchema },
} satisfies Record<CommandName, { input: z.ZodType; output: z.ZodType }>

export type Commands = typeof commands
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>

// ---------------------------------------------------------------------------------------------
// Events (main → UI)

export const events = {
  'accounts:changed': AccountSummarySchema,
  'accounts:removed': z.object({ id: AccountIdSchema }),
  'accounts:qr': PairingStateSchema,
  'accounts:message': ReceivedMessageSchema,
  /** About once a second: the per-second points that finished, batched; the '*' aggregate always, an
   *  account's points only while a telemetry:watch names it. */
  'telemetry:tick': z.object({ t: z.number().int(), points: z.array(SeriesPointSchema), cache: z.array(CachePointSchema) }),
  // Issue 14: the OS opened a session bundle with the desktop app (never sent by the headless server).
  /** The file's name (no folder) and its bytes; the renderer opens the import dialog with it. */
  'transfer:bundle-opened': z.object({ name: z.string().min(1).max(255), base64: z.string().min(1) }),
} satisfies Record<EventName, z.ZodType>

export type Events = typeof events
export type EventPayload<E extends EventName> = z.output<Events[E]>

/**
 * One pushed event: a union discriminated by `event`, so checking the name narrows the payload (no
 * casts). `EventMessage<'accounts:qr'>` is that one member.
 */
export type EventMessage<E extends EventName = EventName> = { [K in E]: { event: K; payload: EventPayload<K> } }[E]

// ---------------------------------------------------------------------------------------------
// The result envelope every command answers with, on both transports.

export const ErrorInfoSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() })

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

export type CommandResult<C extends CommandName> = Result<CommandOutput<C>>

/** The words a person knows a field by, for messages that do not name it themselves. */
const FIELD_NAMES: Record<string, string> = {
  id: 'Account',
  to: 'Recipient',
  text: 'Message',
  label: 'Label',
  passphrase: 'Passphrase',
  url: 'Server address',
  token: 'API token',
  bundle: 'Bundle',
  path: 'Folder',
  whatsappUrl: 'Endpoint URL',
  trustedRootKey: 'Trusted root key',
  autoStart: 'Start accounts automatically',
  limit: 'Limit',
  ids: 'Accounts',
  fileName: 'File name',
  action: 'Action',
  events: 'Events',
  secret: 'Webhook secret',
  deliveryId: 'Delivery',
}

/**
 * Makes a zod error readable by a person, without schema paths: "The message is empty.", or, when the
 * message does not name its field, "Endpoint URL: Invalid URL".
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const key = issue.path.at(-1)
      const field = typeof key === 'string' ? (FIELD_NAMES[key] ?? key) : null
      if (field === null || issue.message.toLowerCase().includes(field.toLowerCase().split(' ')[0]!)) return issue.message
      return `${field}: ${issue.message}`
    })
    .join('; ')
}

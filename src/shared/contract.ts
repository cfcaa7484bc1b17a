// The one contract between the UI and the core, and the registry of everything a command or an event
// is: its schemas and every policy decision about it (policy.ts names them), in one declaration each.
// Shared by main, renderer and the headless server: no electron, no node:*, no DOM (the sandboxed preload
// imports channels.ts alone). Both transports (Electron IPC, HTTP + WebSocket) and the CLI are generated
// from these maps, every input is parsed with its schema before the core sees it, and every list that
// used to be kept beside them (fleet forwarding, activity wording, body limits, CLI verbs, field labels,
// fleet relay, webhook events, lanes, de-duplication, event labels) is derived at the end of this file.
//
// Adding a command: its name in channels.ts, its declaration in `commands` below (the compiler asks for
// every decision), its handler in src/main/core/api/handlers.ts. Adding an event: its name in
// channels.ts and its declaration in `events`; then emit it.

import { z } from 'zod'
import type { CommandName, EventName } from './channels'
import type { ErrorInfo } from './errors'
import type { AccountId } from './ids'
import { LabelSchema } from './labels'
import { PhoneNumberSchema } from './pairing'
import { ProxyUrlSchema, redactProxyUrl } from './proxy'
import { QueueEntrySchema, SendLimitsPatchSchema } from './send-limits'
import { PasskeyCredentialSchema } from './passkey'
import { MAX_CEREMONY_TOKEN_LENGTH } from './passkey-ceremony'
import { MAX_TAGS_PER_ACCOUNT, TagSchema } from './tags'
import { MIN_PASSPHRASE_LENGTH } from './passphrase'
import { BODY_LIMIT_BYTES, command, event, roleAllows, type AnyCommandDeclaration, type AnyEventDeclaration, type Role } from './policy'
import {
  AccountHealthSchema,
  AccountIdSchema,
  AccountStatsSchema,
  AccountStatusSchema,
  AccountSummarySchema,
  ActivityEntrySchema,
  BulkActionSchema,
  BulkResultSchema,
  BundleInfoSchema,
  CachePointSchema,
  ConditionChangeSchema,
  FleetServerSchema,
  KeyCountOverviewSchema,
  LidMappingSchema,
  MessageSentSchema,
  PairingStateSchema,
  ReceivedMessageSchema,
  SendStatsSchema,
  SeriesPointSchema,
  SettingsSchema,
  SimulatorInfoSchema,
  StoreRequestSchema,
  TelemetryRangeSchema,
  TelemetryRankingSchema,
  TelemetrySeriesSchema,
  TelemetrySnapshotSchema,
  TelemetryWatchInputSchema,
  TransferModeSchema,
  AuditEntrySchema,
  BackupInfoSchema,
  NewTokenNameSchema,
  RoleSchema,
  TokenNameSchema,
  TokenSummarySchema,
  withoutMessageText,
  withoutPairingSecrets,
  type BulkAction,
} from './schemas'

export { COMMAND_NAMES, EVENT_NAMES, isCommandName, isEventName, type CommandName, type EventName } from './channels'
export * from './schemas'
export * from './send-limits'
export { ROLE_ABILITIES, ROLES, roleAllows, type Role } from './policy'

// ---------------------------------------------------------------------------------------------
// Events (main → UI). Declared first: the webhook schemas below are derived from them.

export const events = {
  'accounts:message': event({
    payload: ReceivedMessageSchema,
    account: 'account',
    repeatsBy: 'id',
    fleet: 'relay',
    webhook: true,
    label: 'Messages received',
    forViewer: withoutMessageText,
  }),
  /**
   * What became of a send, once that is final: sent (at once, or from the queue when the limits let it
   * go), failed, or cancelled from the queue (docs/proxies-and-limits.md). Never the text.
   */
  'accounts:message-sent': event({
    payload: MessageSentSchema,
    account: 'account',
    repeatsBy: 'messageId',
    fleet: 'relay',
    webhook: true,
    label: 'Messages sent (their final state)',
    forViewer: null,
  }),
  'accounts:changed': event({ payload: AccountSummarySchema, account: 'id', repeatsBy: null, fleet: 'relay', webhook: true, label: 'Account status changes', forViewer: null }),
  'accounts:removed': event({ payload: z.object({ id: AccountIdSchema }), account: 'id', repeatsBy: null, fleet: 'relay', webhook: true, label: 'Accounts removed', forViewer: null }),
  'accounts:qr': event({ payload: PairingStateSchema, account: 'id', repeatsBy: null, fleet: 'relay', webhook: true, label: 'Pairing QR codes', forViewer: withoutPairingSecrets }),
  /** A condition began, changed its code or end, or ended (docs/session-doctor.md); the activity log records each. */
  'accounts:condition': event({ payload: ConditionChangeSchema, account: 'id', repeatsBy: null, fleet: 'relay', webhook: true, label: 'Account conditions', forViewer: null }),
  /** The phone number behind a LID became known to an account (docs/session-doctor.md, "LIDs"). */
  'accounts:lid-mapping': event({
    payload: LidMappingSchema,
    account: 'account',
    repeatsBy: null,
    fleet: 'relay',
    webhook: true,
    label: 'Phone numbers found for LIDs',
    forViewer: null,
  }),
  /**
   * About once a second: the per-second points that finished, batched; the '*' aggregate always, an
   * account's points only while a telemetry:watch names it. Each server measures its own store calls.
   */
  'telemetry:tick': event({
    payload: z.object({ t: z.number().int(), points: z.array(SeriesPointSchema), cache: z.array(CachePointSchema) }),
    account: null,
    repeatsBy: null,
    fleet: 'local',
    webhook: false,
    label: 'Telemetry ticks',
    forViewer: null,
  }),
  /**
   * The OS opened a session bundle with the desktop app (never sent by the headless server): the file's
   * name (no folder) and its bytes; the renderer opens the import dialog with it.
   */
  'transfer:bundle-opened': event({
    payload: z.object({ name: z.string().min(1).max(255), base64: z.string().min(1) }),
    account: null,
    repeatsBy: null,
    fleet: 'local',
    webhook: false,
    label: 'Bundles opened',
    forViewer: null,
  }),
} satisfies Record<EventName, AnyEventDeclaration>

export type Events = typeof events
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>

/**
 * One pushed event: a union discriminated by `event`, so checking the name narrows the payload (no
 * casts). `EventMessage<'accounts:qr'>` is that one member.
 */
export type EventMessage<E extends EventName = EventName> = { [K in E]: { event: K; payload: EventPayload<K> } }[E]

// ---------------------------------------------------------------------------------------------
// Signed webhooks from a durable outbox (core/webhooks, docs/webhooks.md).

/** The events a webhook can subscribe to, in their declaration order (the form lists them so). */
export type WebhookEvent = { [E in EventName]: Events[E]['webhook'] extends true ? E : never }[EventName]
export const WEBHOOK_EVENTS = (Object.keys(events) as EventName[]).filter((name) => events[name].webhook) as [WebhookEvent, ...WebhookEvent[]]
/** The headers of every delivery: its signature (sha256=<hex HMAC-SHA256(secret, raw body)>), event name and delivery id. */
export const WEBHOOK_HEADERS = { signature: 'x-irish-signature', event: 'x-irish-event', delivery: 'x-irish-delivery' } as const
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

/**
 * A bundle's bytes, where an in-process transport carries them: the HTTP server decodes a bundle's base64
 * inside the body it received and hands the command these (server/json-body.ts), so an 86 MB string is
 * never built. No HTTP client sends them: the published API leaves this branch out (openapi.ts).
 */
export const BundleBytesSchema = z.instanceof(Uint8Array).refine((bytes) => bytes.length > 0, 'The bundle is empty: choose a session bundle file.')
/**
 * The bundle file's bytes as base64 (or as bytes, above). Its size is checked by the core
 * (payload-too-large), not here.
 */
const BundleTextSchema = z.union([z.string().min(1, 'The bundle is empty: choose a session bundle file.'), BundleBytesSchema])
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
const HandOffIdSchema = z.string().regex(/^[0-9a-f-]{36}$/, 'A hand-off id is a UUID.')

/** The most ids one accounts:bulk takes; the UI sends larger selections in several calls. */
export const MAX_BULK_IDS = 1000
/** The most audit entries one audit:list answers. */
export const MAX_AUDIT_ENTRIES = 1000
const BULK_WORDS: Record<BulkAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', logout: 'Log out', repair: 'Re-pair' }

/** A limits change in the activity log's words: "perMinute 3, perDay none". */
function describeLimits(limits: Record<string, number | null | undefined>): string {
  const parts = Object.entries(limits).filter(([, v]) => v !== undefined).map(([key, v]) => `${key} ${v === null ? 'none' : v}`)
  return parts.length > 0 ? parts.join(', ') : 'no change'
}

/** The accounts a command acts on at once: at least one, at most MAX_BULK_IDS (the UI sends more in parts). */
const SelectedAccounts = z
  .array(AccountIdSchema)
  .min(1, 'Choose at least one account.')
  .max(MAX_BULK_IDS, `At most ${MAX_BULK_IDS} accounts at once: send larger selections in parts.`)

const ACCOUNT = { id: 'Account' } as const
/** A command about one account that writes nothing to its log. */
const quiet = { activity: null, body: 'standard', cli: null, forViewer: null } as const
/**
 * simulator:scan and simulator:enter-code: the simulator in this process plays the phone for an account
 * whose QR code or linking code is in the memory of the server that runs it, and answers the linked ids.
 * With `passkey`, the phone is one that needs a passkey check (the simulator's demo authenticator holds
 * its key): the answer comes as soon as WhatsApp asks for the check, and the linking goes on.
 */
const PLAYS_THE_PHONE = {
  input: z.object({ id: AccountIdSchema, passkey: z.boolean().optional() }).strict(),
  output: z.union([z.object({ jid: z.string(), lid: z.string() }), z.object({ passkey: z.literal('required') })]),
  role: 'operator',
  fleet: { owner: 'id' },
  activity: null,
  body: 'standard',
  cli: null,
  forViewer: null,
  fields: { ...ACCOUNT, passkey: 'Phone with a passkey' },
} as const
/** The passkey commands: each acts on the check in the memory of the server that runs the account, and answers its pairing state. */
const PASSKEY_STEP = { output: PairingStateSchema, role: 'operator', fleet: { owner: 'id' }, body: 'standard', cli: null, forViewer: null } as const
/** Says `words` in the account's log, as an operator's command. */
const says = (words: string) => ({ kind: 'command', accounts: 'named', say: () => words }) as const

export const commands = {
  'accounts:list': command({
    input: Empty,
    output: z.array(AccountSummarySchema),
    role: 'viewer',
    // From the database: every server of a fleet gives the same answer.
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'list',
    forViewer: null,
    fields: {},
  }),
  'accounts:add': command({
    input: z.object({ label: LabelSchema.optional() }).strict(),
    output: AccountSummarySchema,
    role: 'operator',
    // A new account has no owner: the server asked pairs it, and so runs it.
    fleet: 'any-server',
    activity: says('Added'),
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { label: 'Label' },
  }),
  'accounts:remove': command({ input: ById, output: Done, role: 'admin', fleet: { owner: 'id' }, ...quiet, fields: ACCOUNT }),
  'accounts:logout': command({ input: ById, output: AccountSummarySchema, role: 'operator', fleet: { owner: 'id' }, activity: says('Log out'), body: 'standard', cli: null, forViewer: null, fields: ACCOUNT }),
  'accounts:start': command({
    input: z
      .object({
        id: AccountIdSchema,
        /**
         * Required to start an account marked moved, or one another client replaced (440): the operator
         * accepts the risk of two running copies.
         */
        takeBack: z.boolean().optional(),
        /**
         * Pair it again: clears its keys and shows a new QR code. Required to start an account WhatsApp
         * logged out (401) or banned (403), and one way to start a replaced one; without it such a start
         * is refused with the reason, never silently turned into a QR code that expires.
         */
        repair: z.boolean().optional(),
      })
      .strict(),
    output: AccountSummarySchema,
    role: 'operator',
    // The server still holding the account's lease starts it; with no owner, the server asked does.
    fleet: { owner: 'id' },
    activity: {
      kind: 'command',
      accounts: 'named',
      say: (input) => (input.repair ? 'Re-pair (clear the keys, new QR code)' : input.takeBack ? 'Take back (start after a move or a takeover)' : 'Start'),
    },
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { ...ACCOUNT, takeBack: 'Take back', repair: 'Re-pair' },
  }),
  'accounts:stop': command({ input: ById, output: AccountSummarySchema, role: 'operator', fleet: { owner: 'id' }, activity: says('Stop'), body: 'standard', cli: null, forViewer: null, fields: ACCOUNT }),
  'accounts:rename': command({
    input: z.object({ id: AccountIdSchema, label: LabelSchema }).strict(),
    output: AccountSummarySchema,
    role: 'operator',
    // The owner keeps the account's row in memory and announces it: a label written elsewhere would be
    // overwritten by the owner's next status change.
    fleet: { owner: 'id' },
    activity: { kind: 'command', accounts: 'named', say: (input) => `Rename to "${input.label}"` },
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { ...ACCOUNT, label: 'Label' },
  }),
  /**
   * Sends a text and waits up to 5 s for WhatsApp's answer to it (Baileys resolves before): an error 463
   * is `rate-limited` with the limit's end, no answer is `unavailable` (the socket is then checked).
   * While a reach-out limit holds, a text to a contact never written with fails at once, never queued.
   */
  'accounts:send-text': command({
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
    /**
     * 'sent': it went at once. 'queued': a limit holds it (or sends wait ahead of it); it waits in the
     * account's durable queue and goes, in order, at about `sendAt` (accounts:message-sent tells when).
     */
    output: z.object({ messageId: z.string(), state: z.enum(['sent', 'queued']), sendAt: z.number().optional() }),
    role: 'operator',
    fleet: { owner: 'id' },
    ...quiet,
    fields: { ...ACCOUNT, to: 'Recipient', text: 'Message' },
  }),
  /** The messages the account received since it started here: kept in the owner's memory. */
  'accounts:messages': command({ input: ById, output: z.array(ReceivedMessageSchema), role: 'operator', fleet: { owner: 'id' }, ...quiet, fields: ACCOUNT }),
  'accounts:health': command({ input: ById, output: AccountHealthSchema, role: 'viewer', fleet: { owner: 'id' }, ...quiet, fields: ACCOUNT }),
  /** Viewer-readable: where pairing stands, without the QR payload or the linking code (forViewer). */
  'accounts:pairing': command({
    input: ById,
    output: PairingStateSchema,
    role: 'viewer',
    fleet: { owner: 'id' },
    ...quiet,
    forViewer: withoutPairingSecrets,
    fields: ACCOUNT,
  }),
  'telemetry:snapshot': command({
    input: z.object({ account: AccountIdSchema.optional(), windowSeconds: TelemetryRangeSchema.optional() }).strict(),
    output: TelemetrySnapshotSchema,
    role: 'viewer',
    // Each server measures its own store calls.
    fleet: 'any-server',
    ...quiet,
    fields: { account: 'Account', windowSeconds: 'Time range' },
  }),
  'telemetry:series': command({
    input: z
      .object({
        account: AccountIdSchema.optional(),
        req: StoreRequestSchema.optional(),
        sinceSeconds: z.number().int().min(1).max(900).optional(),
      })
      .strict(),
    output: TelemetrySeriesSchema,
    role: 'viewer',
    fleet: 'any-server',
    ...quiet,
    fields: { account: 'Account', req: 'Request type', sinceSeconds: 'Since' },
  }),
  /** Every account with operations over the range, all request types together, for the outlier ranking. */
  'telemetry:ranking': command({
    input: z.object({ windowSeconds: TelemetryRangeSchema.optional() }).strict(),
    output: TelemetryRankingSchema,
    role: 'viewer',
    fleet: 'any-server',
    ...quiet,
    fields: { windowSeconds: 'Time range' },
  }),
  /** Key counts of every account and their totals, in one answer: no per-account polling. */
  'telemetry:key-counts': command({ input: Empty, output: KeyCountOverviewSchema, role: 'viewer', fleet: 'any-server', ...quiet, fields: {} }),
  /**
   * Which accounts' per-second points telemetry:tick carries for this client, besides the '*' aggregate
   * it always carries. A lease: renew it within `leaseSeconds`; an empty list ends it.
   */
  'telemetry:watch': command({
    input: TelemetryWatchInputSchema,
    output: z.object({ accounts: z.array(AccountIdSchema), leaseSeconds: z.number().int() }),
    role: 'viewer',
    fleet: 'any-server',
    ...quiet,
    fields: { client: 'Watch client', accounts: 'Accounts' },
  }),
  'settings:get': command({ input: Empty, output: SettingsSchema, role: 'viewer', fleet: 'any-server', ...quiet, fields: {} }),
  'settings:set': command({
    input: SettingsSchema.partial().strict(),
    output: SettingsSchema,
    role: 'admin',
    fleet: 'any-server',
    ...quiet,
    fields: {
      whatsappUrl: 'Endpoint URL',
      trustedRootKey: 'Trusted root key',
      autoStart: 'Start accounts automatically',
      staleSocketSeconds: 'Seconds without a frame before a check',
      rankingMinSamples: 'Minimum samples to rank',
      auditRetentionDays: 'Audit retention (days)',
      defaultProxy: 'Default proxy',
      defaultLimits: 'Default send limits',
      maxQueuePerAccount: 'Queue length per account',
    },
  }),
  'simulator:info': command({ input: Empty, output: SimulatorInfoSchema, role: 'viewer', fleet: 'any-server', ...quiet, fields: {} }),
  /** The servers of the fleet sharing this PostgreSQL database; empty on a single SQLite server. */
  'fleet:servers': command({ input: Empty, output: z.array(FleetServerSchema), role: 'viewer', fleet: 'any-server', ...quiet, fields: {} }),
  /** Plays the phone for an account that shows a QR code. Only when a simulator runs in this process. */
  'simulator:scan': command(PLAYS_THE_PHONE),
  /** Exports one account to a session bundle, returned as base64 for the UI to save. */
  'transfer:export': command({
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
        /** Carry the account's proxy URL, password included, inside the encrypted bundle. Default: not carried. */
        includeProxy: z.boolean().optional(),
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
    role: 'admin',
    // The snapshot is taken with the owner's socket closed and its writes landed.
    fleet: { owner: 'id' },
    activity: { kind: 'transfer', accounts: 'named', say: (input) => `Export to a file (${input.mode})` },
    body: 'standard',
    cli: 'export',
    forViewer: null,
    fields: { ...ACCOUNT, passphrase: 'Passphrase', mode: 'Mode', fileName: 'File name', includeProxy: 'Include the proxy' },
  }),
  /**
   * Moves one account to another Irish server (its POST /api/transfer:import) and marks it moved here.
   * https, or http only to a loopback address. Without a passphrase a one-time random one is used.
   */
  'transfer:export-to-server': command({
    input: z
      .object({
        id: AccountIdSchema,
        url: z.string().trim().min(1, "Give the other server's address.").max(2048),
        /** The other server's API token. Never logged or echoed. */
        token: z.string().trim().min(1, "Give the other server's API token.").max(4096),
        passphrase: ExportPassphraseSchema.optional(),
        /** Passed on: replace an account with the same phone on the other server. */
        replace: z.boolean().optional(),
        /** Carry the account's proxy to the other server (inside the encrypted bundle). Default: not carried. */
        includeProxy: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ account: AccountSummarySchema, remote: AccountSummarySchema }),
    role: 'admin',
    fleet: { owner: 'id' },
    activity: { kind: 'transfer', accounts: 'named', say: () => 'Export to another server' },
    body: 'standard',
    cli: 'export-to-server',
    forViewer: null,
    fields: { ...ACCOUNT, url: 'Server address', token: 'API token', passphrase: 'Passphrase', replace: 'Replace', includeProxy: 'Include the proxy' },
  }),
  /** Reads a bundle's metadata without the passphrase, and names the account here with the same phone. */
  'transfer:inspect': command({
    input: z.object({ bundle: BundleTextSchema }).strict(),
    output: z.object({
      meta: BundleInfoSchema,
      existing: z.object({ id: AccountIdSchema, label: z.string(), status: AccountStatusSchema }).nullable(),
      /**
       * The bundle says it holds older state of its device than this store has seen (fewer writes of its
       * credentials): the import is refused unless allowOlder. From the metadata, checked again on import.
       */
      older: z.object({ writes: z.number().int(), seen: z.number().int(), message: z.string() }).nullable(),
    }),
    role: 'admin',
    fleet: 'any-server',
    activity: null,
    body: 'bundle',
    cli: 'inspect',
    forViewer: null,
    fields: { bundle: 'Bundle' },
  }),
  /** Imports a session bundle: validated fully before anything is written; all or nothing. */
  'transfer:import': command({
    input: z
      .object({
        bundle: BundleTextSchema,
        passphrase: z.string().min(1, 'Enter the passphrase the bundle was exported with.').max(1024, 'The passphrase is at most 1024 characters.'),
        /** Replace the account with the same phone here (stopping it), keeping its id. */
        replace: z.boolean().optional(),
        /** Start it after the import. Default true. */
        start: z.boolean().optional(),
        label: LabelSchema.optional(),
        /** Import it even when it is older state than this store has seen of its device (the answer to a warning). */
        allowOlder: z.boolean().optional(),
        /**
         * Server-to-server hand-off: hold the account as pending (not started) until the source confirms
         * with transfer:hand-off. `id` names the hand-off; `source` is the sending installation's id.
         */
        handOff: z
          .object({ id: HandOffIdSchema, source: z.string().min(1).max(200) })
          .strict()
          .optional(),
      })
      .strict(),
    output: AccountSummarySchema,
    role: 'admin',
    // The account it creates or replaces is named by the bundle, not by the input.
    fleet: 'any-server',
    activity: { kind: 'transfer', accounts: 'named', say: () => 'Import from a bundle' },
    body: 'bundle',
    cli: 'import',
    forViewer: null,
    fields: { bundle: 'Bundle', passphrase: 'Passphrase', replace: 'Replace', start: 'Start', label: 'Label', allowOlder: 'Allow older state', handOff: 'Hand-off' },
  }),
  /** Imports a Baileys useMultiFileAuthState folder on the machine that runs the core. */
  'transfer:import-folder': command({
    input: z
      .object({
        /** Absolute path on the machine running the core. */
        path: z.string().min(1, "Give the folder's path.").max(4096),
        label: LabelSchema.optional(),
        replace: z.boolean().optional(),
        start: z.boolean().optional(),
      })
      .strict(),
    output: AccountSummarySchema,
    role: 'admin',
    // The folder is on the machine of the server asked.
    fleet: 'any-server',
    activity: { kind: 'transfer', accounts: 'named', say: () => 'Import from a Baileys folder' },
    body: 'standard',
    cli: 'import-folder',
    forViewer: null,
    fields: { path: 'Folder', label: 'Label', replace: 'Replace', start: 'Start' },
  }),
  /**
   * This installation's id: a server asked to export to another one checks first that it is not
   * itself. Needs the token like every command.
   */
  'transfer:identity': command({ input: Empty, output: z.object({ instanceId: z.string() }), role: 'admin', fleet: 'any-server', ...quiet, fields: {} }),
  /**
   * The target's side of a two-phase hand-off, driven by the source: where the hand-off stands
   * (status), start the pending account (confirm), drop it and refuse it from now on (abort), or drop
   * the record of a started one, which the source will never ask about again (forget). All four are
   * idempotent, so a source that crashed can repeat them.
   */
  'transfer:hand-off': command({
    input: z.object({ id: HandOffIdSchema, action: z.enum(['status', 'confirm', 'abort', 'forget']) }).strict(),
    output: z.object({ state: z.enum(['unknown', 'pending', 'started', 'aborted']), account: AccountSummarySchema.nullable() }),
    role: 'admin',
    // The hand-off is journaled by the server the bundle was sent to, which the source talks to again.
    fleet: 'any-server',
    ...quiet,
    fields: { id: 'Hand-off', action: 'Action' },
  }),
  /**
   * Pairs an account by code: starts it if needed and returns the code to type on the phone (Settings →
   * Linked devices → Link a device → Link with phone number instead). A new call gives a new code.
   */
  'accounts:pair-code': command({
    input: z.object({ id: AccountIdSchema, phone: PhoneNumberSchema }).strict(),
    output: z.object({ code: z.string(), expiresAt: z.number() }),
    role: 'operator',
    // The code is asked of WhatsApp on the socket of the server that runs the account.
    fleet: { owner: 'id' },
    ...quiet,
    fields: { ...ACCOUNT, phone: 'Phone number' },
  }),
  /** Plays a person typing the account's current code on the phone. Only when a simulator runs in this process. */
  'simulator:enter-code': command(PLAYS_THE_PHONE),
  /**
   * The passkey check WhatsApp asked for (the pairing state's `passkey`, required phase): the assertion
   * as PublicKeyCredential.toJSON() gives it. Answers once WhatsApp accepted it, with the state (the
   * confirm phase and its code, unless WhatsApp is slower than a few seconds to continue). A refused
   * answer names the check that failed; nothing is linked and a new scan or code starts again.
   */
  'accounts:passkey-response': command({
    input: z
      .object({
        id: AccountIdSchema,
        credential: PasskeyCredentialSchema,
        /**
         * Set by the ceremony routes (POST /api/passkey-ceremony/<token>) and the desktop ceremony window:
         * the answer is accepted only with the current link's token, and that token is then spent.
         */
        ceremonyToken: z.string().max(MAX_CEREMONY_TOKEN_LENGTH, 'The ceremony token is too long.').optional(),
      })
      .strict(),
    ...PASSKEY_STEP,
    activity: says('Answer the passkey check'),
    fields: { ...ACCOUNT, credential: 'Passkey answer', ceremonyToken: 'Ceremony link' },
  }),
  /** The person saw the same code on the phone: linking goes on (the app never does this by itself). */
  'accounts:passkey-confirm': command({ input: ById, ...PASSKEY_STEP, activity: says('Confirm the passkey code matches the phone'), fields: ACCOUNT }),
  /** Drops the passkey check: nothing is linked; a new scan or code starts again. */
  'accounts:passkey-cancel': command({ input: ById, ...PASSKEY_STEP, activity: says('Cancel the passkey check'), fields: ACCOUNT }),
  /**
   * Plays the person's authenticator for the account's passkey check, with the key the simulator's demo
   * authenticator holds for it. Only when a simulator runs in this process.
   */
  'simulator:authenticate': command({ input: ById, ...PASSKEY_STEP, activity: says('Answer the passkey check (simulated authenticator)'), fields: ACCOUNT }),
  /** An account's activity log, newest first. */
  'accounts:activity': command({
    input: z.object({ id: AccountIdSchema, limit: z.number().int().min(1).max(500).optional() }).strict(),
    output: z.array(ActivityEntrySchema),
    role: 'viewer',
    // Kept in the database, the fleet's shared one in a fleet.
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'activity',
    forViewer: null,
    fields: { ...ACCOUNT, limit: 'Limit' },
  }),
  /**
   * Starts, stops, restarts, logs out or re-pairs many accounts in one call, a few at a time inside the
   * core, and answers one result per distinct id in the order given: a failure (an unknown id, an account
   * already running) fails only its own entry. In a fleet each id is run by the server that holds it.
   */
  'accounts:bulk': command({
    input: z
      .object({
        ids: SelectedAccounts,
        action: BulkActionSchema,
        /**
         * One account's own action (a row's menu), said as such in its log. Said by the caller, not read
         * from the number of ids: a fleet splits a selection by owner, and a UI sends it in parts.
         */
        alone: z.boolean().optional(),
      })
      .strict(),
    output: z.array(BulkResultSchema),
    role: 'operator',
    fleet: { owners: 'ids' },
    activity: { kind: 'command', accounts: 'results', say: (input) => (input.alone ? BULK_WORDS[input.action] : `${BULK_WORDS[input.action]} (with other selected accounts)`) },
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { ids: 'Accounts', action: 'Action', alone: 'One account on its own' },
  }),
  /**
   * Adds and removes tags on many accounts at once (removals first; case does not matter), and answers
   * per account with the account after the change, as accounts:bulk does. In a fleet, each owner writes
   * its own accounts' rows, as for a rename.
   */
  'accounts:tag': command({
    input: z
      .object({
        ids: SelectedAccounts,
        add: z.array(TagSchema).max(MAX_TAGS_PER_ACCOUNT, `Add at most ${MAX_TAGS_PER_ACCOUNT} tags at once.`).optional(),
        remove: z.array(TagSchema).max(100, 'Remove at most 100 tags at once.').optional(),
      })
      .strict()
      .refine((input) => (input.add?.length ?? 0) + (input.remove?.length ?? 0) > 0, 'Give at least one tag to add or remove.'),
    output: z.array(BulkResultSchema),
    role: 'operator',
    fleet: { owners: 'ids' },
    activity: {
      kind: 'command',
      accounts: 'results',
      say: (input) => ['Tags:', ...(input.add ?? []).map((tag) => `+${tag}`), ...(input.remove ?? []).map((tag) => `−${tag}`)].join(' '),
    },
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { ids: 'Accounts', add: 'Tags to add', remove: 'Tags to remove' },
  }),
  /**
   * For the accounts table's columns: per account, its last text's time, its texts in the last 24 hours
   * and its failed webhook deliveries. The counts live in the memory of the server that runs each
   * account, so in a fleet each owner answers for its own.
   */
  'accounts:stats': command({
    input: z
      .object({
        ids: z
          .array(AccountIdSchema)
          .min(1, 'Choose at least one account.')
          .max(MAX_BULK_IDS, `At most ${MAX_BULK_IDS} accounts at once: send larger lists in parts.`),
      })
      .strict(),
    output: z.array(AccountStatsSchema),
    role: 'viewer',
    fleet: { owners: 'ids' },
    ...quiet,
    fields: { ids: 'Accounts' },
  }),
  /**
   * Sets or clears (null) the proxy of many accounts (docs/proxies-and-limits.md), answered per account.
   * It applies on each account's next connect; with `reconnect`, a running account reconnects now (a
   * scheduled retry is cancelled). Never a fallback to a direct connection: a proxy that fails keeps the
   * account down with the condition proxy-unreachable.
   */
  'accounts:set-proxy': command({
    input: z
      .object({
        ids: SelectedAccounts,
        /** http:// (HTTP CONNECT), socks5:// or socks5h://, with optional user:password@; null connects directly. */
        url: ProxyUrlSchema.nullable(),
        reconnect: z.boolean().optional(),
      })
      .strict(),
    output: z.array(BulkResultSchema),
    role: 'admin',
    // The owner reads the proxy at its next connect and reconnects the socket it runs.
    fleet: { owners: 'ids' },
    activity: {
      kind: 'command',
      accounts: 'results',
      // Shown without its password, as everywhere outside the core.
      say: (input) => (input.url === null ? 'Clear the proxy (connect directly)' : `Set the proxy to ${redactProxyUrl(input.url)}`) + (input.reconnect ? ', reconnect now' : ''),
    },
    body: 'standard',
    cli: null,
    // The shown form of a proxy already holds its password back as ***.
    forViewer: null,
    fields: { ids: 'Accounts', url: 'Proxy URL', reconnect: 'Reconnect now' },
  }),
  /**
   * Sets the send limits of many accounts (docs/proxies-and-limits.md), answered per account: a number
   * sets a limit, null removes it, a key left out keeps what is set. What waits is planned again at once.
   */
  'accounts:set-limits': command({
    input: z
      .object({
        ids: SelectedAccounts,
        limits: SendLimitsPatchSchema,
      })
      .strict(),
    output: z.array(BulkResultSchema),
    role: 'operator',
    // The owner keeps the row in memory and plans its queue by these limits.
    fleet: { owners: 'ids' },
    activity: { kind: 'command', accounts: 'results', say: (input) => `Set send limits (${describeLimits(input.limits)})` },
    body: 'standard',
    cli: null,
    forViewer: null,
    // Each limit's own message names it ("The messages per minute is at least 1").
    fields: { ids: 'Accounts', limits: 'Limits' },
  }),
  /** The account's send queue, in sending order, each with when it is expected to go. */
  'accounts:queue': command({ input: ById, output: z.array(QueueEntrySchema), role: 'operator', fleet: { owner: 'id' }, ...quiet, fields: ACCOUNT }),
  /** Removes waiting sends from the account's queue, all or none: one that already went is a conflict naming it. */
  'accounts:queue-cancel': command({
    input: z
      .object({
        id: AccountIdSchema,
        messageIds: z.array(z.string().min(1).max(128)).min(1, 'Choose at least one queued message.').max(MAX_BULK_IDS, `At most ${MAX_BULK_IDS} messages at once.`),
      })
      .strict(),
    output: z.object({ cancelled: z.number().int() }),
    role: 'operator',
    fleet: { owner: 'id' },
    activity: { kind: 'command', accounts: 'named', say: (input) => `Cancel ${input.messageIds.length} queued ${input.messageIds.length === 1 ? 'send' : 'sends'}` },
    body: 'standard',
    cli: null,
    forViewer: null,
    fields: { ...ACCOUNT, messageIds: 'Queued messages' },
  }),
  /** Every account's queue length, sends in the last 24 hours and the limit holding its queue (the accounts table). */
  'accounts:send-stats': command({ input: Empty, output: z.array(SendStatsSchema), role: 'viewer', fleet: 'any-server', ...quiet, fields: {} }),
  /** https, or http only to loopback; private and link-local addresses only when the operator allows them. */
  'webhooks:add': command({
    input: z
      .object({
        url: z.string().trim().min(1, 'Give the address of the server that receives the webhook.').max(2048, 'A webhook address is at most 2048 characters.'),
        events: z.array(WebhookEventSchema).min(1, 'Choose at least one event.').max(WEBHOOK_EVENTS.length),
        /** Generated when absent. Returned once, here; never listed afterwards. */
        secret: z.string().min(16, 'A webhook secret is at least 16 characters.').max(256, 'A webhook secret is at most 256 characters.').optional(),
      })
      .strict(),
    output: z.object({ id: WebhookIdSchema, url: z.string(), events: z.array(WebhookEventSchema), secret: z.string() }),
    role: 'admin',
    // The endpoints and their outbox live in the database; every server delivers from it.
    fleet: 'any-server',
    ...quiet,
    fields: { url: 'Server address', events: 'Events', secret: 'Webhook secret' },
  }),
  'webhooks:list': command({ input: Empty, output: z.array(WebhookSummarySchema), role: 'admin', fleet: 'any-server', ...quiet, fields: {} }),
  /** Removes the endpoint and drops its undelivered events. */
  'webhooks:remove': command({ input: z.object({ id: WebhookIdSchema }).strict(), output: Done, role: 'admin', fleet: 'any-server', ...quiet, fields: { id: 'Webhook' } }),
  /** Recent deliveries, newest first. */
  'webhooks:deliveries': command({
    input: z
      .object({ id: WebhookIdSchema.optional(), status: DeliveryStatusSchema.optional(), limit: z.number().int().min(1).max(500).optional() })
      .strict(),
    output: z.array(WebhookDeliverySchema),
    role: 'admin',
    fleet: 'any-server',
    ...quiet,
    fields: { id: 'Webhook', status: 'Status', limit: 'Limit' },
  }),
  /** Sends one delivery again, with the same delivery id, ahead of the events queued behind it. */
  'webhooks:redeliver': command({
    input: z.object({ deliveryId: DeliveryIdSchema }).strict(),
    output: WebhookDeliverySchema,
    role: 'admin',
    fleet: 'any-server',
    ...quiet,
    fields: { deliveryId: 'Delivery' },
  }),
  /** Queues a `webhooks:test` event for one endpoint. */
  'webhooks:test': command({ input: z.object({ id: WebhookIdSchema }).strict(), output: WebhookDeliverySchema, role: 'admin', fleet: 'any-server', ...quiet, fields: { id: 'Webhook' } }),
  /**
   * A new named token with a role, limited to some accounts or not. The answer is the only time the
   * token is shown: only its hash is kept. An admin token is never limited (it changes what every
   * account shares: settings, webhooks, tokens).
   */
  'tokens:add': command({
    input: z
      .object({
        name: NewTokenNameSchema,
        role: RoleSchema,
        accounts: z
          .array(AccountIdSchema)
          .min(1, 'Name at least one account, or leave the accounts out for a token that sees every account.')
          .max(MAX_BULK_IDS, `A token names at most ${MAX_BULK_IDS} accounts.`)
          .optional(),
      })
      .strict()
      .refine((input) => !(input.role === 'admin' && input.accounts), {
        message: 'An admin token sees every account (it changes settings, webhooks and tokens, which all accounts share): leave the accounts out, or choose operator or viewer.',
        path: ['accounts'],
      }),
    output: z.object({ name: z.string(), role: RoleSchema, accounts: z.array(AccountIdSchema).nullable(), token: z.string() }),
    role: 'admin',
    // Kept in the database: the fleet's shared one in a fleet, so every server accepts it.
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'tokens add',
    forViewer: null,
    fields: { name: 'Token name', role: 'Role', accounts: 'Accounts' },
  }),
  /** Every token, the built-in one first: names, roles and accounts, never a secret. */
  'tokens:list': command({
    input: Empty,
    output: z.array(TokenSummarySchema),
    role: 'admin',
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'tokens list',
    forViewer: null,
    fields: {},
  }),
  /** Revokes a token: refused from then on by every server of a fleet (within a second), its open event streams closed. */
  'tokens:revoke': command({
    input: z.object({ name: TokenNameSchema }).strict(),
    output: Done,
    role: 'admin',
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'tokens revoke',
    forViewer: null,
    fields: { name: 'Token name' },
  }),
  /** Who the caller is: its token's name, role and accounts (the UI shows what that role may do). */
  'tokens:whoami': command({
    input: Empty,
    output: z.object({ name: z.string(), role: RoleSchema, accounts: z.array(AccountIdSchema).nullable() }),
    role: 'viewer',
    fleet: 'any-server',
    ...quiet,
    fields: {},
  }),
  /** The audit trail, newest first: every command that answered, who asked, and how it ended. */
  'audit:list': command({
    input: z
      .object({
        /** Epoch milliseconds: entries at or after. */
        since: z.number().int().min(0).optional(),
        /** Epoch milliseconds: entries before. */
        until: z.number().int().min(0).optional(),
        actor: z.string().min(1).max(64).optional(),
        command: z.string().min(1).max(64).optional(),
        limit: z.number().int().min(1, 'Ask for at least one entry.').max(MAX_AUDIT_ENTRIES, `At most ${MAX_AUDIT_ENTRIES} entries at once: narrow the time range for more.`),
      })
      .strict(),
    output: z.array(AuditEntrySchema),
    role: 'admin',
    // Kept in the database, the fleet's shared one in a fleet.
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'audit',
    forViewer: null,
    fields: { since: 'Since', until: 'Until', actor: 'Actor', command: 'Command', limit: 'Limit' },
  }),
  /**
   * Writes a consistent copy of this server's SQLite store to a file on the server's machine (SQLite's
   * online backup API; accounts keep running). Values stay sealed; the answer names the data key a
   * restore needs. A fleet's PostgreSQL is backed up with pg_dump instead (docs/security.md).
   */
  'store:backup': command({
    input: z
      .object({
        /** An absolute path on the machine that runs the server; never overwritten. */
        path: z.string().min(1, 'Give the path of the backup file.').max(4096),
      })
      .strict(),
    output: BackupInfoSchema,
    role: 'admin',
    // The file is written on the machine of the server asked.
    fleet: 'any-server',
    activity: null,
    body: 'standard',
    cli: 'backup',
    forViewer: null,
    fields: { path: 'Backup file' },
  }),
} satisfies Record<CommandName, AnyCommandDeclaration>

export type Commands = typeof commands
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>

// ---------------------------------------------------------------------------------------------
// The result envelope every command answers with, on both transports.

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

export type CommandResult<C extends CommandName> = Result<CommandOutput<C>>

// ---------------------------------------------------------------------------------------------
// Derived from the declarations: every list the transports, the fleet, the activity log, the CLI and
// the UI read. Nothing here is decided; it is only looked up.

const COMMAND_LIST = Object.keys(commands) as CommandName[]
const EVENT_LIST = Object.keys(events) as EventName[]

/** Who may ask for a command. */
export function roleOf(command: CommandName): Role {
  return commands[command].role
}

/**
 * Whether a command's answer waits for the rows it changed to land in the database. Every command a
 * viewer may not run can change something; a viewer's reads need not wait behind the writes queued
 * meanwhile (a mass reconnect's status changes, on PostgreSQL).
 */
export function answerAwaitsWrites(command: CommandName): boolean {
  return commands[command].role !== 'viewer'
}

/** Whether a command's declared role lets a caller holding `held` run it. */
export function mayRun(held: Role, command: CommandName): boolean {
  return roleAllows(held, commands[command].role)
}

/** The schema under `.optional()` and `.nullable()`: what a field is when it is there. */
function present(schema: z.ZodType): z.ZodType {
  let inner = schema
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType
  return inner
}

function inputShape(command: CommandName): Record<string, z.ZodType> {
  const input: z.ZodType = commands[command].input
  return input instanceof z.ZodObject ? (input.shape as Record<string, z.ZodType>) : {}
}

/**
 * The input fields of a command that name accounts, read off its schema: `one` holds an account id
 * (AccountIdSchema), `many` a list of them. An account-limited token is checked against exactly these,
 * and the audit trail records them.
 */
export const ACCOUNT_FIELDS: ReadonlyMap<CommandName, { one: readonly string[]; many: readonly string[] }> = new Map(
  COMMAND_LIST.map((name) => {
    const shape = inputShape(name)
    const one = Object.keys(shape).filter((key) => present(shape[key]!) === AccountIdSchema)
    const many = Object.keys(shape).filter((key) => {
      const field = present(shape[key]!)
      return field instanceof z.ZodArray && field.element === AccountIdSchema
    })
    return [name, { one, many }] as const
  }),
)

/**
 * The schemas of the names and ids besides accounts that the audit trail may keep from an input: a
 * token's name, a webhook, a delivery, a hand-off. Nothing else of an input is ever recorded.
 */
const SUBJECT_SCHEMAS: readonly z.ZodType[] = [TokenNameSchema, NewTokenNameSchema, WebhookIdSchema, DeliveryIdSchema, HandOffIdSchema]
export const SUBJECT_FIELDS: ReadonlyMap<CommandName, readonly string[]> = new Map(
  COMMAND_LIST.map((name) => {
    const shape = inputShape(name)
    return [name, Object.keys(shape).filter((key) => SUBJECT_SCHEMAS.includes(present(shape[key]!)))] as const
  }),
)

/** What a viewer is shown of a command's answer. */
export function forViewerOf(command: CommandName): ((value: unknown) => unknown) | null {
  return commands[command].forViewer as ((value: unknown) => unknown) | null
}

/** What a viewer's event stream carries of an event. */
export function eventForViewer(event: EventName): ((payload: unknown) => unknown) | null {
  return events[event].forViewer as ((payload: unknown) => unknown) | null
}

/** How a fleet routes a command: the input field naming its account(s), or null when any server answers. */
export function ownerRouting(command: CommandName): { field: string; many: boolean } | null {
  const fleet: AnyCommandDeclaration['fleet'] = commands[command].fleet
  if (fleet === 'any-server') return null
  return 'owner' in fleet ? { field: fleet.owner, many: false } : { field: fleet.owners, many: true }
}

/** The commands a server that does not run the account forwards to the one that does. */
export type OwnerBoundCommand = { [C in CommandName]: Commands[C]['fleet'] extends 'any-server' ? never : C }[CommandName]
export const OWNER_BOUND_COMMANDS = COMMAND_LIST.filter((name): name is OwnerBoundCommand => ownerRouting(name) !== null)

/** What a command writes into the activity log, or null. */
export function activityOf(command: CommandName): { kind: 'command' | 'transfer'; accounts: 'named' | 'results'; say: (input: unknown) => string } | null {
  // The dispatcher hands `say` the input its schema parsed, so the declaration's own type holds.
  return commands[command].activity as ReturnType<typeof activityOf>
}

/** For the HTTP server: the commands allowed a body larger than the standard one, with their limit. */
export const LARGE_BODY_COMMANDS: ReadonlyMap<CommandName, number> = new Map(
  COMMAND_LIST.filter((name) => commands[name].body !== 'standard').map((name) => [name, BODY_LIMIT_BYTES[commands[name].body]]),
)

/**
 * For the HTTP server: per command with a 'bundle' body, the field that carries the bundle as base64; it
 * reaches the command as bytes (BundleBytesSchema), decoded inside the body's buffer (server/json-body.ts).
 */
export const BASE64_FIELDS: ReadonlyMap<CommandName, string> = new Map(
  COMMAND_LIST.filter((name) => commands[name].body === 'bundle').map((name) => [name, 'bundle']),
)

/** The irish CLI's verbs, each with the command it runs. */
export type CliVerb = { [C in CommandName]: Commands[C]['cli'] }[CommandName] & string
export const CLI_VERBS: ReadonlyMap<CliVerb, CommandName> = new Map(
  COMMAND_LIST.flatMap((name) => {
    const verb = commands[name].cli as CliVerb | null
    return verb === null ? [] : [[verb, name] as const]
  }),
)

/** The events every server of a fleet carries on its stream. */
export const RELAYED_EVENTS: ReadonlySet<EventName> = new Set(EVENT_LIST.filter((name) => events[name].fleet === 'relay'))

/** The account an event is about (its webhook ordering lane), or null when it is about none. */
export function accountOf(event: EventName, payload: unknown): AccountId | null {
  const field: string | null = events[event].account
  if (field === null) return null
  const value = (payload as Record<string, unknown> | null)?.[field]
  return typeof value === 'string' ? (value as AccountId) : null
}

/**
 * What makes this event the same as one reported before (the account and the repeat key, joined), or
 * null when every report of it is news (see EventDeclaration.repeatsBy).
 */
export function repeatKeyOf(event: EventName, payload: unknown): { account: AccountId; key: string } | null {
  const field: string | null = events[event].repeatsBy
  if (field === null) return null
  const account = accountOf(event, payload)
  const value = (payload as Record<string, unknown> | null)?.[field]
  return account !== null && typeof value === 'string' && value !== '' ? { account, key: value } : null
}

/** What a person calls a stream of these events. */
export function eventLabel(event: EventName): string {
  return events[event].label
}

/**
 * Makes a zod error readable by a person, without schema paths: "The message is empty.", or, when the
 * message does not name its field, "Endpoint URL: Invalid URL". `command` names the labels to use.
 */
export function describeZodError(error: z.ZodError, command: CommandName): string {
  const labels: Readonly<Record<string, string>> = commands[command].fields
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const key = issue.path.at(-1)
      const field = typeof key === 'string' ? (Object.hasOwn(labels, key) ? labels[key]! : key) : null
      if (field === null || issue.message.toLowerCase().includes(field.toLowerCase().split(' ')[0]!)) return issue.message
      return `${field}: ${issue.message}`
    })
    .join('; ')
}

// The domain types the contract speaks: accounts, pairing, messages, telemetry, settings, bundles,
// activity, bulk results and fleet servers, each a zod schema with its inferred type under one name.
// Shared by every process: no electron, no node:*, no DOM. The commands and events that carry them are
// declared in contract.ts, which re-exports everything here.

import { z } from 'zod'
import { ACCOUNT_ID_PATTERN } from './ids'
import { ERROR_CODES } from './errors'
import { PairingMethodSchema } from './pairing'
import { ProxyUrlSchema } from './proxy'
import { FINAL_SEND_STATES, LIMIT_KEYS, SendLimitsSchema } from './send-limits'
import { PasskeyPairingSchema } from './passkey'
import { ROLES } from './policy'


export const AccountIdSchema = z
  .string()
  .regex(ACCOUNT_ID_PATTERN, 'An account id is 1 to 64 lower-case letters, digits or dashes.')
  .brand<'AccountId'>()

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
   * or handed it over, and another server of the fleet is taking it over (docs/fleet.md).
   */
  'moving',
] as const
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES)
export type AccountStatus = z.infer<typeof AccountStatusSchema>

export const MovedToSchema = z.object({ target: z.string(), at: z.number() })

/**
 * What is wrong with an account, in words a person can act on (docs/session-doctor.md). One list for
 * every place that names a condition: the doctor that sets them (src/main/core/doctor), the UI that
 * groups them, the metrics. The order is the order of urgency the Needs attention view lists them in.
 */
export const CONDITION_CODES = [
  /** WhatsApp said 401: the device was unlinked; only a new pairing brings it back. */
  'logged-out',
  /** WhatsApp said 403: the number is banned or refused; never retried. */
  'banned',
  /** WhatsApp said 440: another client took over this session; never retried. */
  'replaced',
  /** Connecting or keeping the connection timed out (408 and network errors); retried with backoff. */
  'unreachable',
  /** WhatsApp answered 500 or 503; retried with backoff. */
  'server-error',
  /** The socket stayed open but carried nothing: the app reconnected it. */
  'stale-socket',
  /** Messages failed to decrypt (Bad MAC, no session) past a threshold, or one still waits for its resend. */
  'decrypt-failures',
  /** WhatsApp refuses messages to new contacts (error 463) until a time. */
  'reach-out-limited',
  /** Nobody scanned the QR code or typed the code in time. */
  'pairing-expired',
  /** Linking waits for a passkey check on the operator's side. */
  'passkey-required',
  /**
   * The account's proxy refused or could not be reached; never falls back to a direct connection
   * (docs/proxies-and-limits.md).
   */
  'proxy-unreachable',
] as const
export const ConditionCodeSchema = z.enum(CONDITION_CODES)
export type ConditionCode = z.infer<typeof ConditionCodeSchema>

export const AccountConditionSchema = z.object({
  code: ConditionCodeSchema,
  /** A few words: "Logged out", "Banned by WhatsApp". */
  title: z.string(),
  /** What happened, with the specifics (a code, a count, a host). */
  detail: z.string(),
  /** What the operator can do about it. */
  remedy: z.string(),
  /** When the condition began. Epoch milliseconds. */
  since: z.number(),
  /** Where the condition ends by itself (a reach-out limit), when it does. Epoch milliseconds. */
  until: z.number().nullable(),
  /** What the app is already doing about it ("Reconnecting in 8 s"), or null when it does nothing. */
  automatic: z.string().nullable(),
})
export type AccountCondition = z.infer<typeof AccountConditionSchema>

/** An account's condition began, changed its code or end, or ended (the `accounts:condition` event). */
export const ConditionChangeSchema = z.object({
  id: AccountIdSchema,
  /** The condition now, or null when it ended. */
  condition: AccountConditionSchema.nullable(),
  /** The code before the change, or null when there was none. */
  previous: ConditionCodeSchema.nullable(),
})
export type ConditionChange = z.infer<typeof ConditionChangeSchema>

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
  /**
   * What is wrong with the account, or null when nothing is (docs/session-doctor.md); absent from older
   * servers, so null then.
   */
  condition: AccountConditionSchema.nullable().default(null),
  /**
   * The proxy the account connects through, its password shown as *** (docs/proxies-and-limits.md), or
   * null when it connects directly. A change applies on the next connect.
   */
  proxy: z.string().nullable(),
  /** The send limits that apply to the account (docs/proxies-and-limits.md): over one, a send is queued. */
  limits: SendLimitsSchema,
  /** The operator's free labels for finding accounts again (src/shared/tags.ts); absent from older servers, so empty then. */
  tags: z.array(z.string()).default([]),
})
export type AccountSummary = z.infer<typeof AccountSummarySchema>

export const KeyCountsSchema = z.record(z.string(), z.number().int())
export type KeyCounts = z.infer<typeof KeyCountsSchema>

/**
 * What the doctor counted for one account since it started on the server that runs it (memory only):
 * decryption failures, the senders they came from, sends WhatsApp or the app refused, stale sockets.
 */
export const DoctorCountsSchema = z.object({
  /** Messages that arrived undecryptable (Bad MAC, no matching session). */
  decryptFailures: z.number().int(),
  /** Of those, the ones whose resend arrived and decrypted. */
  decryptRecovered: z.number().int(),
  /** Of those, the ones still waiting for their resend. */
  decryptWaiting: z.number().int(),
  /** Signal sessions reset because one sender's messages kept failing. */
  sessionResets: z.number().int(),
  /** The senders whose messages failed most, worst first (at most 5): a phone "+…" or a LID "…@lid". */
  failingSenders: z.array(z.object({ sender: z.string(), failures: z.number().int() })),
  /** Sends refused: by WhatsApp (error 463), or at once by the app while a reach-out limit holds. */
  sendRefusals: z.number().int(),
  /** Sockets the app found stale (open, carrying nothing) and reconnected. */
  staleReconnects: z.number().int(),
  /** Liveness pings sent after a quiet spell that WhatsApp answered: the socket was idle, not dead. */
  pingsAnswered: z.number().int(),
})
export type DoctorCounts = z.infer<typeof DoctorCountsSchema>

export const AccountHealthSchema = AccountSummarySchema.extend({
  keyCounts: KeyCountsSchema,
  /** Set while the account waits for the next reconnect attempt. Epoch milliseconds. */
  nextRetryAt: z.number().nullable(),
  doctor: DoctorCountsSchema,
})
export type AccountHealth = z.infer<typeof AccountHealthSchema>

export const PairingStateSchema = z.object({
  id: AccountIdSchema,
  /** The current QR payload, or null when none is showing. */
  qr: z.string().nullable(),
  /** When the current QR (or passkey check) stops being valid. Epoch milliseconds. */
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
  /**
   * The passkey check WhatsApp asked for after the scan or the code, or null when none is under way.
   * While one is, `method` is 'passkey', `qr` and `code` are null, and `expiresAt` is when the check
   * must be done by (the same as `passkey.expiresAt` in the required phase).
   */
  passkey: PasskeyPairingSchema.nullable(),
  /** Why the last passkey check ended without linking (it failed), until a new one starts or the account links. */
  passkeyError: z.string().nullable(),
})
export type PairingState = z.infer<typeof PairingStateSchema>

/**
 * A viewer's copy of a pairing state: a QR payload or a linking code would let its holder link a device,
 * and a passkey check's ceremony link (a single-use token) would let its holder answer the check.
 */
export function withoutPairingSecrets(state: PairingState): PairingState {
  const passkey = state.passkey?.phase === 'required' ? { ...state.passkey, ceremonyUrl: '' } : state.passkey
  return { ...state, qr: null, code: null, passkey }
}

export const ReceivedMessageSchema = z.object({
  account: AccountIdSchema,
  id: z.string(),
  /** The chat's jid as it was received: a phone-number jid, or a LID (`…@lid`) when WhatsApp hid the number. */
  from: z.string(),
  /** The sender's phone number in E.164 (`+15551234567`), once known; null while only its LID is. */
  fromPhone: z.string().nullable(),
  /** The sender's LID (`…@lid`), once known; null when WhatsApp never named one. */
  fromLid: z.string().nullable(),
  text: z.string(),
  /** Epoch milliseconds: when WhatsApp took the message (a message resent after a decryption failure keeps its first time). */
  at: z.number(),
})
export type ReceivedMessage = z.infer<typeof ReceivedMessageSchema>

/**
 * An account learned which phone number a LID stands for (`accounts:lid-mapping`): from then on its
 * messages from that LID carry the phone, and the page shows it on those already listed.
 */
export const LidMappingSchema = z.object({
  account: AccountIdSchema,
  /** `…@lid`. */
  lid: z.string(),
  /** E.164: `+15551234567`. */
  phone: z.string(),
})
export type LidMapping = z.infer<typeof LidMappingSchema>

/** A viewer's copy of a received message: that one arrived, from whom and when, but not what it says. */
export function withoutMessageText(message: ReceivedMessage): ReceivedMessage {
  return { ...message, text: '' }
}

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
  /**
   * How late this server's event loop ran over the same window (samples every 20 ms; count = samples).
   * Process-wide, whatever the account: a slow loop delays every store call's caller, but the store's
   * latencies above time the store's own work, so the two tell a slow loop from a slow store.
   */
  loopDelay: LatencyStatsSchema,
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

// Telemetry at scale: ranking, key counts of every account in one answer, and the watch
// that decides which accounts' series the ticks carry.
/** The time ranges a telemetry view offers: 1, 5 and 15 minutes. */
export const TELEMETRY_RANGES = [60, 300, 900] as const
export const TelemetryRangeSchema = z.union([z.literal(60), z.literal(300), z.literal(900)])
export type TelemetryRange = z.infer<typeof TelemetryRangeSchema>

export const RankingRowSchema = LatencyStatsSchema.extend({
  account: AccountIdSchema,
  /** count / windowSeconds. */
  opsPerSecond: z.number(),
  /** Messages that failed to decrypt within the window (docs/session-doctor.md). */
  decryptFailures: z.number().int(),
})
export type RankingRow = z.infer<typeof RankingRowSchema>

export const TelemetryRankingSchema = z.object({
  windowSeconds: z.number().int(),
  /** Every account with operations or decryption failures in the window, all request types together; the caller sorts. */
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
  /**
   * Seconds without a frame from WhatsApp before a connected socket is probed with a ping (which waits
   * at most 5 s); no answer reconnects it (docs/session-doctor.md, "Stale sockets"). Applies to
   * running accounts at once.
   */
  staleSocketSeconds: z
    .number({ message: 'Give a number of seconds.' })
    .int('Give a whole number of seconds.')
    .min(5, 'At least 5 seconds: shorter would ping idle accounts all the time.')
    .max(600, 'At most 600 seconds (10 minutes).'),
  /**
   * The proxy a new account connects through (docs/proxies-and-limits.md), or null for none. Sealed at
   * rest; shown with its password as ***, and that shown form given back keeps the stored URL.
   */
  defaultProxy: ProxyUrlSchema.nullable(),
  /** The send limits a new account gets (docs/proxies-and-limits.md); existing accounts keep theirs. */
  defaultLimits: SendLimitsSchema,
  /** The most sends one account's queue holds; past it a send is refused with rate-limited. */
  maxQueuePerAccount: z
    .number({ message: 'Give the queue length as a number.' })
    .int('Give the queue length as a whole number.')
    .min(1, 'A queue holds at least 1 send.')
    .max(100_000, 'A queue holds at most 100,000 sends per account.'),
  /**
   * The telemetry ranking leaves out accounts with fewer store operations than this in its range: a
   * p99 over a handful of samples is one slow write during pairing, not a slow account.
   */
  rankingMinSamples: z
    .number({ error: 'The minimum number of samples is a whole number.' })
    .int('The minimum number of samples is a whole number.')
    .min(1, 'The minimum number of samples is at least 1.')
    .max(1_000_000, 'The minimum number of samples is at most 1,000,000.'),
  /** Days the audit trail keeps an entry (docs/security.md, "Audit trail"). */
  auditRetentionDays: z
    .number()
    .int('The audit retention is a whole number of days.')
    .min(1, 'The audit trail keeps entries for at least 1 day.')
    .max(3650, 'The audit trail keeps entries for at most 3650 days (ten years).'),
})
export type Settings = z.infer<typeof SettingsSchema>

export const SimulatorInfoSchema = z.object({
  /** True when this process trusts a simulator instead of real WhatsApp. */
  trusted: z.boolean(),
  url: z.string().nullable(),
  /** The simulator's admin API, when this server can play its phone (its own, or IRISH_SIMULATOR_ADMIN). */
  admin: z.string().nullable(),
  /** Set while the simulator cannot be reached: since when (epoch ms) and the system error. */
  down: z.object({ since: z.number(), reason: z.string() }).nullable(),
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
  /** The account's id where it was exported (an import keeps it), or null in bundles written before ids travelled. */
  accountId: z.string().nullable(),
  /** How many times its credentials had been written, or null in older bundles (docs/bundle-format.md). */
  writes: z.number().int().nullable(),
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

// Each account's activity log, and who asked for what.

/** Who asked: the app's own UI (IPC or the browser page), the HTTP API, the irish CLI, or the core itself. */
export const ACTIVITY_ACTORS = ['ui', 'api', 'cli', 'system'] as const
export const ActivityActorSchema = z.enum(ACTIVITY_ACTORS)
export type ActivityActor = z.infer<typeof ActivityActorSchema>

/** `condition`: a condition began, changed or ended (docs/session-doctor.md); the account page lists these as its history. */
export const ACTIVITY_KINDS = ['status', 'reconnect', 'pairing', 'error', 'command', 'transfer', 'condition'] as const
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

/** The envelope's error: a code of the closed set and a message a person can act on. */
export const ErrorInfoSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), retryAt: z.number().optional() })

// One command for many accounts (the bulk bar, the Needs attention view), answered per account.
export const BULK_ACTIONS = [
  'start',
  'stop',
  /** Stop (when it runs), then start: a fresh socket now, rather than after the next backoff delay. */
  'restart',
  'logout',
  /**
   * Pair again (accounts:start with `repair`): clears the keys and shows a new QR code. Only for an
   * account WhatsApp logged out, banned or replaced, or whose pairing expired.
   */
  'repair',
] as const
export const BulkActionSchema = z.enum(BULK_ACTIONS)
export type BulkAction = z.infer<typeof BulkActionSchema>
/** The most ids one accounts:bulk takes; the UI sends larger selections in several calls. */
export const MAX_BULK_IDS = 1000

export const BulkResultSchema = z.object({
  id: AccountIdSchema,
  ok: z.boolean(),
  /** The account after the action, when it succeeded. */
  account: AccountSummarySchema.optional(),
  /** Why it failed, as a single command would have said. */
  error: ErrorInfoSchema.optional(),
})
export type BulkResult = z.infer<typeof BulkResultSchema>

/** What accounts:stats answers for one account: how much it hears, and whether its webhooks get through. */
export const AccountStatsSchema = z.object({
  id: AccountIdSchema,
  ok: z.boolean(),
  /**
   * When its last text arrived (epoch ms), and how many arrived in the last 24 hours (in 15-minute
   * steps), as counted by the server that runs it since it started running it; null: none since.
   */
  lastMessageAt: z.number().nullable().optional(),
  messages24h: z.number().int().optional(),
  /** Webhook deliveries of its events that failed: given up on, or pending after a failed attempt. */
  webhookFailures: z.number().int().optional(),
  /** Why there are no figures (an unknown id, an owner that did not answer). */
  error: ErrorInfoSchema.optional(),
})
export type AccountStats = z.infer<typeof AccountStatsSchema>

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

// Sending: what became of a send, and each account's queue and day for the table (send-limits.ts has the limits).

/** A send reached its final state: sent (at once or from the queue), failed, or cancelled from the queue. */
export const MessageSentSchema = z.object({
  account: AccountIdSchema,
  messageId: z.string(),
  to: z.string(),
  state: z.enum(FINAL_SEND_STATES),
  /** Epoch ms. */
  at: z.number(),
  /** Why it failed, when it did. */
  error: z.string().nullable(),
})
export type MessageSent = z.infer<typeof MessageSentSchema>

/** An account's sending, for the accounts table: its queue, what it sent in the last 24 hours, what holds it. */
export const SendStatsSchema = z.object({
  id: AccountIdSchema,
  queued: z.number().int(),
  /** Sends in the last 24 hours (the same rolling day perDay counts). */
  sentToday: z.number().int(),
  /** The limit holding the queue now and when it lets the next one go, or null when nothing waits on one. */
  limitReached: z.object({ limit: z.enum(LIMIT_KEYS), until: z.number() }).nullable(),
})
export type SendStats = z.infer<typeof SendStatsSchema>

// Named API tokens, each with a role and perhaps a set of accounts (docs/security.md, "Roles").

export const RoleSchema = z.enum(ROLES, { error: (issue) => `Unknown role ${JSON.stringify(issue.input)}: a role is ${ROLES.join(', ')}.` })

/** Lower-case letters, digits, dots, dashes and underscores: a name that reads the same in a log, a shell and a URL. */
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/
export const TokenNameSchema = z.string().regex(TOKEN_NAME_PATTERN, 'A token name is 1 to 64 lower-case letters, digits, dots, dashes or underscores.')
/**
 * The names no added token may take: the server's own token (`default`, from IRISH_API_TOKEN or the
 * data dir's api-token file) and the actors the audit trail names for callers without a token (the
 * desktop's own window, the CLI on a data dir, the process itself).
 */
export const RESERVED_ACTORS = ['default', 'desktop', 'cli', 'local', 'system'] as const
export const BUILT_IN_TOKEN = 'default'
export const NewTokenNameSchema = TokenNameSchema.refine((name) => !(RESERVED_ACTORS as readonly string[]).includes(name), {
  message: `That name is reserved (${RESERVED_ACTORS.join(', ')}): choose another token name.`,
})

export const TokenSummarySchema = z.object({
  name: z.string(),
  role: RoleSchema,
  /** The accounts it may see, or null for every account. */
  accounts: z.array(AccountIdSchema).nullable(),
  /** Epoch milliseconds; null for the built-in token. */
  createdAt: z.number().nullable(),
  /** True for `default`, the server's own token: it comes from IRISH_API_TOKEN or the data dir, and is changed there. */
  builtIn: z.boolean(),
})
export type TokenSummary = z.infer<typeof TokenSummarySchema>

// The audit trail: every command that answered, who asked and how it ended.

export const AuditEntrySchema = z.object({
  /** When it answered. Epoch milliseconds. */
  at: z.number(),
  /** The token's name, or the caller without a token: desktop (the app's own window), cli (a data dir opened by irish). */
  actor: z.string(),
  command: z.string(),
  /** The accounts it named (or, for a new account, created). */
  accounts: z.array(z.string()),
  /** 'ok', or the error code it answered with. */
  result: z.string(),
  /** The server that answered it (a fleet server's id, or this installation's). */
  server: z.string(),
  /** The other name or id it was about (a token's name, a webhook, a delivery, a hand-off), if any. */
  subject: z.string().nullable(),
})
export type AuditEntry = z.infer<typeof AuditEntrySchema>

/** What store:backup wrote. */
export const BackupInfoSchema = z.object({
  path: z.string(),
  bytes: z.number().int(),
  /** The id of the data key the backup's values are sealed under: a restore needs that key. */
  keyId: z.string(),
  accounts: z.number().int(),
  /** Epoch milliseconds. */
  at: z.number(),
})
export type BackupInfo = z.infer<typeof BackupInfoSchema>

// The names of every command and event, and nothing else: the preload imports this file alone, so the
// sandboxed preload bundle stays tiny and carries no schema code. contract.ts declares exactly these
// names, each with its schemas and policy (the compiler checks it with `satisfies Record<CommandName, …>`).

export const COMMAND_NAMES = [
  'accounts:list',
  'accounts:add',
  'accounts:remove',
  'accounts:logout',
  'accounts:start',
  'accounts:stop',
  'accounts:rename',
  'accounts:send-text',
  'accounts:messages',
  'accounts:health',
  'accounts:pairing',
  'telemetry:snapshot',
  'telemetry:series',
  'telemetry:ranking',
  'telemetry:key-counts',
  'telemetry:watch',
  'settings:get',
  'settings:set',
  'simulator:info',
  'simulator:scan',
  'transfer:export',
  'transfer:export-to-server',
  'transfer:inspect',
  'transfer:import',
  'transfer:import-folder',
  'transfer:identity',
  'transfer:hand-off',
  // Pairing by phone-number code
  'accounts:pair-code',
  'simulator:enter-code',
  // The passkey check WhatsApp asks some accounts for (docs/passkey-linking.md).
  'accounts:passkey-response',
  'accounts:passkey-confirm',
  'accounts:passkey-cancel',
  'simulator:authenticate',
  // An account's activity log.
  'accounts:activity',
  'fleet:servers',
  // Start, stop, restart or log out many accounts in one command.
  'accounts:bulk',
  // Add and remove tags on many accounts in one command.
  'accounts:tag',
  // Per account: texts received lately, failed webhook deliveries (the accounts table's columns).
  'accounts:stats',
  // Signed webhooks from a durable outbox (docs/webhooks.md).
  'webhooks:add',
  'webhooks:list',
  'webhooks:remove',
  'webhooks:deliveries',
  'webhooks:redeliver',
  'webhooks:test',
  // A proxy per account, send limits and the send queue (docs/proxies-and-limits.md).
  'accounts:set-proxy',
  'accounts:set-limits',
  'accounts:queue',
  'accounts:queue-cancel',
  'accounts:send-stats',
  // Named API tokens with roles, and the audit trail of every command (docs/security.md).
  'tokens:add',
  'tokens:list',
  'tokens:revoke',
  'tokens:whoami',
  'audit:list',
  // A consistent copy of the SQLite store (docs/security.md, "Backups").
  'store:backup',
] as const

export const EVENT_NAMES = [
  'accounts:changed',
  'accounts:removed',
  'accounts:qr',
  'accounts:message',
  // A send's final state (docs/proxies-and-limits.md).
  'accounts:message-sent',
  'telemetry:tick',
  // The desktop app was asked to open a session bundle (file association, argv).
  'transfer:bundle-opened',
  // What is wrong with an account, and the phone numbers behind LIDs (docs/session-doctor.md).
  'accounts:condition',
  'accounts:lid-mapping',
] as const

export type CommandName = (typeof COMMAND_NAMES)[number]
export type EventName = (typeof EVENT_NAMES)[number]

/** The IPC channel a command travels on. Events share one channel, tagged by name. */
export const EVENT_CHANNEL = 'irish:event'
export const READY_CHANNEL = 'irish:ready'

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (COMMAND_NAMES as readonly string[]).includes(value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value)
}

/** The headless server's event stream speaks this WebSocket subprotocol. */
export const EVENTS_PROTOCOL = 'irish.v1'
/** A browser cannot set headers on a WebSocket: it offers `bearer.<token>` as a second subprotocol. */
export const TOKEN_PROTOCOL_PREFIX = 'bearer.'
/** The event stream closes with this code when first-message authentication fails. */
export const EVENTS_CLOSE_UNAUTHORIZED = 4401
/**
 * The query parameter of /api/events that resumes a stream: the `resume` token of the last event the
 * client saw. The server sends what came after it when it still holds it (the `ready` message says
 * `resumed: true`), or says `resumed: false` and the client reads its lists again.
 */
export const EVENTS_RESUME_PARAM = 'after'
/** The event stream closes with this code when the topics asked for at connect are not valid (an error message says why first). */
export const EVENTS_CLOSE_BAD_SUBSCRIPTION = 4400

/**
 * Says which client sent an HTTP command, for the activity log's "who asked": 'ui' (the app's page),
 * 'cli' (the irish CLI); anything else counts as the API. A label, not a credential: the token decides access.
 */
export const CLIENT_HEADER = 'x-irish-client'

/** The largest session bundle written or read (the UI checks it before reading a file). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024

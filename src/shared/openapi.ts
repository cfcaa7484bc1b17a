// The published API: an OpenAPI 3.1 document made from the contract alone (the server serves it at
// GET /api/openapi.json; scripts/api-docs.ts writes docs/api.md from the same facts). Shared code: no
// electron, no node:*, no DOM. Nothing here is decided: every schema comes from zod 4's JSON Schema
// output of a declaration, every policy fact from the declaration itself, every status from the one
// status table (HTTP_STATUS_BY_CODE).
//
// What JSON Schema cannot say, and the rule for it (docs/api.md repeats it for readers):
// - Inputs are described as a client sends them (io: 'input': a transform's or pipe's input side, so a
//   phone number is "a string", before the server normalises it); outputs as the server sends them
//   (io: 'output').
// - An output must not transform: generation throws (unrepresentable: 'throw'), and test/openapi.test.ts
//   fails naming the schema. A type-only change is a brand (`.brand()`, as AccountIdSchema does).
// - Refinements (`refine`, `superRefine`) are checks JSON Schema cannot run: the schema shows the type
//   they refine, and `x-irish-refined: true` marks the place; the server still applies them, and refuses
//   with invalid-input and a message naming the field.
// - An input branch only an in-process transport carries (a bundle's bytes: BundleBytesSchema) is left
//   out: no HTTP client sends it. Any other unrepresentable input still throws.

import { z } from 'zod'
import { COMMAND_NAMES, EVENT_NAMES, EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, type CommandName, type EventName } from './channels'
import {
  AccountHealthSchema,
  AccountSummarySchema,
  ActivityEntrySchema,
  BulkResultSchema,
  BundleBytesSchema,
  BundleInfoSchema,
  commands,
  ErrorInfoSchema,
  events,
  FleetServerSchema,
  KeyCountOverviewSchema,
  ownerRouting,
  PairingStateSchema,
  ReceivedMessageSchema,
  SettingsSchema,
  SimulatorInfoSchema,
  TelemetryRankingSchema,
  TelemetrySeriesSchema,
  TelemetrySnapshotSchema,
  WEBHOOK_EVENTS,
  WEBHOOK_HEADERS,
  WebhookDeliverySchema,
  WebhookSummarySchema,
  type WebhookEvent,
} from './contract'
import { ERROR_CODES, HTTP_STATUS_BY_CODE, type ErrorCode } from './errors'
import { BODY_LIMIT_BYTES, type AnyCommandDeclaration } from './policy'

export const OPENAPI_PATH = '/api/openapi.json'

/** The domain schemas many commands share: each is one component, referenced where it appears in an output. */
const NAMED_SCHEMAS: ReadonlyArray<readonly [string, z.ZodType]> = [
  ['AccountSummary', AccountSummarySchema],
  ['AccountHealth', AccountHealthSchema],
  ['PairingState', PairingStateSchema],
  ['ReceivedMessage', ReceivedMessageSchema],
  ['ActivityEntry', ActivityEntrySchema],
  ['BulkResult', BulkResultSchema],
  ['BundleInfo', BundleInfoSchema],
  ['FleetServer', FleetServerSchema],
  ['Settings', SettingsSchema],
  ['SimulatorInfo', SimulatorInfoSchema],
  ['TelemetrySnapshot', TelemetrySnapshotSchema],
  ['TelemetrySeries', TelemetrySeriesSchema],
  ['TelemetryRanking', TelemetryRankingSchema],
  ['KeyCountOverview', KeyCountOverviewSchema],
  ['WebhookSummary', WebhookSummarySchema],
  ['WebhookDelivery', WebhookDeliverySchema],
  ['ErrorInfo', ErrorInfoSchema],
]

/** Any request can meet these: the transport's own refusals, and storage that is locked, damaged or down. */
const EVERY_COMMAND: readonly ErrorCode[] = ['invalid-input', 'unauthorized', 'forbidden', 'payload-too-large', 'internal', 'storage-corrupt', 'key-unavailable', 'unavailable']

/**
 * The error codes a command answers with, derived from its declaration (the rule docs/api.md states):
 * every command, the transport's and storage's codes; one that names an account or record by id, also
 * not-found; one that acts on a running account (owner-bound in a fleet), also conflict, logged-out and
 * rate-limited; one that carries a session bundle, also bad-bundle and conflict.
 */
export function errorsOf(command: CommandName): ErrorCode[] {
  const declaration: AnyCommandDeclaration = commands[command]
  const codes = new Set<ErrorCode>(EVERY_COMMAND)
  if (['id', 'ids', 'deliveryId'].some((field) => Object.hasOwn(declaration.fields, field))) codes.add('not-found')
  if (declaration.fleet !== 'any-server') for (const code of ['conflict', 'logged-out', 'rate-limited'] as const) codes.add(code)
  if (declaration.body === 'bundle') for (const code of ['bad-bundle', 'conflict'] as const) codes.add(code)
  return ERROR_CODES.filter((code) => codes.has(code))
}

/** What a fleet does with the command, in words (the same facts as `x-irish-fleet`). */
export function fleetRoutingText(command: CommandName): string {
  const routing = ownerRouting(command)
  if (!routing) return 'any server answers it'
  return routing.many
    ? `each server runs its part: the accounts of \`${routing.field}\` go to the servers that run them`
    : `forwarded to the server that runs the account named by \`${routing.field}\``
}

/** A component name for a command or event (colons are not allowed there). */
export function componentName(name: CommandName | EventName, part: 'input' | 'output' | 'payload'): string {
  return `${name.replace(':', '.')}.${part}`
}

type JsonSchema = Record<string, unknown>

interface SchemaSet {
  components: Record<string, JsonSchema>
  inputRef: Record<CommandName, string>
  outputRef: Record<CommandName, string>
  payloadRef: Record<EventName, string>
}

const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` })

/**
 * Every schema the document needs, as components: the shared domain schemas, each command's input
 * (io: 'input') and output, each event's payload (io: 'output'). A schema object that several commands
 * share (the `{ id }` input) is registered once per command as its own clone, so each has its own name.
 */
export function contractSchemas(): SchemaSet {
  const inputs: Array<readonly [string, z.ZodType]> = []
  const outputs: Array<readonly [string, z.ZodType]> = [...NAMED_SCHEMAS]
  const named = new Map<z.ZodType, string>(NAMED_SCHEMAS.map(([id, schema]) => [schema, id]))
  const inputRef = {} as Record<CommandName, string>
  const outputRef = {} as Record<CommandName, string>
  const payloadRef = {} as Record<EventName, string>
  /** The component for an output or payload: the shared one it is, or its own under `id`. */
  const outputComponent = (schema: z.ZodType, id: string): string => {
    const shared = named.get(schema)
    if (shared) return shared
    outputs.push([id, schema.clone()])
    return id
  }
  for (const name of COMMAND_NAMES) {
    inputRef[name] = componentName(name, 'input')
    inputs.push([inputRef[name], commands[name].input.clone()])
    outputRef[name] = outputComponent(commands[name].output, componentName(name, 'output'))
  }
  for (const name of EVENT_NAMES) payloadRef[name] = outputComponent(events[name].payload, componentName(name, 'payload'))
  const components: Record<string, JsonSchema> = { ...componentsOf(inputs, 'input'), ...componentsOf(outputs, 'output') }
  return { components, inputRef, outputRef, payloadRef }
}

/**
 * JSON Schemas for `entries` (component name, schema), referring to one another by
 * `#/components/schemas/<name>`. Throws naming the schema that cannot be represented.
 */
export function componentsOf(entries: ReadonlyArray<readonly [string, z.ZodType]>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of entries) registry.add(schema, { id })
  const params = { io, target: 'draft-2020-12', unrepresentable: io === 'input' ? leaveOutInProcess : 'throw', override: markRefinements } as const
  let schemas: Record<string, JsonSchema>
  try {
    schemas = z.toJSONSchema(registry, { ...params, uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, JsonSchema>
  } catch (error) {
    // zod does not say which schema it could not represent: find it, so the message names it.
    const culprit = entries.find(([, schema]) => !representable(() => z.toJSONSchema(schema, params)))
    throw new Error(
      `${culprit ? culprit[0] : 'A schema'} cannot be described as JSON Schema (${(error as Error).message}). ` +
        'An output must not transform: brand a type-only change (src/shared/openapi.ts says the rule).',
      { cause: error },
    )
  }
  // Each component is a schema inside the document: no dialect or id of its own.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...rest }]) => [id, withoutInProcess(rest) as JsonSchema]))
}

/**
 * Input schemas no HTTP client can send, the only ones an input may hold that JSON Schema cannot say,
 * with the schemas they refine (zod reads a refinement's base schema too).
 */
const IN_PROCESS_ONLY: ReadonlySet<unknown> = new Set(
  [BundleBytesSchema].flatMap((schema) => {
    const chain: unknown[] = []
    for (let at: z.core.$ZodType | undefined = schema; at; at = at._zod.parent) chain.push(at)
    return chain
  }),
)
const IN_PROCESS_MARK = 'x-irish-in-process-only'

function leaveOutInProcess({ zodSchema }: { zodSchema: unknown }): JsonSchema | 'throw' {
  return IN_PROCESS_ONLY.has(zodSchema) ? { [IN_PROCESS_MARK]: true } : 'throw'
}

/** Drops the marked branches from every anyOf (one branch left becomes the schema itself). */
function withoutInProcess(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInProcess)
  if (value === null || typeof value !== 'object') return value
  const node = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutInProcess(inner)])) as JsonSchema
  if (!Array.isArray(node.anyOf)) return node
  const kept = (node.anyOf as JsonSchema[]).filter((branch) => branch[IN_PROCESS_MARK] !== true)
  const { anyOf: _all, ...rest } = node
  return kept.length === 1 ? { ...rest, ...kept[0] } : { ...rest, anyOf: kept }
}

function representable(convert: () => unknown): boolean {
  try {
    convert()
    return true
  } catch {
    return false
  }
}

function markRefinements(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const checks = (ctx.zodSchema._zod.def as { checks?: Array<{ _zod: { def: { check: string } } }> }).checks ?? []
  if (checks.some((check) => check._zod.def.check === 'custom')) ctx.jsonSchema['x-irish-refined'] = true
}

const ENVELOPE_OK = (value: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { ok: { const: true }, value },
  required: ['ok', 'value'],
})

/** The statuses a set of codes answers with, each with the codes that share it. */
export function statusesOf(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    const status = HTTP_STATUS_BY_CODE[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b))
}

/** The name of the shared response for a status answered with these codes. */
function refusalName(codes: readonly ErrorCode[]): string {
  return `refused.${codes.join('.')}`
}

function errorResponse(codes: readonly ErrorCode[]): JsonSchema {
  return {
    description: `Refused: ${codes.join(', ')}. The message says what to do.`,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: { ok: { const: false }, error: { type: 'object', properties: { code: { enum: [...codes] }, message: { type: 'string' } }, required: ['code', 'message'] } },
          required: ['ok', 'error'],
        },
      },
    },
  }
}

function commandOperation(name: CommandName, schemas: SchemaSet): JsonSchema {
  const declaration: AnyCommandDeclaration = commands[name]
  const routing = ownerRouting(name)
  const responses: Record<string, JsonSchema> = {
    '200': { description: 'Done: the command’s output.', content: { 'application/json': { schema: ENVELOPE_OK(ref(schemas.outputRef[name])) } } },
  }
  for (const [status, codes] of statusesOf(errorsOf(name))) responses[String(status)] = { $ref: `#/components/responses/${refusalName(codes)}` }
  return {
    operationId: name,
    tags: [name.slice(0, name.indexOf(':'))],
    summary: name,
    description:
      `Role: ${declaration.role}. In a fleet: ${fleetRoutingText(name)}. ` +
      (declaration.activity ? `Writes a line to the account's activity log (${declaration.activity.kind}). ` : '') +
      (declaration.cli ? `CLI: \`irish ${declaration.cli}\`. ` : '') +
      `Body: at most ${BODY_LIMIT_BYTES[declaration.body]} bytes.`,
    requestBody: { required: true, content: { 'application/json': { schema: ref(schemas.inputRef[name]) } } },
    responses,
    'x-irish-role': declaration.role,
    'x-irish-fleet': routing ? { forwarded: true, field: routing.field, many: routing.many } : { forwarded: false },
    'x-irish-activity': declaration.activity ? declaration.activity.kind : null,
    'x-irish-cli': declaration.cli,
    'x-irish-body-limit': BODY_LIMIT_BYTES[declaration.body],
    'x-irish-errors': errorsOf(name).map((code) => ({ code, status: HTTP_STATUS_BY_CODE[code] })),
  }
}

function eventsOperation(schemas: SchemaSet): JsonSchema {
  return {
    operationId: 'events',
    tags: ['events'],
    summary: 'The event stream (a WebSocket)',
    description:
      `A WebSocket, subprotocol \`${EVENTS_PROTOCOL}\`. The token comes in the Authorization header, or (a browser cannot set ` +
      `headers) as a second subprotocol \`${TOKEN_PROTOCOL_PREFIX}<token>\`, or as a first message {"type":"auth","token":"…"}. ` +
      'The server sends {"type":"ready"} once the client is in, then one JSON message per event, {"event": name, "payload": …} ' +
      '(`x-irish-events` gives each payload). A plain GET (not an upgrade) answers 426.',
    parameters: [{ name: 'Sec-WebSocket-Protocol', in: 'header', required: true, schema: { type: 'string' }, example: EVENTS_PROTOCOL }],
    responses: {
      '101': { description: 'Switching protocols: the stream is open.' },
      '401': { description: 'The token was refused (a first-message token closes the socket with code 4401 instead).' },
      '426': errorResponse(['invalid-input']),
      '429': { description: 'Too many wrong tokens from this address; Retry-After says when to try again.' },
      '503': { description: 'Too many event sockets are open; Retry-After says when to try again.' },
    },
    'x-irish-events': Object.fromEntries(
      EVENT_NAMES.map((name) => [
        name,
        {
          payload: ref(schemas.payloadRef[name]),
          label: events[name].label,
          account: events[name].account,
          fleet: events[name].fleet,
          webhook: events[name].webhook,
        },
      ]),
    ),
  }
}

/** A webhook delivery of one event: OpenAPI 3.1's `webhooks`, a POST the server makes to a subscriber. */
function webhookOperation(name: WebhookEvent, schemas: SchemaSet): JsonSchema {
  return {
    post: {
      operationId: `webhook ${name}`,
      summary: `${events[name].label} (${name})`,
      description:
        `Signed: ${WEBHOOK_HEADERS.signature} is sha256=<hex HMAC-SHA256(secret, raw body)>. ${WEBHOOK_HEADERS.delivery} is the same on ` +
        'every attempt (drop repeats by it); a 2xx within 10 s ends the attempts (docs/webhooks.md).',
      parameters: Object.values(WEBHOOK_HEADERS).map((header) => ({ name: header, in: 'header', required: true, schema: { type: 'string' } })),
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                id: { type: 'string', description: 'The delivery id.' },
                event: { const: name },
                account: { type: ['string', 'null'] },
                timestamp: { type: 'number', description: 'This attempt, epoch ms.' },
                occurredAt: { type: 'number', description: 'When the event happened, epoch ms.' },
                data: ref(schemas.payloadRef[name]),
              },
              required: ['id', 'event', 'account', 'timestamp', 'occurredAt', 'data'],
            },
          },
        },
      },
      responses: { '2XX': { description: 'Received.' } },
    },
  }
}

/** The OpenAPI 3.1 document of the API, for `version` of the server. */
export function openApiDocument(options: { version: string }): Record<string, unknown> {
  const schemas = contractSchemas()
  const paths: Record<string, JsonSchema> = {}
  for (const name of COMMAND_NAMES) paths[`/api/${name}`] = { post: commandOperation(name, schemas) }
  paths['/api/events'] = { get: eventsOperation(schemas) }
  paths[OPENAPI_PATH] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      description: 'Needs no token: it describes the API and reveals nothing about the data.',
      security: [],
      responses: { '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  }
  paths['/healthz'] = {
    get: {
      operationId: 'healthz',
      summary: 'Liveness, for load balancers',
      description: 'Needs no token and says nothing but that the process serves.',
      security: [],
      responses: { '200': { description: 'ok', content: { 'text/plain': { schema: { const: 'ok\n' } } } } },
    },
  }
  paths['/metrics'] = {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics (docs/metrics.md)',
      description: 'The API token or the read-only metrics token (--metrics-token). Answers 404 when the server runs without metrics.',
      responses: {
        '200': { description: 'The Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': { description: 'No token, or a wrong one.' },
        '404': { description: 'Metrics are off on this server.' },
      },
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Irish Desktop API',
      version: options.version,
      description:
        'Every command is POST /api/<command> with its input as a JSON body, answered { "ok": true, "value": … } or ' +
        '{ "ok": false, "error": { "code", "message" } }. Made from the contract (src/shared/contract.ts); docs/api.md says the same for people.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    security: [{ bearer: [] }],
    tags: [...new Set(COMMAND_NAMES.map((name) => name.slice(0, name.indexOf(':'))))].map((name) => ({ name })).concat([{ name: 'events' }]),
    paths,
    webhooks: Object.fromEntries(WEBHOOK_EVENTS.map((name) => [name, webhookOperation(name, schemas)])),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The server’s API token (it prints it on first start).' } },
      schemas: schemas.components,
      responses: Object.fromEntries(
        COMMAND_NAMES.flatMap((name) => [...statusesOf(errorsOf(name)).values()]).map((codes) => [refusalName(codes), errorResponse(codes)]),
      ),
    },
  }
}

// Writes docs/api.md from the contract: the same facts as GET /api/openapi.json (src/shared/openapi.ts),
// for people. test/api-docs.test.ts fails when the committed file differs from what this prints.
//   npm run docs:api            writes docs/api.md
//   npx tsx scripts/api-docs.ts --check   exits 1 when docs/api.md is out of date

import './require-node24.mjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COMMAND_NAMES, EVENT_NAMES, type CommandName } from '../src/shared/channels'
import { commands, events } from '../src/shared/contract'
import { ERROR_CODES, HTTP_STATUS_BY_CODE } from '../src/shared/errors'
import { contractSchemas, errorsOf, fleetRoutingText, OPENAPI_PATH } from '../src/shared/openapi'
import { BODY_LIMIT_BYTES } from '../src/shared/policy'

export const API_DOCS_PATH = resolve(import.meta.dirname, '..', 'docs', 'api.md')
export const API_DOCS_COMMAND = 'npm run docs:api'

type Schema = Record<string, unknown>

/** A JSON Schema as a short type expression: `{ id: string, label?: string }`, `AccountSummary[]`. */
function typeOf(schema: Schema, names: ReadonlySet<string>): string {
  const target = schema.$ref
  if (typeof target === 'string') {
    const name = target.slice(target.lastIndexOf('/') + 1)
    return names.has(name) ? `[${name}](#${anchor(name)})` : name
  }
  if ('const' in schema) return JSON.stringify(schema.const)
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' \\| ')
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map((s) => typeOf(s, names)).join(' \\| ')
  if (Array.isArray(schema.type)) return (schema.type as string[]).map((type) => typeOf({ ...schema, type }, names)).join(' \\| ')
  if (schema.type === 'array') return `${wrap(typeOf((schema.items as Schema | undefined) ?? {}, names))}[]`
  if (schema.type === 'object') {
    const properties = Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})
    if (properties.length === 0) return '{}'
    const required = new Set((schema.required as string[] | undefined) ?? [])
    return `{ ${properties.map(([key, value]) => `${key}${required.has(key) ? '' : '?'}: ${typeOf(value, names)}`).join(', ')} }`
  }
  if (typeof schema.type === 'string') return schema.type
  return 'any'
}

function wrap(type: string): string {
  return type.includes('\\|') ? `(${type})` : type
}

/** The checks a field's schema carries, in words. */
function constraints(schema: Schema): string {
  const said: string[] = []
  const add = (key: string, words: (value: unknown) => string) => {
    if (schema[key] !== undefined) said.push(words(schema[key]))
  }
  add('minLength', (v) => `at least ${plural(v, 'character')}`)
  add('maxLength', (v) => `at most ${plural(v, 'character')}`)
  add('pattern', (v) => `matches \`${String(v)}\``)
  add('minimum', (v) => `≥ ${String(v)}`)
  add('maximum', (v) => `≤ ${String(v)}`)
  add('minItems', (v) => `at least ${plural(v, 'item')}`)
  add('maxItems', (v) => `at most ${plural(v, 'item')}`)
  if (schema['x-irish-refined'] === true) said.push('further checked by the server')
  // A bound that only says "a safe integer" is noise.
  return said.filter((s) => !/9007199254740991/.test(s)).join('; ')
}

function plural(count: unknown, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`
}

function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')
}

function fieldTable(schema: Schema, names: ReadonlySet<string>, labels: Readonly<Record<string, string>> | null): string[] {
  const properties = Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})
  if (properties.length === 0) return ['No fields: send `{}`.']
  const required = new Set((schema.required as string[] | undefined) ?? [])
  const head = labels ? ['| field | label | type | required | checks |', '| --- | --- | --- | --- | --- |'] : ['| field | type | required |', '| --- | --- | --- |']
  return [
    ...head,
    ...properties.map(([key, value]) =>
      labels
        ? `| \`${key}\` | ${labels[key] ?? ''} | ${typeOf(value, names)} | ${required.has(key) ? 'yes' : 'no'} | ${constraints(value)} |`
        : `| \`${key}\` | ${typeOf(value, names)} | ${required.has(key) ? 'yes' : 'no'} |`,
    ),
  ]
}

function commandSection(name: CommandName, components: Record<string, Schema>, inputRef: string, outputRef: string, names: ReadonlySet<string>): string[] {
  const declaration = commands[name]
  const errors = errorsOf(name)
    .map((code) => `\`${code}\` (${HTTP_STATUS_BY_CODE[code]})`)
    .join(', ')
  const output = components[outputRef] ?? {}
  return [
    `### ${name}`,
    '',
    `\`POST /api/${name}\``,
    '',
    `- Role: ${declaration.role}`,
    `- In a fleet: ${fleetRoutingText(name)}`,
    `- Activity log: ${declaration.activity ? `a line per account (${declaration.activity.kind})` : 'none'}`,
    `- CLI: ${declaration.cli ? `\`irish ${declaration.cli}\`` : 'none'}`,
    `- Body: at most ${BODY_LIMIT_BYTES[declaration.body].toLocaleString('en-US')} bytes`,
    `- Errors: ${errors}`,
    '',
    'Input:',
    '',
    ...fieldTable(components[inputRef] ?? {}, names, declaration.fields),
    '',
    `Output: ${names.has(outputRef) ? `[${outputRef}](#${anchor(outputRef)})` : typeOf(output, names)}`,
    '',
  ]
}

/** docs/api.md as the contract says it today. */
export function renderApiDocs(): string {
  const { components, inputRef, outputRef, payloadRef } = contractSchemas()
  const named = new Set(Object.keys(components).filter((id) => /^[A-Z]/.test(id)))
  const lines: string[] = [
    '# The API',
    '',
    `<!-- Generated by scripts/api-docs.ts from src/shared/contract.ts: do not edit. Run \`${API_DOCS_COMMAND}\` after changing the contract. -->`,
    '',
    'Every command is `POST /api/<command>` (the colon is part of the path: `/api/accounts:pair-code`) with its input as',
    'a JSON body and the API token as `Authorization: Bearer <token>`. The answer is `{ "ok": true, "value": … }` or',
    '`{ "ok": false, "error": { "code": …, "message": … } }`; the message is written for a person. The same commands',
    'travel over Electron IPC in the desktop app and through `irish`, the CLI. The token comes from `IRISH_API_TOKEN` or is',
    'generated on first start into `<data-dir>/api-token` (mode 0600) ([security.md](security.md)).',
    '',
    '```sh',
    `curl -s -H "Authorization: Bearer $TOKEN" -d '{}' http://127.0.0.1:7420/api/accounts:list`,
    '```',
    '',
    `The server publishes all of this as OpenAPI 3.1 at \`GET ${OPENAPI_PATH}\` (no token needed: it describes the API`,
    'and says nothing about the data). One client in the code speaks it: `createApiClient` in `src/shared/api-client.ts`.',
    '',
    '## Contents',
    '',
    ...COMMAND_NAMES.map((name) => `- [${name}](#${anchor(name)})`),
    '- [Events](#events)',
    '- [Schemas](#schemas)',
    '- [Errors](#errors)',
    '- [What JSON Schema cannot say](#what-json-schema-cannot-say)',
    '',
    '## Commands',
    '',
  ]
  for (const name of COMMAND_NAMES) lines.push(...commandSection(name, components, inputRef[name], outputRef[name], named))
  lines.push(
    '## Events',
    '',
    'A WebSocket at `GET /api/events`, subprotocol `irish.v1`; the token in the Authorization header, or as a second',
    'subprotocol `bearer.<token>` (a browser cannot set headers). After `{"type":"ready"}` each message is',
    '`{ "event": name, "payload": …, "resume": token }`. A webhook endpoint receives the events marked so, signed (docs/webhooks.md).',
    '',
    'Resuming: a client that reconnects to `GET /api/events?after=<the last resume token it saw>` gets, right after',
    '`{"type":"ready","resumed":true}`, the events it missed, from the server\'s recent ones (the last 10,000, up to',
    '10 minutes); a token the server no longer covers (too old, another server, a restart) gets `"resumed":false`,',
    'and the client reads its lists again. Telemetry ticks carry no token and are not kept. The UI reconnects this way.',
    '',
    '| event | what | payload | account field | in a fleet | webhook |',
    '| --- | --- | --- | --- | --- | --- |',
    ...EVENT_NAMES.map((name) => {
      const declaration = events[name]
      const payload = payloadRef[name]
      const type = named.has(payload) ? `[${payload}](#${anchor(payload)})` : typeOf(components[payload] ?? {}, named)
      return `| \`${name}\` | ${declaration.label} | ${type} | ${declaration.account ? `\`${declaration.account}\`` : 'none'} | ${declaration.fleet === 'relay' ? 'every server carries it' : 'only the server it happened on'} | ${declaration.webhook ? 'yes' : 'no'} |`
    }),
    '',
    '## Schemas',
    '',
  )
  for (const name of [...named].sort()) lines.push(`### ${name}`, '', ...fieldTable(components[name] ?? {}, named, null), '')
  lines.push(
    '## Errors',
    '',
    'The closed set of codes (`src/shared/errors.ts`) and the HTTP status each answers with:',
    '',
    '| code | HTTP status |',
    '| --- | --- |',
    ...ERROR_CODES.map((code) => `| \`${code}\` | ${HTTP_STATUS_BY_CODE[code]} |`),
    '',
    "A command's errors above are derived from its declaration: every command may answer the transport's and storage's",
    'codes (invalid-input, unauthorized, forbidden, payload-too-large, internal, storage-corrupt, key-unavailable,',
    'unavailable); one that names an account or record by id, also not-found; one that acts on a running account',
    '(forwarded to its owner in a fleet), also conflict, logged-out and rate-limited; one that carries a session bundle,',
    'also bad-bundle and conflict. Beyond the table: too many wrong tokens from one address answer 429 with',
    '`unauthorized` and Retry-After, and a 503 always carries Retry-After.',
    '',
    '## What JSON Schema cannot say',
    '',
    "The schemas are zod 4's JSON Schema output of the contract. Inputs are described as a client sends them (`io: 'input'`:",
    'the side before a transform, so a phone number is any string the server then normalises); outputs as the server',
    "sends them (`io: 'output'`). An output never transforms: the document generator refuses one (a type-only change is",
    'a brand, as account ids are). Refinements (`refine`, `superRefine`) are checks JSON Schema cannot run: the schema',
    'shows the type they refine, marked `x-irish-refined` ("further checked by the server" above), and the server refuses',
    'an input that fails them with invalid-input and a message naming the field.',
    '',
  )
  return lines.join('\n')
}

function main(): void {
  const text = renderApiDocs()
  if (process.argv.includes('--check')) {
    if (readFileSync(API_DOCS_PATH, 'utf8') !== text) {
      console.error(`docs/api.md is out of date: run \`${API_DOCS_COMMAND}\` and commit it.`)
      process.exit(1)
    }
    return
  }
  writeFileSync(API_DOCS_PATH, text)
  console.log(`wrote ${API_DOCS_PATH}`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()

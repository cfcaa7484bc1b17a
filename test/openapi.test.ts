// The published API (src/shared/openapi.ts): the document validates as OpenAPI 3.1 with a kept validator
// (@seriousme/openapi-schema-validator), has one path per command of the registry plus the event stream,
// /healthz and /metrics, and every reference in it resolves. Its facts come from the declarations, so a
// few are checked against them here; the server's side (served without a token) is in
// src/main/server/http-server.test.ts.

import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES } from '../src/shared/channels'
import { commands, OWNER_BOUND_COMMANDS, WEBHOOK_EVENTS } from '../src/shared/contract'
import { HTTP_STATUS_BY_CODE } from '../src/shared/errors'
import { z } from 'zod'
import { componentsOf, errorsOf, openApiDocument } from '../src/shared/openapi'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document read by path, checked by value
type Json = Record<string, any>
const doc = openApiDocument({ version: '1.2.3' }) as Json

describe('GET /api/openapi.json', () => {
  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator()
    const result = await validator.validate(structuredClone(doc))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('has one POST path per command, with the colon as the server routes it, and nothing it does not serve', () => {
    const commandPaths = Object.keys(doc.paths).filter((path) => !['/api/events', '/api/openapi.json', '/healthz', '/metrics'].includes(path))
    expect(commandPaths.sort()).toEqual(COMMAND_NAMES.map((name) => `/api/${name}`).sort())
    for (const name of COMMAND_NAMES) expect(Object.keys(doc.paths[`/api/${name}`])).toEqual(['post'])
    expect(doc.paths['/api/accounts:pair-code'].post.operationId).toBe('accounts:pair-code')
    expect(Object.keys(doc.paths['/api/events'])).toEqual(['get'])
    expect(Object.keys(doc.paths['/api/events'].get['x-irish-events']).sort()).toEqual([...EVENT_NAMES].sort())
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENTS].sort())
  })

  it('every $ref resolves inside the document', () => {
    const refs: string[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value)
          else walk(value)
        }
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(COMMAND_NAMES.length * 2)
    const missing = refs.filter((target) => {
      const at = target.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc)
      return at === undefined
    })
    expect(missing).toEqual([])
  })

  it("states each command's role, fleet routing and errors from its declaration and the one status table", () => {
    for (const name of COMMAND_NAMES) {
      const operation = doc.paths[`/api/${name}`].post
      expect(operation['x-irish-role']).toBe(commands[name].role)
      expect(operation['x-irish-fleet'].forwarded).toBe((OWNER_BOUND_COMMANDS as readonly string[]).includes(name))
      expect(operation['x-irish-errors']).toEqual(errorsOf(name).map((code) => ({ code, status: HTTP_STATUS_BY_CODE[code] })))
      for (const { status } of operation['x-irish-errors']) expect(operation.responses[String(status)]).toBeDefined()
    }
    expect(doc.paths['/api/accounts:pair-code'].post['x-irish-fleet']).toEqual({ forwarded: true, field: 'id', many: false })
    expect(doc.paths['/api/accounts:bulk'].post['x-irish-fleet']).toEqual({ forwarded: true, field: 'ids', many: true })
    expect(errorsOf('transfer:import')).toContain('bad-bundle')
    expect(errorsOf('accounts:list')).not.toContain('not-found')
  })

  it('describes inputs as sent and outputs as answered, and marks the checks JSON Schema cannot express', () => {
    const schemas = doc.components.schemas
    // accounts:send-text normalises `to` on the server: the client sends any string.
    expect(schemas['accounts.send-text.input'].properties.to).toEqual({ type: 'string' })
    // A label's rule is a refinement: described as a string, marked, and still applied by the server.
    expect(schemas['accounts.add.input'].properties.label).toMatchObject({ type: 'string', 'x-irish-refined': true })
    // Account ids are branded, not transformed: outputs carry their pattern.
    expect(schemas.AccountSummary.properties.id).toEqual({ type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })
    expect(doc.paths['/api/accounts:list'].post.responses['200'].content['application/json'].schema.properties.value).toEqual({
      $ref: '#/components/schemas/accounts.list.output',
    })
    expect(schemas['accounts.list.output']).toEqual({ type: 'array', items: { $ref: '#/components/schemas/AccountSummary' } })
    // A bundle is sent as base64; the bytes an in-process transport hands the command are left out.
    expect(schemas['transfer.import.input'].properties.bundle).toEqual({ type: 'string', minLength: 1 })
  })

  it('still refuses an input no JSON client can send, other than the bundle bytes it knows', () => {
    expect(() => componentsOf([['bytes.input', z.object({ file: z.instanceof(Uint8Array) })]], 'input')).toThrow(/^bytes\.input cannot be described/)
  })

  it('refuses an output that transforms, naming it; an input that transforms is described by what is sent', () => {
    const trimmed = z.string().transform((value) => value.trim())
    expect(() => componentsOf([['ok.output', z.object({ n: z.number() })], ['bad.output', z.object({ name: trimmed })]], 'output')).toThrow(
      /^bad\.output cannot be described as JSON Schema .*must not transform/,
    )
    expect(componentsOf([['x.input', z.object({ name: trimmed })]], 'input')['x.input']).toMatchObject({ properties: { name: { type: 'string' } } })
  })

  it('needs no token for itself, /healthz or the description of the event stream, and the API token elsewhere', () => {
    expect(doc.security).toEqual([{ bearer: [] }])
    expect(doc.paths['/api/openapi.json'].get.security).toEqual([])
    expect(doc.paths['/healthz'].get.security).toEqual([])
    expect(doc.paths['/metrics'].get.security).toBeUndefined()
    expect(doc.info.version).toBe('1.2.3')
  })
})

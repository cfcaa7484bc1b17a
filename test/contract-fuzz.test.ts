// Property-based checks of the contract's inputs through the real HTTP server and the real core
// (encrypted SQLite, in this process): random and mutated bodies to every command get a clear answer
// (an envelope with a closed error code, never a 500, never a dropped connection), and the server
// answers normally afterwards. Commands that would reach the network (start a WhatsApp socket, export
// to another server) are left out: their inputs are checked by the same schemas, which
// src/shared/contract.test.ts and the schema property below cover without running them.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMAND_NAMES, commands, type CommandName } from '../src/shared/contract'
import { ERROR_CODES } from '../src/shared/errors'
import { createCore, type Core } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import { startApiServer, type ApiServer } from '../src/main/server/http-server'
import { newDataKey } from './support/server-process'

const TOKEN = 'Fz8kQ2mW9xT4vN8bL3pS6yH1cJ5dE0gA'
const NETWORK: ReadonlySet<CommandName> = new Set(['accounts:add', 'accounts:start', 'accounts:logout', 'simulator:scan', 'transfer:export-to-server'])
const SAFE = COMMAND_NAMES.filter((c) => !NETWORK.has(c))

let dataDir: string
let core: Core
let server: ApiServer

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'irish-fuzz-'))
  core = await createCore({ dataDir, keyVault: envVault(newDataKey()), logger: silentLogger(), appVersion: '0.0.0-test' })
  server = await startApiServer({ host: '127.0.0.1', port: 0, token: TOKEN, dispatch: core.dispatch, events: core.events, logger: silentLogger() })
})

afterAll(async () => {
  await server?.close()
  await core?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function post(command: string, body: string | Uint8Array): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/api/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  })
  return { status: response.status, json: await response.json() }
}

function expectClearAnswer({ status, json }: { status: number; json: unknown }): void {
  expect(status).toBeLessThan(500)
  const envelope = json as { ok: boolean; error?: { code: string; message: string } }
  if (envelope.ok) return
  expect(ERROR_CODES).toContain(envelope.error!.code)
  expect(envelope.error!.message.length).toBeGreaterThan(5)
}

/** Inputs near the real shapes: the right keys with values of any type, plus stray keys. */
const nearInput = fc.dictionary(
  fc.constantFrom('id', 'label', 'to', 'text', 'passphrase', 'mode', 'bundle', 'path', 'url', 'token', 'replace', 'start', 'account', 'limit', 'takeBack', 'whatsappUrl', 'autoStart'),
  fc.oneof(fc.string({ maxLength: 60 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('acc-0000000000000000'), fc.json()),
)

describe('contract inputs over HTTP (properties)', () => {
  it('answers random JSON to every command with a clear envelope, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAFE), fc.oneof(fc.jsonValue(), nearInput), async (command, input) => {
        expectClearAnswer(await post(command, JSON.stringify(input)))
      }),
      { numRuns: 400 },
    )
  }, 60_000)

  it('answers random bytes, truncated JSON and unknown commands with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...SAFE), fc.string({ minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s))),
        fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)))),
        async (command, body) => {
          expectClearAnswer(await post(command, body))
        },
      ),
      { numRuns: 300 },
    )
  }, 60_000)

  it('still answers normally afterwards', async () => {
    const list = await post('accounts:list', '{}')
    expect(list.status).toBe(200)
  })
})

describe('contract schemas (property)', () => {
  it('never throw on any input, for every command including the ones left out above', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), fc.oneof(fc.jsonValue(), nearInput, fc.anything()), (command, input) => {
        const parsed = commands[command].input.safeParse(input)
        if (!parsed.success) expect(parsed.error.issues.length).toBeGreaterThan(0)
      }),
      { numRuns: 3000 },
    )
  })
})

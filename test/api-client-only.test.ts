// One client for the project's own API: the lint rule in eslint.config.js refuses a fetch in production
// code outside src/shared/api-client.ts, and a hand-written request to /api/ in scripts, benchmarks and
// e2e specs. Shown here on samples, so a rule that silently stops matching fails this test.

import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

async function messagesFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message)
}

describe('calls on the project API go through the one client', () => {
  const call = "export async function f(base: string): Promise<unknown> {\n  return fetch(`${base}/api/accounts:list`, { method: 'POST' })\n}\n"
  const injected = "export async function f(o: { fetch: typeof fetch }): Promise<unknown> {\n  return o.fetch('https://x.example/')\n}\n"

  it('refuses fetch in production code under src/, injected or global', async () => {
    expect(await messagesFor(call, 'src/main/core/fleet/sample.ts')).toEqual([expect.stringMatching(/createApiClient/)])
    expect(await messagesFor(injected, 'src/renderer/src/api/sample.ts')).toEqual([expect.stringMatching(/createApiClient/)])
  })

  it('allows it in the client itself and in tests, which check the wire', async () => {
    expect(await messagesFor(call, 'src/shared/api-client.ts')).toEqual([])
    expect(await messagesFor(call, 'src/main/server/sample.test.ts')).toEqual([])
  })

  it('refuses a request to /api/ in scripts, benchmarks and e2e specs, but not one to the simulator', async () => {
    expect(await messagesFor(call, 'bench/sample.ts')).toEqual([expect.stringMatching(/createApiClient/)])
    expect(await messagesFor("export const p = fetch('http://127.0.0.1:1/api/x')\n", 'scripts/sample.ts')).toEqual([expect.stringMatching(/createApiClient/)])
    expect(await messagesFor("export const p = fetch(`${'http://127.0.0.1:1'}/scan`)\n", 'bench/sample.ts')).toEqual([])
  })
})

// The chosen tokens' strength estimated early on a thread (token-estimates.ts): which tokens are
// estimated, that a real thread running the server's entry gives the estimator's own figures, and that
// the verdict is the same when the thread fails (the token is then estimated on the main thread).

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import * as strength from './token-strength'
import { dataDirOf, parseServerFlags } from './cli-flags'
import { checkChosenToken, dataDirTokenVerdicts } from './token'
import { tokensToEstimate } from './token-estimates'

vi.mock('./token-strength', async (original) => {
  const real = await original<typeof strength>()
  return { ...real, estimatedTokenBits: vi.fn(real.estimatedTokenBits) }
})
const estimated = vi.mocked(strength.estimatedTokenBits)

const WEAK = 'passwordpasswordpassword1234'

/** What a start with these flags and this environment estimates, as the entry reads them (earlyStart). */
function estimatedAtStart(args: string[], env: NodeJS.ProcessEnv): string[] {
  const flags = parseServerFlags(args)
  return tokensToEstimate(flags, env, dataDirTokenVerdicts(dataDirOf(flags)))
}
const strong = (): string => randomBytes(32).toString('hex')

describe('early token estimates', () => {
  const root = mkdtempSync(join(tmpdir(), 'irish-estimates-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  beforeEach(() => {
    estimated.mockClear()
  })
  const fresh = (): string => mkdtempSync(join(root, 'd-'))

  it('estimates the API token and the metrics token from a flag or the environment, once each', () => {
    const dir = fresh()
    const [api, metrics] = [strong(), strong()]
    expect(estimatedAtStart(['--data-dir', dir], { IRISH_API_TOKEN: api })).toEqual([api])
    expect(estimatedAtStart(['--data-dir', dir, '--metrics-token', metrics], { IRISH_API_TOKEN: api })).toEqual([api, metrics])
    expect(estimatedAtStart(['--data-dir', dir], { IRISH_API_TOKEN: api, IRISH_METRICS_TOKEN: metrics })).toEqual([api, metrics])
    expect(estimatedAtStart(['--data-dir', dir], { IRISH_API_TOKEN: api, IRISH_METRICS_TOKEN: api })).toEqual([api])
    expect(estimatedAtStart(['--data-dir', dir], {})).toEqual([])
  })

  it('starts nothing for a token that passed before here, or a malformed one', () => {
    const dir = fresh()
    const passed = strong()
    dataDirTokenVerdicts(dir).record(passed)
    expect(estimatedAtStart(['--data-dir', dir], { IRISH_API_TOKEN: passed })).toEqual([])
    // Passing in one data dir says nothing of another.
    expect(estimatedAtStart(['--data-dir', fresh()], { IRISH_API_TOKEN: passed })).toEqual([passed])
    expect(estimatedAtStart(['--data-dir', dir], { IRISH_API_TOKEN: 'short' })).toEqual([])
  })

  it('on a thread running the server entry, gives the estimator\'s own figures', async () => {
    const good = strong()
    const script = join(fresh(), 'estimate.mts')
    const here = (file: string): string => JSON.stringify(pathToFileURL(resolve(__dirname, file)).href)
    writeFileSync(
      script,
      `import { startTokenEstimates } from ${here('token-estimates.ts')}\n` +
        `const estimates = startTokenEstimates(new URL(${here('server-entry.ts')}), ${JSON.stringify([WEAK, good])})\n` +
        `console.log(JSON.stringify([await estimates(${JSON.stringify(WEAK)}), await estimates(${JSON.stringify(good)}), estimates('other') ?? null]))\n`,
    )
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '../../..') })
    const [weakBits, goodBits, other] = JSON.parse(stdout) as [number, number, null]
    expect(weakBits).toBe(strength.estimatedTokenBits(WEAK))
    expect(goodBits).toBe(strength.estimatedTokenBits(good))
    expect(weakBits).toBeLessThan(128)
    expect(goodBits).toBeGreaterThanOrEqual(128)
    expect(other).toBeNull()
  })

  it('takes an early estimate instead of estimating again, and estimates here when the thread failed', async () => {
    const good = strong()
    await expect(checkChosenToken('IRISH_API_TOKEN', good, undefined, (t) => (t === good ? Promise.resolve(256) : undefined))).resolves.toBeUndefined()
    expect(estimated).not.toHaveBeenCalled()
    await expect(checkChosenToken('IRISH_API_TOKEN', WEAK, undefined, (t) => (t === WEAK ? Promise.resolve(11) : undefined))).rejects.toThrow(/too weak: about 11 bits/)
    expect(estimated).not.toHaveBeenCalled()

    const failed = (): Promise<number> => Promise.reject(new Error('the token estimate thread ended with code 1 before answering'))
    await expect(checkChosenToken('IRISH_API_TOKEN', WEAK, undefined, failed)).rejects.toThrow(/IRISH_API_TOKEN is too weak/)
    await expect(checkChosenToken('IRISH_API_TOKEN', good, undefined, failed)).resolves.toBeUndefined()
    expect(estimated).toHaveBeenCalledTimes(2)
  })
})

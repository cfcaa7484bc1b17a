// A chosen token that passed the strength rule is not estimated again on the next start, and nothing
// else changes: a weak token is refused every time and never recorded, the file never holds a token,
// and a damaged file or one others may write is ignored.

import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import * as strength from './token-strength'
import { checkChosenToken, resolveApiToken, TOKEN_FILE } from './token'
import { TOKEN_VERDICTS_FILE, tokenVerdicts } from './token-verdicts'

vi.mock('./token-strength', async (original) => {
  const real = await original<typeof strength>()
  return { ...real, estimatedTokenBits: vi.fn(real.estimatedTokenBits) }
})
const estimated = vi.mocked(strength.estimatedTokenBits)

describe('token verdicts kept in the data dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'irish-verdicts-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  beforeEach(() => {
    estimated.mockClear()
  })
  const fresh = (): string => mkdtempSync(join(root, 'd-'))

  it('estimates a chosen token on its first start only, and keeps a keyed digest, never the token', async () => {
    const dir = fresh()
    const token = randomBytes(32).toString('hex')
    await resolveApiToken(dir, token)
    expect(estimated).toHaveBeenCalledTimes(1)
    await expect(resolveApiToken(dir, token)).resolves.toEqual({ token, generated: false, source: 'env' })
    expect(estimated).toHaveBeenCalledTimes(1)
    const file = join(dir, TOKEN_VERDICTS_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain(token)
    expect(text).not.toContain(Buffer.from(token, 'hex').toString('base64url'))
    // Another token, or the same one under another rule, is estimated.
    await resolveApiToken(dir, randomBytes(32).toString('hex'))
    expect(estimated).toHaveBeenCalledTimes(2)
    expect(tokenVerdicts(dir, 'a stricter rule').passed(token)).toBe(false)
  })

  it('refuses a weak token on every start and never records it', async () => {
    const dir = fresh()
    for (let start = 1; start <= 2; start++) {
      await expect(resolveApiToken(dir, 'passwordpassword1234')).rejects.toMatchObject({ code: 'invalid-input' })
      expect(estimated).toHaveBeenCalledTimes(start)
    }
    expect(existsSync(join(dir, TOKEN_VERDICTS_FILE))).toBe(false)
  })

  it('checks a token file an operator rewrote with a weak token, after the generated one had passed', async () => {
    const dir = fresh()
    const generated = await resolveApiToken(dir, undefined)
    expect(generated.generated).toBe(true)
    await resolveApiToken(dir, undefined)
    expect(estimated).not.toHaveBeenCalled()
    writeFileSync(join(dir, TOKEN_FILE), 'qwertyuiopqwertyuiop\n', { mode: 0o600 })
    await expect(resolveApiToken(dir, undefined)).rejects.toThrow(/holds a weak token/)
    expect(estimated).toHaveBeenCalledTimes(1)
  })

  it('ignores a damaged file, and one other users may write, and checks the token again', async () => {
    const token = randomBytes(32).toString('base64url')
    const damaged = fresh()
    writeFileSync(join(damaged, TOKEN_VERDICTS_FILE), '{"key": 12', { mode: 0o600 })
    await checkChosenToken('--metrics-token', token, tokenVerdicts(damaged, 'rule'))
    expect(estimated).toHaveBeenCalledTimes(1)
    expect(tokenVerdicts(damaged, 'rule').passed(token)).toBe(true)

    const shared = fresh()
    await checkChosenToken('--metrics-token', token, tokenVerdicts(shared, 'rule'))
    chmodSync(join(shared, TOKEN_VERDICTS_FILE), 0o666)
    expect(tokenVerdicts(shared, 'rule').passed(token)).toBe(false)
    await checkChosenToken('--metrics-token', token, tokenVerdicts(shared, 'rule'))
    expect(estimated).toHaveBeenCalledTimes(3)
    expect(statSync(join(shared, TOKEN_VERDICTS_FILE)).mode & 0o777).toBe(0o600)
  })

  it('one reading serves both tokens of a start: a verdict made before the data dir existed is kept once it does', async () => {
    const dir = join(root, 'made-later')
    const metrics = randomBytes(32).toString('hex')
    const verdicts = tokenVerdicts(dir, 'rule')
    await checkChosenToken('--metrics-token', metrics, verdicts)
    expect(existsSync(dir)).toBe(false)
    mkdirSync(dir)
    const api = randomBytes(32).toString('hex')
    await resolveApiToken(dir, api, verdicts)
    const again = tokenVerdicts(dir, 'rule')
    expect([again.passed(metrics), again.passed(api)]).toEqual([true, true])
    expect(estimated).toHaveBeenCalledTimes(2)
  })

  it('still checks when the data dir cannot be written, and says nothing of the file', async () => {
    const token = randomBytes(32).toString('hex')
    const missing = join(root, 'not-there')
    await expect(checkChosenToken('IRISH_METRICS_TOKEN', token, tokenVerdicts(missing, 'rule'))).resolves.toBeUndefined()
    await expect(checkChosenToken('IRISH_METRICS_TOKEN', token, tokenVerdicts(missing, 'rule'))).resolves.toBeUndefined()
    expect(estimated).toHaveBeenCalledTimes(2)
    expect(existsSync(missing)).toBe(false)
  })
})

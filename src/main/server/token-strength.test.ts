// The token estimator: patterns (repeats, sequences, keyboard runs, dates, dictionary words, l33t) count
// for almost nothing, random characters for their alphabet; and the rule built on it (token.ts) refuses
// with a message that says how to make a good token, never repeating the token.

import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkChosenToken, MIN_TOKEN_BITS, resolveApiToken, TOKEN_FILE } from './token'
import { alphabetSize, estimatedTokenBits } from './token-strength'

const WEAK = [
  'a'.repeat(28),
  '0'.repeat(40),
  'passwordpasswordpassword1234',
  'p4ssw0rdp4ssw0rdp4ssw0rd1234',
  'abcdefghijklmnopqrstuvwxyz012345',
  'qwertyuiopasdfghjklzxcvbnm123456',
  'abababababababababababababababab',
  'correct-horse-battery-staple-2024',
  '19870512198705121987051219870512',
  'Password1234Password1234Password1234',
]

describe('estimatedTokenBits', () => {
  it.each(WEAK)('counts %s far below 128 bits', (token) => {
    expect(estimatedTokenBits(token)).toBeLessThan(96)
  })

  it('counts random hex and base64url at their alphabet, less any pattern found in them by chance', () => {
    for (let i = 0; i < 4; i += 1) {
      const hex = randomBytes(32).toString('hex')
      const b64 = randomBytes(32).toString('base64url')
      expect(estimatedTokenBits(hex)).toBeLessThanOrEqual(256 + 1e-9)
      expect(estimatedTokenBits(hex)).toBeGreaterThan(200)
      expect(estimatedTokenBits(b64)).toBeLessThanOrEqual(43 * 6 + 1e-9)
      expect(estimatedTokenBits(b64)).toBeGreaterThan(200)
    }
  })

  it('takes a hex token for 4 bits a character, not the 5.2 of letters and digits', () => {
    expect(alphabetSize('9f86d081884c7d659a2feaa0c55ad015')).toBe(16)
    expect(alphabetSize('9F86D081884C7D659A2FEAA0C55AD015')).toBe(16)
    expect(alphabetSize('9f86d081884c7d659a2feaa0c55ad01g')).toBe(36)
    expect(alphabetSize('q0Xh-3_ZkP9vL2mN8bR4tW')).toBe(64)
    // 28 random hex characters are 112 bits, whatever the letters look like.
    expect(estimatedTokenBits('8c1f0b9e2d4a7f3e5b6c0d1a2e9f')).toBeLessThanOrEqual(112 + 1e-9)
  })
})

describe('checkChosenToken', () => {
  it.each(WEAK.slice(0, 3))('refuses %s, saying how to make one and not repeating it', async (token) => {
    const check = checkChosenToken('IRISH_API_TOKEN', token)
    await expect(check).rejects.toMatchObject({ code: 'invalid-input' })
    const message = await check.catch((error: Error) => error.message)
    expect(message).toMatch(/IRISH_API_TOKEN is too weak: about \d+ bits, and at least 128 are needed/)
    expect(message).toContain('openssl rand -hex 32')
    expect(message).not.toContain(token)
  })

  it('accepts what the hint makes and what the server generates', async () => {
    await expect(checkChosenToken('IRISH_API_TOKEN', randomBytes(32).toString('hex'))).resolves.toBeUndefined()
    await expect(checkChosenToken('--metrics-token', randomBytes(32).toString('base64url'))).resolves.toBeUndefined()
  })

  it('refuses characters outside the token alphabet with the same hint', async () => {
    await expect(checkChosenToken('--metrics-token', 'has spaces in it, sixteen+')).rejects.toThrow(/--metrics-token must be 16 to 256 characters.*openssl rand -hex 32/)
  })
})

describe('the token file', () => {
  const root = mkdtempSync(join(tmpdir(), 'irish-token-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('is held to the same rule as IRISH_API_TOKEN, and the refusal says what to do with the file', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    writeFileSync(join(dir, TOKEN_FILE), 'passwordpasswordpassword1234\n', { mode: 0o600 })
    const resolve = resolveApiToken(dir, undefined)
    await expect(resolve).rejects.toMatchObject({ code: 'invalid-input' })
    const message = await resolve.catch((error: Error) => error.message)
    expect(message).toMatch(/api-token in the data dir holds a weak token: about \d+ bits.*Delete the file to have a strong one generated/)
    expect(message).not.toContain('password')
  })

  it('keeps a generated token across starts, and it passes the rule', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    const first = await resolveApiToken(dir, undefined)
    expect(first).toMatchObject({ generated: true, source: 'file' })
    expect(estimatedTokenBits(first.token)).toBeGreaterThanOrEqual(MIN_TOKEN_BITS)
    await expect(resolveApiToken(dir, undefined)).resolves.toEqual({ token: first.token, generated: false, source: 'file' })
  })

  it('is refused when others can read it, before its content is judged', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    writeFileSync(join(dir, TOKEN_FILE), 'aaaaaaaaaaaaaaaaaaaaaaaa\n')
    chmodSync(join(dir, TOKEN_FILE), 0o644)
    await expect(resolveApiToken(dir, undefined)).rejects.toMatchObject({ code: 'forbidden' })
  })
})

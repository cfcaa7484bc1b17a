// The headless server's API token: from IRISH_API_TOKEN, or generated on first start and kept in the
// data dir with mode 0600. Compared in constant time. The token is printed once, when generated, and
// never logged afterwards.

import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'

export const TOKEN_FILE = 'api-token'
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/

export interface ResolvedToken {
  token: string
  /** True when this start created the token (so the caller prints it once). */
  generated: boolean
  source: 'env' | 'file'
}

export function resolveApiToken(dataDir: string, envToken: string | undefined): ResolvedToken {
  if (envToken !== undefined && envToken !== '') {
    checkChosenToken('IRISH_API_TOKEN', envToken)
    return { token: envToken, generated: false, source: 'env' }
  }
  const file = join(dataDir, TOKEN_FILE)
  try {
    const mode = statSync(file).mode & 0o777
    if ((mode & 0o077) !== 0) {
      throw new AppError('forbidden', `The API token file ${TOKEN_FILE} in the data dir is readable by other users. Run: chmod 600 <data-dir>/${TOKEN_FILE}`)
    }
    const token = readFileSync(file, 'utf8').trim()
    if (!TOKEN_PATTERN.test(token)) {
      throw new AppError('invalid-input', `The API token file ${TOKEN_FILE} in the data dir is damaged. Delete it to generate a new token.`)
    }
    return { token, generated: false, source: 'file' }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const token = randomBytes(32).toString('base64url')
  // 'wx': never overwrite a token another process just wrote.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { token, generated: true, source: 'file' }
}

/**
 * An operator-chosen token (IRISH_API_TOKEN, --metrics-token): the token alphabet and at least
 * MIN_TOKEN_BITS, or a clear error naming where it came from (never the token itself).
 */
export function checkChosenToken(name: string, token: string): void {
  if (!TOKEN_PATTERN.test(token)) {
    throw new AppError('invalid-input', `${name} must be 16 to 256 characters of letters, digits, "-" or "_".`)
  }
  const bits = estimatedTokenBits(token)
  if (bits < MIN_TOKEN_BITS) {
    throw new AppError(
      'invalid-input',
      `${name} is too weak: about ${Math.floor(bits)} bits, and at least ${MIN_TOKEN_BITS} are needed. ` +
        'Use 32 random hex characters (openssl rand -hex 16) or 22 or more base64url characters (openssl rand -base64 24 | tr "+/" "-_"), or leave it unset to have one generated.',
    )
  }
}

/** The least strength an operator-chosen token must have (a generated one has 256 bits). */
export const MIN_TOKEN_BITS = 128

/**
 * length × log2(alphabet), where the alphabet is the union of the character classes the token uses
 * (lowercase 26, uppercase 26, digits 10, "-" and "_" 2). An upper bound on a random token's strength,
 * so it refuses what is surely weak: 32 hex characters give 165, 22 base64url characters about 131,
 * "aaaaaaaaaaaaaaaa" 75.
 */
export function estimatedTokenBits(token: string): number {
  let alphabet = 0
  if (/[a-z]/.test(token)) alphabet += 26
  if (/[A-Z]/.test(token)) alphabet += 26
  if (/[0-9]/.test(token)) alphabet += 10
  if (/[-_]/.test(token)) alphabet += 2
  return alphabet === 0 ? 0 : token.length * Math.log2(alphabet)
}

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

/** "Bearer <token>" → token; anything else → null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

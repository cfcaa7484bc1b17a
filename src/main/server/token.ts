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
    if (!TOKEN_PATTERN.test(envToken)) {
      throw new AppError('invalid-input', 'IRISH_API_TOKEN must be 16 to 256 characters of letters, digits, "-" or "_".')
    }
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

// The headless server's API token: from IRISH_API_TOKEN, or generated on first start and kept in the
// data dir with mode 0600. Compared in constant time. The token is printed once, when generated, and
// never logged afterwards.

import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import type * as TokenStrength from './token-strength'
import { tokenVerdicts, type TokenVerdicts } from './token-verdicts'

export { tokenMatches } from '../core/tokens/token-compare'

export const TOKEN_FILE = 'api-token'
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/

/** The least strength a chosen token must have (a generated one has 256 bits). */
export const MIN_TOKEN_BITS = 128
/** What a refusal suggests: 256 random bits, so that a pattern found in them by chance never matters. */
export const TOKEN_GENERATOR_HINT = 'openssl rand -hex 32'
/** The rule a recorded verdict holds for (token-verdicts.ts): raise the last number when token-strength.ts counts differently. */
const TOKEN_RULE = `at least ${MIN_TOKEN_BITS} bits, estimator 1`

/** Verdicts kept in the data dir, so a restart skips the strength estimator for a token that passed before. */
export function dataDirTokenVerdicts(dataDir: string): TokenVerdicts {
  return tokenVerdicts(dataDir, TOKEN_RULE)
}

/** A chosen token's strength estimated early, on a thread (token-estimates.ts), or undefined when none was started for it. */
export type TokenEstimates = (token: string) => Promise<number> | undefined

export interface ResolvedToken {
  token: string
  /** True when this start created the token (so the caller prints it once). */
  generated: boolean
  source: 'env' | 'file'
}

/**
 * `verdicts`: the start's one reading of the data dir's token verdicts, shared with --metrics-token's
 * check. `estimates`: strength estimates the entry started early (token-estimates.ts).
 */
export async function resolveApiToken(
  dataDir: string,
  envToken: string | undefined,
  verdicts = dataDirTokenVerdicts(dataDir),
  estimates?: TokenEstimates,
): Promise<ResolvedToken> {
  if (envToken !== undefined && envToken !== '') {
    await checkChosenToken('IRISH_API_TOKEN', envToken, verdicts, estimates)
    return { token: envToken, generated: false, source: 'env' }
  }
  const file = join(dataDir, TOKEN_FILE)
  let token: string | null = null
  try {
    const mode = statSync(file).mode & 0o777
    if ((mode & 0o077) !== 0) {
      throw new AppError('forbidden', `The API token file ${TOKEN_FILE} in the data dir is readable by other users. Run: chmod 600 <data-dir>/${TOKEN_FILE}`)
    }
    token = readFileSync(file, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (token !== null) {
    if (!TOKEN_PATTERN.test(token)) {
      throw new AppError('invalid-input', `The API token file ${TOKEN_FILE} in the data dir is damaged. Delete it to generate a new token.`)
    }
    // A generated token always passes; one an operator wrote into the file is held to the same rule as IRISH_API_TOKEN.
    const bits = await tokenBits(token, verdicts)
    if (bits < MIN_TOKEN_BITS) {
      throw new AppError(
        'invalid-input',
        `The API token file ${TOKEN_FILE} in the data dir holds a weak token: ${strengthShortfall(bits)} ` +
          `Delete the file to have a strong one generated, or write one from \`${TOKEN_GENERATOR_HINT}\` into it.`,
      )
    }
    return { token, generated: false, source: 'file' }
  }
  const generated = randomBytes(32).toString('base64url')
  // 'wx': never overwrite a token another process just wrote.
  writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  // 256 random bits: it passes, and a restart need not estimate it.
  verdicts.record(generated)
  return { token: generated, generated: true, source: 'file' }
}

/**
 * An operator-chosen token (IRISH_API_TOKEN, --metrics-token): the token alphabet and at least
 * MIN_TOKEN_BITS as token-strength.ts counts them, or a clear error naming where it came from (never
 * the token itself). With `verdicts`, a token that passed on an earlier start is not estimated again;
 * with `estimates`, one estimated early is not estimated again either.
 */
export async function checkChosenToken(name: string, token: string, verdicts?: TokenVerdicts, estimates?: TokenEstimates): Promise<void> {
  if (!TOKEN_PATTERN.test(token)) {
    throw new AppError('invalid-input', `${name} must be 16 to 256 characters of letters, digits, "-" or "_". Generate one with \`${TOKEN_GENERATOR_HINT}\`.`)
  }
  const bits = await tokenBits(token, verdicts, estimates)
  if (bits < MIN_TOKEN_BITS) {
    throw new AppError(
      'invalid-input',
      `${name} is too weak: ${strengthShortfall(bits)} Generate one with \`${TOKEN_GENERATOR_HINT}\`, or leave it unset to have one generated.`,
    )
  }
}

function strengthShortfall(bits: number): string {
  return (
    `about ${Math.floor(bits)} bits, and at least ${MIN_TOKEN_BITS} are needed ` +
    '(repeated characters, sequences, keyboard runs, dates and dictionary words count for almost nothing).'
  )
}

/**
 * The token's strength: MIN_TOKEN_BITS for one that passed before, else the estimator's count (recorded
 * when it passes): the early estimate when there is one, else estimated here (also when the early one failed).
 */
async function tokenBits(token: string, verdicts: TokenVerdicts | undefined, estimates?: TokenEstimates): Promise<number> {
  if (verdicts?.passed(token)) return MIN_TOKEN_BITS
  const estimateHere = async (): Promise<number> => (await loadTokenStrength()).estimatedTokenBits(token)
  const early = estimates?.(token)
  const bits = early ? await early.catch(estimateHere) : await estimateHere()
  if (bits >= MIN_TOKEN_BITS) verdicts?.record(token)
  return bits
}

/** The estimator and its dictionaries are loaded only by a process that checks a token (the server's start). */
function loadTokenStrength(): Promise<typeof TokenStrength> {
  return import('./token-strength')
}


/** "Bearer <token>" → token; anything else → null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

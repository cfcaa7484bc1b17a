// Which chosen tokens already passed the strength rule (token-strength.ts), kept in the data dir so that
// a restart does not run the estimator again: loading it and checking one token is about 0.25 s of CPU
// and 30 MB of short-lived heap on every start (docs/performance.md, "The idle server"). Node only.
//
// The file holds a random key and, for each token that passed, an HMAC-SHA256 of the rule and the
// token under that key; never a token. Only tokens of at least MIN_TOKEN_BITS are recorded, so a digest
// cannot be turned back into its token by guessing. The rule is part of what is signed: a stricter rule
// in a later version checks every token again. The file saves time and decides nothing on its own: one
// that is missing, damaged, or writable by other users is ignored (the check runs, as on a first start),
// and one that cannot be written leaves the next start to check again.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const TOKEN_VERDICTS_FILE = 'token-checks.json'
/** Enough for the API token and the metrics token, each changed a few times. */
const KEPT = 8

export interface TokenVerdicts {
  /** True when this token passed `rule` on an earlier start. */
  passed(token: string): boolean
  /** Records that this token passed `rule` (only call it for a token that did). */
  record(token: string): void
}

interface Stored {
  key: string
  passed: string[]
}

/** Verdicts for `rule` in `dataDir`; the file is read once, here, and written on record(). */
export function tokenVerdicts(dataDir: string, rule: string): TokenVerdicts {
  const file = join(dataDir, TOKEN_VERDICTS_FILE)
  const stored = read(file) ?? { key: randomBytes(32).toString('base64url'), passed: [] }
  const key = Buffer.from(stored.key, 'base64url')
  const digest = (token: string): Buffer => createHmac('sha256', key).update(`${rule}\0${token}`).digest()
  return {
    passed(token) {
      const mine = digest(token)
      return stored.passed.some((entry) => {
        const theirs = Buffer.from(entry, 'base64url')
        return theirs.length === mine.length && timingSafeEqual(theirs, mine)
      })
    },
    record(token) {
      const entry = digest(token).toString('base64url')
      stored.passed = [entry, ...stored.passed.filter((e) => e !== entry)].slice(0, KEPT)
      const temporary = `${file}.${process.pid}.tmp`
      try {
        writeFileSync(temporary, `${JSON.stringify(stored)}\n`, { mode: 0o600 })
        renameSync(temporary, file)
      } catch {
        // Not written (a read-only or missing data dir): the next start checks the token again.
      }
    },
  }
}

function read(file: string): Stored | null {
  try {
    // Anyone else who could write it could make a weak token pass.
    if ((statSync(file).mode & 0o022) !== 0) return null
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (!isStored(parsed)) return null
    return parsed
  } catch {
    return null
  }
}

function isStored(value: unknown): value is Stored {
  if (typeof value !== 'object' || value === null) return false
  const { key, passed } = value as Record<string, unknown>
  return typeof key === 'string' && Buffer.from(key, 'base64url').length === 32 && Array.isArray(passed) && passed.every((p) => typeof p === 'string')
}

// Comparing a presented token with a known one in constant time. Main process, Electron-free.

import { createHash, timingSafeEqual } from 'node:crypto'

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string' || given.length === 0) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

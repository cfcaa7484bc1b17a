// Branded ids shared by every process. No electron, no node:*, no DOM.

import type { z } from 'zod'

/**
 * An account's id: lower-case letters, digits and dashes, 1 to 64 characters. zod's own brand, so the
 * contract's AccountIdSchema yields this type with no transform (a transform has no JSON Schema, and
 * the published API describes every output: src/shared/openapi.ts).
 */
export type AccountId = string & z.$brand<'AccountId'>

export const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

export function isAccountId(value: unknown): value is AccountId {
  return typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value)
}

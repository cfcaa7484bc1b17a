// Branded ids shared by every process. No electron, no node:*, no DOM.

declare const accountIdBrand: unique symbol
/** An account's id: lower-case letters, digits and dashes, 1 to 64 characters. */
export type AccountId = string & { readonly [accountIdBrand]: true }

export const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

export function isAccountId(value: unknown): value is AccountId {
  return typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value)
}

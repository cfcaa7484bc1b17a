// Input checks shared by every built-in store: each exported store method validates before it acts.
// Main process, Electron-free. Throws AppError('invalid-input') with a message naming what was wrong.

import { AppError } from '../../../shared/errors'
import { isAccountId, type AccountId } from '../../../shared/ids'
import type { AuthSnapshot, AuthenticationCreds, KeyData } from './types'

/** Longer types or ids are not something Baileys produces; refusing them keeps file names and rows sane. */
const MAX_NAME_LENGTH = 1024

export function assertAccountId(value: unknown): asserts value is AccountId {
  if (!isAccountId(value)) {
    throw new AppError(
      'invalid-input',
      'An account id must be 1 to 64 lower-case letters, digits or dashes, starting with a letter or digit.',
    )
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

export function assertKeyType(type: unknown): asserts type is string {
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_NAME_LENGTH) {
    throw new AppError('invalid-input', `A key type must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`)
  }
}

export function assertKeyId(id: unknown, type: string): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH) {
    throw new AppError(
      'invalid-input',
      `Every ${type} key id must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`,
    )
  }
}

export function assertIds(ids: unknown, type: string): asserts ids is string[] {
  if (!Array.isArray(ids)) throw new AppError('invalid-input', `The ids of ${type} keys to get must be an array of strings.`)
  for (const id of ids) assertKeyId(id, type)
}

export function assertCreds(creds: unknown): asserts creds is AuthenticationCreds {
  if (!isPlainObject(creds)) {
    throw new AppError('invalid-input', 'Creds must be an object, as made by Baileys initAuthCreds().')
  }
}

/** One entry of a validated `set`: `value === null` means delete. */
export interface KeyWrite {
  type: string
  id: string
  value: unknown
}

/** Flattens `set` data after checking its shape. `undefined` deletes like `null`, as Baileys treats it. */
export function flattenKeyData(data: unknown): KeyWrite[] {
  if (!isPlainObject(data)) throw new AppError('invalid-input', 'Key data must be an object of { type: { id: value } }.')
  const writes: KeyWrite[] = []
  for (const [type, entries] of Object.entries(data)) {
    if (entries === undefined) continue
    assertKeyType(type)
    if (!isPlainObject(entries)) {
      throw new AppError('invalid-input', `Key data for type ${type} must be an object of { id: value }.`)
    }
    for (const [id, value] of Object.entries(entries)) {
      assertKeyId(id, type)
      writes.push({ type, id, value: value === undefined ? null : value })
    }
  }
  return writes
}

export function assertSnapshot(snapshot: unknown): asserts snapshot is AuthSnapshot {
  if (!isPlainObject(snapshot)) throw new AppError('invalid-input', 'A snapshot must be an object { creds, keys }.')
  assertCreds(snapshot.creds)
  const keys = snapshot.keys
  if (!isPlainObject(keys)) throw new AppError('invalid-input', 'A snapshot needs keys: an object of { type: { id: value } }.')
  for (const w of flattenKeyData(keys as KeyData)) {
    if (w.value === null) {
      throw new AppError('invalid-input', `A snapshot cannot hold an empty value (${w.type} key ${w.id}).`)
    }
  }
}

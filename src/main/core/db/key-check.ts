// The key-check value both databases keep in their `meta` table: a known plaintext sealed with the data
// key, opened before any migration so a wrong key is refused before anything changes. One home for the
// value and for what its failure means; SQLite and PostgreSQL only differ in how they read and write it.
// While a rotation of the data key is underway (rotation/rotate-key.ts), `meta` also names it: a process may
// open the store then only with both keys, the new one first (docs/security.md, "Rotating the data key").

import { AppError } from '../../../shared/errors'
import { keyCheckAad } from '../crypto/aad'
import { SealOpenError, sealedKeyId, type Sealer } from '../crypto/sealer'

/** The `meta` row that holds the sealed key-check value. */
export const KEY_CHECK_NAME = 'key-check'
/** During a rotation: the key-check value sealed under the new key, which replaces KEY_CHECK_NAME at the end. */
export const NEXT_KEY_CHECK_NAME = 'key-check-next'
/** During a rotation: JSON { from, to, startedAt } with the two key ids. */
export const ROTATION_NAME = 'key-rotation'
const KEY_CHECK_PLAINTEXT = Buffer.from('irish-desktop data key check v1', 'utf8')

export interface Rotation {
  from: string
  to: string
  startedAt: number
}

/** A fresh key-check value for a new database (or for the new key of a rotation). */
export function sealKeyCheck(sealer: Sealer): Buffer {
  return sealer.seal(KEY_CHECK_PLAINTEXT, keyCheckAad())
}

/** True when `sealed` is a key-check value that opens with this sealer's keys. */
export function keyCheckOpens(sealed: Buffer, sealer: Sealer): boolean {
  try {
    return sealer.open(sealed, keyCheckAad()).equals(KEY_CHECK_PLAINTEXT)
  } catch (err) {
    if (err instanceof SealOpenError) return false
    throw err
  }
}

/** How a message names a key: by its id, never by anything of the key itself. */
export function keyName(id: string | null): string {
  return id === null ? 'the key it was created with' : `k-${id}`
}

/**
 * Throws the clear error when `sealed` was not written with a key of this sealer (or is not a key-check
 * value at all). `keyHint` names where the key comes from for this kind of deployment.
 */
export function assertKeyCheck(sealed: Buffer, sealer: Sealer, keyHint: string): void {
  let opened: Buffer
  try {
    opened = sealer.open(sealed, keyCheckAad())
  } catch (err) {
    if (!(err instanceof SealOpenError)) throw err
    const needs = sealedKeyId(sealed)
    throw new AppError(
      'key-unavailable',
      `The data key does not match this database: it is sealed under ${keyName(needs)}, and the key given is ${keyName(sealer.keyId)}. ${keyHint}; nothing was read or changed.`,
      { cause: err },
    )
  }
  if (!opened.equals(KEY_CHECK_PLAINTEXT)) {
    throw new AppError('storage-corrupt', 'The database key-check value is not one this app wrote; restore the database from a backup.')
  }
}

export function parseRotation(value: Buffer | null | undefined): Rotation | null {
  if (!value) return null
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<Rotation>
    if (typeof parsed.from === 'string' && typeof parsed.to === 'string') return { from: parsed.from, to: parsed.to, startedAt: Number(parsed.startedAt ?? 0) }
  } catch {
    // Falls through to the error below.
  }
  throw new AppError('storage-corrupt', 'The record of a data key rotation in this database is damaged; restore the database from a backup.')
}

/**
 * While a rotation is underway, values are sealed under either key: a process that would write under
 * the old key, or could not read one of the two, must not open the store.
 */
export function assertRotationKeys(rotation: Rotation | null, sealer: Sealer): void {
  if (!rotation) return
  if (sealer.keyId === rotation.to && sealer.keyIds.includes(rotation.from)) return
  throw new AppError(
    'key-unavailable',
    `A rotation of the data key from ${keyName(rotation.from)} to ${keyName(rotation.to)} is underway in this database (irish rotate-key has not finished). ` +
      `Finish it with irish rotate-key (the new key as the data key, the old one as the previous key), or start with both: the new key as IRISH_DATA_KEY ` +
      `(or --key-file) and the old one as IRISH_PREVIOUS_DATA_KEY (or --previous-key-file). Nothing was read or changed.`,
  )
}

// The key-check value both databases keep in their `meta` table: a known plaintext sealed with the data
// key, opened before any migration so a wrong key is refused before anything changes. One home for the
// value and for what its failure means; SQLite and PostgreSQL only differ in how they read and write it.

import { AppError } from '../../../shared/errors'
import { keyCheckAad } from '../crypto/aad'
import { SealOpenError, type Sealer } from '../crypto/sealer'

/** The `meta` row that holds the sealed key-check value. */
export const KEY_CHECK_NAME = 'key-check'
const KEY_CHECK_PLAINTEXT = Buffer.from('irish-desktop data key check v1', 'utf8')

/** A fresh key-check value for a new database. */
export function sealKeyCheck(sealer: Sealer): Buffer {
  return sealer.seal(KEY_CHECK_PLAINTEXT, keyCheckAad())
}

/**
 * Throws the clear error when `sealed` was not written with this data key (or is not a key-check value
 * at all). `keyHint` names where the key comes from for this kind of deployment.
 */
export function assertKeyCheck(sealed: Buffer, sealer: Sealer, keyHint: string): void {
  let opened: Buffer
  try {
    opened = sealer.open(sealed, keyCheckAad())
  } catch (err) {
    if (!(err instanceof SealOpenError)) throw err
    throw new AppError(
      'key-unavailable',
      `The data key does not match this database: it was created with another key. ${keyHint}; nothing was read or changed.`,
      { cause: err },
    )
  }
  if (!opened.equals(KEY_CHECK_PLAINTEXT)) {
    throw new AppError('storage-corrupt', 'The database key-check value is not one this app wrote; restore the database from a backup.')
  }
}

// Sealing and opening auth values at their place (account, type, id), with the errors a damaged or
// moved row gives. Shared by the built-in database stores (SQLite, PostgreSQL) so both keep one meaning.
// Main process, Electron-free.

import { AppError } from '../../../shared/errors'
import { SealOpenError, type Sealer } from '../crypto/sealer'
import { credsAad, decodeValue, encodeValue, keyAad } from './codec'
import type { AuthenticationCreds, KeyValue } from './types'
import { flattenKeyData } from './validate'

/** A sealed row ready to write; built before the transaction so a value that cannot be stored changes nothing. */
export interface SealedWrite {
  type: string
  id: string
  sealed: Buffer | null
}

export interface ValueSealing {
  openKey(account: string, type: string, id: string, sealed: Buffer): KeyValue
  openCreds(account: string, sealed: Buffer): AuthenticationCreds
  sealCreds(account: string, creds: unknown): Buffer
  /** Validates and seals a `set` (or a snapshot's keys); throws invalid-input before anything is written. */
  sealWrites(account: string, data: unknown): SealedWrite[]
  /** Seals one key's value (an import seals each as it writes it, inside its transaction). */
  sealKey(account: string, type: string, id: string, value: unknown): Buffer
}

export function createValueSealing(sealer: Sealer): ValueSealing {
  function sealKey(account: string, type: string, id: string, value: unknown): Buffer {
    return sealer.seal(encodeValue(value, `The ${type} key "${id}" of account ${account}`), keyAad(account, type, id))
  }

  return {
    openKey(account, type, id, sealed) {
      try {
        return decodeValue(sealer.open(sealed, keyAad(account, type, id)))
      } catch (err) {
        throw corruptKey(account, type, id, err)
      }
    },
    openCreds(account, sealed) {
      try {
        return decodeValue(sealer.open(sealed, credsAad(account))) as AuthenticationCreds
      } catch (err) {
        throw new AppError(
          'storage-corrupt',
          `The creds of account ${account} cannot be decrypted: the row is damaged or was copied from elsewhere. ` +
            'Remove the account and pair it again, or restore the database from a backup.',
          { cause: err },
        )
      }
    },
    sealCreds(account, creds) {
      return sealer.seal(encodeValue(creds, `The creds of account ${account}`), credsAad(account))
    },
    sealWrites(account, data) {
      return flattenKeyData(data).map((w) => ({ type: w.type, id: w.id, sealed: w.value === null ? null : sealKey(account, w.type, w.id, w.value) }))
    },
    sealKey,
  }
}

function corruptKey(account: string, type: string, id: string, err: unknown): AppError {
  const why = err instanceof SealOpenError ? 'cannot be decrypted' : 'cannot be read back'
  return new AppError(
    'storage-corrupt',
    `The ${type} key "${id}" of account ${account} ${why}: the row is damaged or was copied from elsewhere. ` +
      `Delete that key (Baileys renegotiates sessions and sender keys), or clear the account and pair it again.`,
    { cause: err },
  )
}

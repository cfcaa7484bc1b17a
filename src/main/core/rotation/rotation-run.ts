// `irish rotate-key` end to end: where the two keys come from, the keychain's part for the desktop's key,
// the data dir's lock, the migrations a store needs before its tables are walked, and the rotation itself
// (rotate-key.ts). Main process, Electron-free. Every refusal happens before anything changes.

import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { keyIdOf } from '../crypto/sealer'
import {
  KEYCHAIN_PREVIOUS_ACCOUNT,
  PREVIOUS_DATA_KEY_ENV,
  prepareKeychainRotation,
  resolveKeyVault,
  resolvePreviousKeyVault,
  retireKeychainPrevious,
} from '../crypto/key-vault'
import { acquireDataDirLock } from '../data-dir-lock'
import type { Logger } from '../logger'
import { DATABASE_FILE, openDatabase } from '../db/open-database'
import { keyName } from '../db/key-check'
import { rotatePostgresKey, rotateSqliteKey, type RotationReport } from './rotate-key'

export interface RotateKeyRun {
  dataDir?: string
  databaseUrl?: string
  env: Readonly<Record<string, string | undefined>>
  keyFile?: string
  previousKeyFile?: string
  /** The desktop's keychain key: moved to data-key-previous, a new one made, the previous removed at the end. */
  newKeyInKeychain: boolean
  batchSize: number
  logger: Logger
}

/** Tests only: the rotation kills itself (SIGKILL) after this many committed steps. */
const CRASH_ENV = 'IRISH_TEST_ROTATION_CRASH_AFTER'

export async function rotateKey(run: RotateKeyRun): Promise<RotationReport & { ms: number }> {
  const started = performance.now()
  const crash = run.env[CRASH_ENV] ? Number(run.env[CRASH_ENV]) : undefined
  if (crash !== undefined && (!Number.isInteger(crash) || crash < 1)) throw new AppError('invalid-input', `${CRASH_ENV} must be a whole number of steps, at least 1.`)
  const lock = run.dataDir ? acquireDataDirLock(run.dataDir) : null
  try {
    if (run.newKeyInKeychain) await prepareKeychainRotation()
    const newKey = await resolveKeyVault({ env: run.env, ...(run.keyFile ? { keyFile: run.keyFile } : {}), preferKeychain: true }).getDataKey()
    const previous = resolvePreviousKeyVault({
      env: run.env,
      ...(run.previousKeyFile ? { keyFile: run.previousKeyFile } : {}),
      keychain: run.newKeyInKeychain || run.env[PREVIOUS_DATA_KEY_ENV] === undefined ? {} : null,
    })
    const oldKey = previous ? await previous.getDataKey() : null
    if (!oldKey) {
      throw new AppError(
        'invalid-input',
        `Give the old key: ${PREVIOUS_DATA_KEY_ENV}, --previous-key-file <file>, or the keychain entry ${KEYCHAIN_PREVIOUS_ACCOUNT}. The new key is the data key (IRISH_DATA_KEY, --key-file or the keychain).`,
      )
    }
    if (keyIdOf(newKey) === keyIdOf(oldKey)) {
      throw new AppError('invalid-input', `The new data key and the previous one are the same key (${keyName(keyIdOf(newKey))}): give a new key. Nothing was changed.`)
    }
    const options = { newKey, oldKey, logger: run.logger, batchSize: run.batchSize, ...(crash !== undefined ? { crashAfterSteps: crash } : {}) }
    let report: RotationReport
    try {
      if (run.dataDir) {
        const file = join(run.dataDir, DATABASE_FILE)
        // The key check (a wrong or unknown key is refused here, before any change) and the migrations
        // the tables need; then the store is walked on its own connection.
        openDatabase({ file, dataKey: newKey, previousKeys: [oldKey] }).close()
        report = await rotateSqliteKey(file, options)
      } else {
        const { openPostgres } = await import('../db/postgres/open-postgres')
        await (await openPostgres({ url: run.databaseUrl!, dataKey: newKey, previousKeys: [oldKey], logger: run.logger, poolSize: 1 })).close()
        report = await rotatePostgresKey(run.databaseUrl!, options)
      }
    } finally {
      newKey.fill(0)
      oldKey.fill(0)
    }
    if (run.newKeyInKeychain) await retireKeychainPrevious()
    return { ...report, ms: Math.round(performance.now() - started) }
  } finally {
    lock?.release()
  }
}

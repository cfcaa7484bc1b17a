// irish restore: puts a backup (sqlite-backup.ts) in place as a data dir's store. Main process,
// Electron-free. Refused before anything changes: a file that is not a sound Irish store, a key that
// does not open it (naming the key it needs), a data dir that is not empty (unless replace), and a
// backup older than the state it replaces for any device (unless allowOlder, after a warning). The
// store it replaces hands on what it has seen of each device, so older state stays refused afterwards.

import { copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import { createSealer, keyIdOf, sealedKeyId } from '../crypto/sealer'
import { credsAad } from '../crypto/aad'
import { acquireDataDirLock } from '../data-dir-lock'
import { assertRotationKeys, KEY_CHECK_NAME, keyCheckOpens, keyName, parseRotation, ROTATION_NAME } from '../db/key-check'
import { DATABASE_FILE } from '../db/open-database'
import type { Logger } from '../logger'
import { describeOlderState, olderState, type Seen } from '../staleness/seen-identities'
import { SEEN_SQL } from '../staleness/sqlite-seen-identities'

import { BACKUP_RECORD_NAME, type BackupRecord } from './sqlite-backup'

export interface RestoreOptions {
  from: string
  dataDir: string
  /** Put the backup in place of the store a non-empty data dir holds. */
  replace: boolean
  /** Restore even where the backup holds older state of a device than the store it replaces. */
  allowOlder: boolean
  dataKey: Buffer
  previousKeys?: readonly Buffer[]
  /** Each warning about older state, before it is restored anyway. */
  warn(line: string): void
  logger: Logger
}

export interface RestoreReport {
  accounts: number
  keyId: string
  replaced: boolean
  /** Devices restored older than the replaced store had seen them (only with allowOlder). */
  older: number
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  if (!existsSync(options.from)) throw new AppError('not-found', `${options.from} does not exist.`)
  const sealer = createSealer(options.dataKey, options.previousKeys ?? [])
  const backup = openBackup(options.from)
  let report: RestoreReport
  let incoming: Array<{ identity: string; writes: number; account_id: string }>
  try {
    const check = backup.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?').get(KEY_CHECK_NAME)?.value
    if (!check) throw new AppError('invalid-input', `${options.from} is not an Irish store or backup (it has no key-check value).`)
    const record = readRecord(backup)
    const needs = sealedKeyId(check) ?? record?.keyId ?? null
    if (!keyCheckOpens(check, sealer)) {
      throw new AppError(
        'key-unavailable',
        `This backup needs data key ${keyName(needs)}, and the key given is ${keyName(keyIdOf(options.dataKey))}. Give the key it was written under (IRISH_DATA_KEY, --key-file or the keychain). Nothing was changed.`,
      )
    }
    assertRotationKeys(parseRotation(backup.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?').get(ROTATION_NAME)?.value), sealer)
    // Every account's creds open here, or the restored server could not connect them.
    for (const row of backup.prepare('SELECT account_id, value FROM auth_creds').iterate() as Iterable<{ account_id: string; value: Buffer }>) {
      try {
        sealer.open(row.value, credsAad(row.account_id))
      } catch (cause) {
        throw new AppError('storage-corrupt', `The credentials of account ${row.account_id} in this backup do not open with the key given: the file is damaged. Nothing was changed.`, { cause })
      }
    }
    incoming = backup.prepare('SELECT identity, writes, account_id FROM auth_creds WHERE identity IS NOT NULL').all() as typeof incoming
    const accounts = (backup.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n
    report = { accounts, keyId: needs ?? sealer.keyId, replaced: false, older: 0 }
  } finally {
    backup.close()
  }

  const present = existsSync(options.dataDir) ? readdirSync(options.dataDir) : []
  if (present.length > 0 && !options.replace) {
    throw new AppError(
      'conflict',
      `${options.dataDir} is not empty. Restore into a new or empty data dir, or pass --replace to put the backup in place of the store there (its server stopped). Nothing was changed.`,
    )
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const lock = acquireDataDirLock(options.dataDir)
  try {
    const file = join(options.dataDir, DATABASE_FILE)
    const staging = `${file}.restoring`
    rmSync(staging, { force: true })
    let seen: Array<{ identity: string; writes: number; account_id: string; at: number }> = []
    if (existsSync(file)) {
      const current = new Database(file)
      try {
        const found = olderDevices(current, incoming)
        if (found.length > 0 && !options.allowOlder) {
          throw new AppError('conflict', `${describeOlderState('backup', found[0]!.device, found[0]!.older)}${found.length > 1 ? ` (${found.length} devices in all)` : ''} Nothing was changed.`)
        }
        for (const { device, older } of found) options.warn(describeOlderState('backup', device, older))
        report.older = found.length
        seen = current
          .prepare(
            "SELECT identity, writes, account_id, at FROM seen_identities UNION ALL SELECT identity, writes, account_id, updated_at AS at FROM auth_creds WHERE identity IS NOT NULL",
          )
          .all() as typeof seen
        // Everything it wrote is in the main file, so nothing is lost with its -wal below.
        current.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        current.close()
      }
      report.replaced = true
    }
    copyFileSync(options.from, staging)
    chmodSync(staging, 0o600)
    const restored = new Database(staging)
    try {
      restored.prepare('DELETE FROM meta WHERE key = ?').run(BACKUP_RECORD_NAME)
      const remember = restored.prepare(
        'INSERT INTO seen_identities (identity, writes, account_id, at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (identity) DO UPDATE SET writes = excluded.writes, account_id = excluded.account_id, at = excluded.at WHERE excluded.writes > seen_identities.writes',
      )
      restored.transaction(() => {
        for (const row of seen) remember.run(row.identity, row.writes, row.account_id, row.at)
      })()
    } finally {
      restored.close()
    }
    // A -wal of the replaced store must not be applied to the restored one.
    rmSync(`${file}-wal`, { force: true })
    rmSync(`${file}-shm`, { force: true })
    renameSync(staging, file)
    options.logger.info({ accounts: report.accounts, replaced: report.replaced }, 'store restored from a backup')
    return report
  } finally {
    lock.release()
  }
}

function openBackup(path: string): Database.Database {
  let db: Database.Database
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') {
      db.close()
      throw new AppError('storage-corrupt', `${path} is damaged (SQLite's integrity check says: ${String(integrity).slice(0, 200)}). Nothing was changed.`)
    }
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get()) {
      db.close()
      throw new AppError('invalid-input', `${path} is not an Irish store or backup. Nothing was changed.`)
    }
    return db
  } catch (cause) {
    if (cause instanceof AppError) throw cause
    throw new AppError('invalid-input', `${path} is not a SQLite database, so not an Irish backup. Nothing was changed.`, { cause })
  }
}

function readRecord(db: Database.Database): BackupRecord | null {
  const row = db.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?').get(BACKUP_RECORD_NAME)
  if (!row) return null
  try {
    return JSON.parse(row.value.toString('utf8')) as BackupRecord
  } catch {
    return null
  }
}

function olderDevices(current: Database.Database, incoming: Array<{ identity: string; writes: number; account_id: string }>): Array<{ device: string; older: { writes: number; seen: Seen } }> {
  const seen = current.prepare<[string, string], { writes: number; account_id: string }>(SEEN_SQL)
  const out: Array<{ device: string; older: { writes: number; seen: Seen } }> = []
  for (const row of incoming) {
    const found = seen.get(row.identity, row.identity)
    const older = olderState({ device: row.identity, writes: Number(row.writes) }, found ? { writes: Number(found.writes), accountId: found.account_id } : null)
    if (older) out.push({ device: row.identity, older })
  }
  return out
}

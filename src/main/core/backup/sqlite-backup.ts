// store:backup: a consistent copy of the running SQLite store, written with SQLite's online backup API
// (pages copied in steps while the accounts keep writing; the copy is the database as of one moment).
// Main process, Electron-free. Values stay sealed: the copy records the id of the data key it needs
// (meta row `backup`), and restore.ts refuses a key that does not open it. docs/security.md, "Backups".

import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, linkSync, statSync, unlinkSync } from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'
import Database from 'better-sqlite3'
import type { BackupInfo } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { sealedKeyId } from '../crypto/sealer'
import { KEY_CHECK_NAME } from '../db/key-check'
import type { Logger } from '../logger'

/** The `meta` row a backup file carries: which key it needs, when and by which version it was written. */
export const BACKUP_RECORD_NAME = 'backup'

export interface BackupRecord {
  keyId: string
  at: number
  appVersion: string
  accounts: number
}

export interface BackupOptions {
  /** The key id the store's values are sealed under when the key-check value does not say (a store written before key ids). */
  keyId: string
  appVersion: string
  logger: Logger
  now?: () => number
}

export async function backupSqlite(sqlite: Database.Database, path: string, options: BackupOptions): Promise<BackupInfo> {
  if (!isAbsolute(path)) throw new AppError('invalid-input', `Give the backup file as an absolute path on the server's machine (not ${JSON.stringify(path)}).`)
  if (existsSync(path)) throw new AppError('conflict', `${path} exists already; a backup never overwrites a file. Choose another name.`)
  const folder = dirname(path)
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new AppError('not-found', `The folder ${folder} does not exist on the server's machine.`)
  const at = (options.now ?? Date.now)()
  // Written under a temporary name and linked into place: no half-written backup ever has the name.
  const partial = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
  try {
    await sqlite.backup(partial)
    const copy = new Database(partial)
    let record: BackupRecord
    try {
      // One file, whatever the source's journal: the copy is complete without a -wal beside it.
      copy.pragma('journal_mode = DELETE')
      const check = copy.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?').get(KEY_CHECK_NAME)
      const accounts = (copy.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n
      record = { keyId: (check && sealedKeyId(check.value)) ?? options.keyId, at, appVersion: options.appVersion, accounts }
      copy.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(BACKUP_RECORD_NAME, Buffer.from(JSON.stringify(record)))
    } finally {
      copy.close()
    }
    chmodSync(partial, 0o600)
    try {
      linkSync(partial, path)
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'EEXIST') throw new AppError('conflict', `${path} appeared while the backup was written; it was left alone. Choose another name.`)
      throw cause
    }
    const bytes = statSync(path).size
    options.logger.info({ accounts: record.accounts, bytes }, 'store backed up')
    return { path, bytes, keyId: record.keyId, accounts: record.accounts, at }
  } catch (cause) {
    if (cause instanceof AppError) throw cause
    const code = (cause as { code?: unknown }).code
    throw new AppError('unavailable', `The backup could not be written to ${path} (${typeof code === 'string' ? code : 'error'}). Nothing was left there.`, { cause })
  } finally {
    if (existsSync(partial)) unlinkSync(partial)
  }
}

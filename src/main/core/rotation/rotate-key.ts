// Re-seals every sealed value of a store under a new data key (docs/security.md, "Rotating the data
// key"), on SQLite or PostgreSQL. Main process, Electron-free. `irish rotate-key` runs it.
//
// Crash-safe by construction: each step is one transaction. The first records the rotation (the two key
// ids) and a key-check value under the new key; then each batch of rows is re-sealed in its own
// transaction; the last checks that no value is left under another key and swaps the key-check. A kill
// at any moment leaves every value sealed under the old key or the new one, each naming its key (crypto/
// sealer.ts), so the store opens with both keys and a rerun walks the tables again, skipping what is done.
// A value is replaced only if it is still the bytes that were read (compare-and-swap): a fleet server
// that wrote it meanwhile (under the new key) wins. Before anything changes, it refuses the same key, a
// new key other than the one an unfinished rotation is going to, and (PostgreSQL) a live server that does
// not seal under the new key yet.

import Database from 'better-sqlite3'
import pg from 'pg'
import { AppError } from '../../../shared/errors'
import { createSealer, keyIdOf, sealedPrefix, SEALED_HEADER_BYTES, type Sealer } from '../crypto/sealer'
import type { Logger } from '../logger'
import { describePgError, redactUrl } from '../db/postgres/pg-errors'
import { KEY_CHECK_NAME, keyCheckOpens, keyName, NEXT_KEY_CHECK_NAME, parseRotation, ROTATION_NAME, sealKeyCheck, type Rotation } from '../db/key-check'
import { DEFAULT_ROTATION_BATCH, sealedColumnsOf, type SealedColumn } from '../db/sealed-columns'

export interface RotationOptions {
  /** The key to seal under from now on. */
  newKey: Buffer
  /** The key the store is sealed under now (or was, for a rotation left unfinished). */
  oldKey: Buffer
  logger: Logger
  /** Rows re-sealed per transaction. */
  batchSize?: number
  now?: () => number
  /** Tests only: the process kills itself (SIGKILL) once this many steps have committed. */
  crashAfterSteps?: number
}

export interface RotationReport {
  from: string
  to: string
  /** Values re-sealed by this run. */
  resealed: number
  /** True when the store was already sealed under the new key: nothing was done. */
  alreadyDone: boolean
  /** Transactions committed by this run. */
  steps: number
}

interface Row {
  key: unknown[]
  aadFields: Record<string, string>
  value: Buffer
}

/** One database's side of a rotation: every operation is one statement or one transaction. */
interface RotationStore {
  /** The sealed columns this database has. */
  columns: readonly SealedColumn[]
  readMeta(name: string): Promise<Buffer | null>
  /** Writes the rotation record and the next key-check value, in one transaction. */
  begin(rotation: Rotation, nextCheck: Buffer): Promise<void>
  /** Up to `limit` rows after `after` (by key), in key order, with a value. */
  batch(column: SealedColumn, after: unknown[] | null, limit: number): Promise<Row[]>
  /** Replaces each value still equal to `old`, in one transaction; answers how many were replaced. */
  rewrite(column: SealedColumn, rows: Array<{ key: unknown[]; old: Buffer; value: Buffer }>): Promise<number>
  /** In one transaction: when no value is left without `prefix`, swaps the key-check and ends the rotation (true); otherwise changes nothing (false). */
  finish(prefix: Buffer): Promise<boolean>
  /** Reclaims the space the old values held (and overwrites it where the database can). */
  compact(): Promise<void>
  /** PostgreSQL: live servers and the key each seals under. */
  liveServers(): Promise<Array<{ id: string; url: string; keyId: string | null }>>
}

async function rotate(store: RotationStore, options: RotationOptions): Promise<RotationReport> {
  const { logger } = options
  const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH
  const to = keyIdOf(options.newKey)
  const from = keyIdOf(options.oldKey)
  let steps = 0
  const committed = (): void => {
    steps += 1
    if (options.crashAfterSteps !== undefined && steps >= options.crashAfterSteps) process.kill(process.pid, 'SIGKILL')
  }
  if (to === from) throw new AppError('invalid-input', `The new data key is the key the store is sealed under already (${keyName(to)}): give a new key. Nothing was changed.`)

  const keyCheck = await store.readMeta(KEY_CHECK_NAME)
  if (!keyCheck) throw new AppError('not-found', 'This store has no key-check value: it was never opened by Irish, so there is nothing to re-seal.')
  const underNew = createSealer(options.newKey)
  const rotation = parseRotation(await store.readMeta(ROTATION_NAME))
  if (!rotation && keyCheckOpens(keyCheck, underNew)) {
    logger.info({ key: to }, 'the store is sealed under the new key already')
    return { from, to, resealed: 0, alreadyDone: true, steps }
  }
  if (rotation && rotation.to !== to) {
    throw new AppError(
      'invalid-input',
      `A rotation to ${keyName(rotation.to)} is underway in this store, and the new key given is ${keyName(to)}: finish it with the key it started with. Nothing was changed.`,
    )
  }
  const both = createSealer(options.newKey, [options.oldKey])
  if (!keyCheckOpens(keyCheck, both)) {
    throw new AppError(
      'key-unavailable',
      `Neither key opens this store: it is sealed under another key than ${keyName(from)} (old) and ${keyName(to)} (new). Nothing was changed.`,
    )
  }
  const behind = (await store.liveServers()).filter((server) => server.keyId !== to)
  if (behind.length > 0) {
    throw new AppError(
      'conflict',
      `Not every server of the fleet seals under the new key yet: ${behind.map((s) => `${s.id} (${s.url}, ${s.keyId ? keyName(s.keyId) : 'an older version'})`).join(', ')}. ` +
        'Restart each with the new key as IRISH_DATA_KEY and the old one as IRISH_PREVIOUS_DATA_KEY first (docs/security.md). Nothing was changed.',
    )
  }

  if (!rotation) {
    await store.begin({ from, to, startedAt: (options.now ?? Date.now)() }, sealKeyCheck(underNew))
    committed()
    logger.info({ from, to }, 'data key rotation started')
  } else {
    logger.info({ from: rotation.from, to }, 'resuming an unfinished data key rotation')
  }

  const prefix = sealedPrefix(to)
  let resealed = 0
  // A server of a fleet may write under the old key until it is restarted; the last step refuses to
  // finish while any such value is left, so the tables are walked again (a few times at most).
  for (let pass = 0; pass < 5; pass += 1) {
    for (const column of store.columns) resealed += await resealColumn(store, column, both, prefix, batchSize, committed)
    if (await store.finish(prefix)) {
      committed()
      await store.compact()
      logger.info({ from, to, resealed }, 'data key rotation finished')
      return { from, to, resealed, alreadyDone: false, steps }
    }
  }
  throw new AppError('conflict', 'Values kept appearing under the old key while the store was re-sealed: a server still writes under it. Restart every server with the new key, then run irish rotate-key again.')
}

async function resealColumn(store: RotationStore, column: SealedColumn, sealer: Sealer, prefix: Buffer, batchSize: number, committed: () => void): Promise<number> {
  let after: unknown[] | null = null
  let resealed = 0
  for (;;) {
    const rows = await store.batch(column, after, batchSize)
    if (rows.length === 0) return resealed
    after = rows.at(-1)!.key
    const stale = rows.filter((row) => !row.value.subarray(0, SEALED_HEADER_BYTES).equals(prefix))
    if (stale.length === 0) continue
    const rewrites = stale.map((row) => {
      const aad = column.aad(row.aadFields)
      let plain: Buffer
      try {
        plain = sealer.open(row.value, aad)
      } catch (cause) {
        throw new AppError(
          'storage-corrupt',
          `A value in ${column.table}.${column.column} (${column.key.map((k, i) => `${k} ${String(row.key[i])}`).join(', ')}) opens with neither key: the row is damaged. ` +
            'Delete that row (or restore from a backup), then run irish rotate-key again; what was re-sealed so far stays so.',
          { cause },
        )
      }
      const value = sealer.seal(plain, aad)
      plain.fill(0)
      return { key: row.key, old: row.value, value }
    })
    resealed += await store.rewrite(column, rewrites)
    committed()
  }
}

function rowOf(column: SealedColumn, raw: Record<string, unknown>): Row {
  const aadFields: Record<string, string> = {}
  for (const name of [...column.key, ...(column.reads ?? [])]) aadFields[name] = String(raw[name])
  return { key: column.key.map((k) => raw[k]), aadFields, value: raw[column.column] as Buffer }
}

// ---------------------------------------------------------------------------------------------------
// SQLite

/** Rotates the SQLite store in `file`. The caller holds the data dir's lock (no server runs on it). */
export function rotateSqliteKey(file: string, options: RotationOptions): Promise<RotationReport> {
  let sqlite: Database.Database
  try {
    sqlite = new Database(file, { fileMustExist: true })
  } catch (cause) {
    throw new AppError('not-found', `There is no store at ${file}: give the data dir of the store to re-seal.`, { cause })
  }
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  // The old ciphertexts are zeroed in the file as they are replaced, not left in free pages.
  sqlite.pragma('secure_delete = ON')
  const readMeta = sqlite.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?')
  const putMeta = sqlite.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  const deleteMeta = sqlite.prepare('DELETE FROM meta WHERE key = ?')
  const q = (name: string): string => `"${name}"`

  const columns = sealedColumnsOf('sqlite')
  const store: RotationStore = {
    columns,
    readMeta: async (name) => readMeta.get(name)?.value ?? null,
    async begin(rotation, nextCheck) {
      sqlite.transaction(() => {
        putMeta.run(ROTATION_NAME, Buffer.from(JSON.stringify(rotation)))
        putMeta.run(NEXT_KEY_CHECK_NAME, nextCheck)
      }).immediate()
    },
    async batch(column, after, limit) {
      const keys = column.key.map(q).join(', ')
      const columns = [...column.key, ...(column.reads ?? []), column.column].map(q).join(', ')
      const where = after ? `AND (${keys}) > (${after.map(() => '?').join(', ')})` : ''
      const rows = sqlite
        .prepare(`SELECT ${columns} FROM ${q(column.table)} WHERE ${q(column.column)} IS NOT NULL ${where} ORDER BY ${keys} LIMIT ?`)
        .all(...(after ?? []), limit) as Array<Record<string, unknown>>
      return rows.map((raw) => rowOf(column, raw))
    },
    async rewrite(column, rows) {
      const update = sqlite.prepare(
        `UPDATE ${q(column.table)} SET ${q(column.column)} = ? WHERE ${column.key.map((k) => `${q(k)} = ?`).join(' AND ')} AND ${q(column.column)} = ?`,
      )
      return sqlite.transaction(() => rows.reduce((n, row) => n + update.run(row.value, ...row.key, row.old).changes, 0)).immediate()
    },
    async finish(prefix) {
      return sqlite
        .transaction(() => {
          for (const column of columns) {
            const left = sqlite
              .prepare(`SELECT 1 FROM ${q(column.table)} WHERE ${q(column.column)} IS NOT NULL AND substr(${q(column.column)}, 1, ?) != ? LIMIT 1`)
              .get(prefix.length, prefix)
            if (left) return false
          }
          const next = readMeta.get(NEXT_KEY_CHECK_NAME)?.value
          if (!next) throw new AppError('storage-corrupt', 'The rotation record has no key-check value for the new key; restore the store from a backup.')
          putMeta.run(KEY_CHECK_NAME, next)
          deleteMeta.run(NEXT_KEY_CHECK_NAME)
          deleteMeta.run(ROTATION_NAME)
          return true
        })
        .immediate()
    },
    async compact() {
      // What the write-ahead log still holds of the old values goes too.
      sqlite.pragma('wal_checkpoint(TRUNCATE)')
    },
    liveServers: async () => [],
  }
  return rotate(store, options).finally(() => sqlite.close())
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL

/** Rotates a fleet's PostgreSQL database. Its servers may keep running, each with both keys (the new one first). */
export async function rotatePostgresKey(url: string, options: RotationOptions): Promise<RotationReport> {
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'irish-rotate-key' })
  pool.on('error', (err) => options.logger.warn({ err: describePgError(err) }, 'a PostgreSQL connection was closed'))
  const q = (name: string): string => `"${name}"`
  const params = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ')

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }

  const columns = sealedColumnsOf('postgres')
  const store: RotationStore = {
    columns,
    async readMeta(name) {
      return (await pool.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [name])).rows[0]?.value ?? null
    },
    async begin(rotation, nextCheck) {
      await inTransaction(async (client) => {
        const put = 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
        await client.query(put, [ROTATION_NAME, Buffer.from(JSON.stringify(rotation))])
        await client.query(put, [NEXT_KEY_CHECK_NAME, nextCheck])
      })
    },
    async batch(column, after, limit) {
      const keys = column.key.map(q).join(', ')
      const columns = [...column.key, ...(column.reads ?? []), column.column].map(q).join(', ')
      const where = after ? `AND (${keys}) > (${params(after.length)})` : ''
      const { rows } = await pool.query(
        `SELECT ${columns} FROM ${q(column.table)} WHERE ${q(column.column)} IS NOT NULL ${where} ORDER BY ${keys} LIMIT $${(after?.length ?? 0) + 1}`,
        [...(after ?? []), limit],
      )
      return rows.map((raw: Record<string, unknown>) => rowOf(column, raw))
    },
    async rewrite(column, rows) {
      const n = column.key.length
      const sql = `UPDATE ${q(column.table)} SET ${q(column.column)} = $1 WHERE ${column.key.map((k, i) => `${q(k)} = $${i + 2}`).join(' AND ')} AND ${q(column.column)} = $${n + 2}`
      return inTransaction(async (client) => {
        let changed = 0
        for (const row of rows) changed += (await client.query(sql, [row.value, ...row.key, row.old])).rowCount ?? 0
        return changed
      })
    },
    async finish(prefix) {
      return inTransaction(async (client) => {
        // Taken first, so no server writes a sealed value between the check and the swap.
        await client.query(`LOCK TABLE ${[...new Set(columns.map((c) => q(c.table)))].join(', ')} IN SHARE MODE`)
        for (const column of columns) {
          const left = await client.query(
            `SELECT 1 FROM ${q(column.table)} WHERE ${q(column.column)} IS NOT NULL AND substring(${q(column.column)} from 1 for $1) <> $2 LIMIT 1`,
            [prefix.length, prefix],
          )
          if (left.rowCount) return false
        }
        const next = (await client.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [NEXT_KEY_CHECK_NAME])).rows[0]?.value
        if (!next) throw new AppError('storage-corrupt', 'The rotation record has no key-check value for the new key; restore the database from a backup.')
        await client.query('UPDATE meta SET value = $2 WHERE key = $1', [KEY_CHECK_NAME, next])
        await client.query('DELETE FROM meta WHERE key = ANY($1)', [[NEXT_KEY_CHECK_NAME, ROTATION_NAME]])
        return true
      })
    },
    async compact() {
      // Marks the old row versions free; VACUUM FULL (an exclusive lock) also rewrites the files.
      for (const table of new Set(columns.map((c) => c.table))) await pool.query(`VACUUM ${q(table)}`)
    },
    async liveServers() {
      const { rows } = await pool.query<{ id: string; url: string; key_id: string | null }>(
        "SELECT id, url, key_id FROM servers WHERE heartbeat_at > now() - interval '1 minute'",
      )
      return rows.map((row) => ({ id: row.id, url: row.url, keyId: row.key_id }))
    },
  }
  try {
    return await rotate(store, options)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('unavailable', `The rotation on ${redactUrl(url)} stopped: ${describePgError(err)}. What was re-sealed stays so; run irish rotate-key again to finish.`, { cause: err })
  } finally {
    await pool.end()
  }
}

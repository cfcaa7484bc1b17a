// The SQLite implementation of the session manager's AccountRepository, through Drizzle.
// Main process, Electron-free. Maps rows to records and back; nothing else sees the rows.
// Rows are read once at open and kept in memory, as the PostgreSQL repository keeps them: the session
// manager reads an account several times per status change. Changes land in memory at once and in the
// database with the turn's write batch (db/write-batch.ts), one UPDATE per changed account per turn
// with every column it changed; adding and removing an account are written at once.

import { eq, sql } from 'drizzle-orm'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { AccountConditionSchema, type AccountCondition, type AccountStatus } from '../../../shared/contract'
import { SendLimitsSchema, type SendLimits } from '../../../shared/send-limits'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import type { AccountRecord, AccountRecordPatch, AccountRepository } from './account-repository'
import type { AppDatabase } from '../db/open-database'
import type { WriteBatch } from '../db/write-batch'
import { accounts } from '../db/schema'

type Row = typeof accounts.$inferSelect

/** Row to record, for both databases (their account tables have the same columns). */
export function toRecord(row: Row): AccountRecord {
  return {
    id: row.id as AccountId,
    label: row.label,
    phone: row.phone,
    name: row.name,
    status: row.status as AccountStatus,
    statusSince: row.statusSince,
    lastError: row.lastError,
    lastDisconnectCode: row.lastDisconnectCode,
    reconnectCount: row.reconnectCount,
    createdAt: row.createdAt,
    pairedAt: row.pairedAt,
    lastConnectedAt: row.lastConnectedAt,
    wantRunning: row.wantRunning,
    movedTo: row.movedTo !== null && row.movedAt !== null ? { target: row.movedTo, at: row.movedAt } : null,
    proxy: row.proxy,
    limits: readLimits(row.limits),
    condition: parseCondition(row.condition),
    tags: parseTags(row.tags),
  }
}

/** Stored limits; an account made before limits existed, or a value edited by hand into nonsense, has the defaults. */
function readLimits(stored: string | null): SendLimits {
  if (stored === null) return DEFAULT_SEND_LIMITS
  try {
    const parsed = SendLimitsSchema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : DEFAULT_SEND_LIMITS
  } catch {
    return DEFAULT_SEND_LIMITS
  }
}

/** A stored condition, or null when there is none or it no longer parses (it is derived again at the next change). */
function parseCondition(value: string | null): AccountCondition | null {
  if (value === null) return null
  try {
    const parsed = AccountConditionSchema.safeParse(JSON.parse(value))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** The tags column holds a JSON array of strings; anything else (a hand edit) reads as no tags. */
function parseTags(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : []
  } catch {
    return []
  }
}

/**
 * Record patch to columns, for both databases. The proxy is never among them: its shown form is written
 * only with its sealed URL (setProxy), and an insert starts without one.
 */
export function toColumns(patch: AccountRecordPatch & Partial<Pick<AccountRecord, 'id' | 'createdAt' | 'proxy'>>): Partial<Row> {
  const { movedTo, condition, tags, id: _id, proxy: _proxy, limits, ...rest } = patch
  const columns: Partial<Row> = { ...rest }
  if (limits !== undefined) columns.limits = JSON.stringify(limits)
  if (tags !== undefined) columns.tags = JSON.stringify(tags)
  if (movedTo !== undefined) {
    columns.movedTo = movedTo?.target ?? null
    columns.movedAt = movedTo?.at ?? null
  }
  if (condition !== undefined) columns.condition = condition === null ? null : JSON.stringify(condition)
  return columns
}

export function createSqliteAccountRepository(db: AppDatabase, batch: WriteBatch): AccountRepository {
  // One prepared UPDATE per set of changed columns (a handful of shapes: status changes, pairing, rename…):
  // building the query anew was most of a status change's cost, which a bulk action over hundreds of
  // accounts pays once per account.
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>()
  function prepareUpdate(keys: readonly string[]) {
    const set = Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)]))
    return db.update(accounts).set(set).where(eq(accounts.id, sql.placeholder('id'))).prepare()
  }

  // Read at every connect (sealedProxy): prepared once, like the updates.
  const proxyOf = db.select({ sealed: accounts.proxyUrl }).from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare()

  const records = new Map<AccountId, AccountRecord>()
  for (const row of db.select().from(accounts).orderBy(accounts.createdAt, accounts.id).all()) records.set(row.id as AccountId, toRecord(row))
  /** The list in table order (created, then id), kept until an account is added or removed. */
  let ordered: AccountRecord[] | null = null
  /** Columns changed since the last commit, per account. */
  const pending = new Map<AccountId, Record<string, unknown>>()

  batch.add({
    write() {
      for (const [id, columns] of pending) {
        const keys = Object.keys(columns).sort()
        const shape = keys.join(',')
        let update = updates.get(shape)
        if (!update) updates.set(shape, (update = prepareUpdate(keys)))
        update.run({ ...columns, id })
      }
    },
    committed: () => pending.clear(),
  })

  function existing(id: AccountId): AccountRecord {
    const found = records.get(id)
    if (!found) throw new AppError('not-found', `There is no account "${id}".`)
    return found
  }

  return {
    list() {
      ordered ??= [...records.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      return ordered.map((record) => records.get(record.id)!)
    },
    get: (id) => records.get(id),
    insert(record) {
      batch.flush()
      db.insert(accounts)
        .values({ ...(toColumns(record) as Row), id: record.id })
        .run()
      records.set(record.id, { ...record })
      ordered = null
    },
    update(id, patch) {
      const current = existing(id)
      const columns = toColumns(patch) as Record<string, unknown>
      let changed = false
      for (const key of Object.keys(columns)) {
        if (columns[key] === undefined) delete columns[key]
        else changed = true
      }
      if (!changed) return current
      const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined))
      const next: AccountRecord = { ...current, ...defined, id }
      records.set(id, next)
      pending.set(id, { ...pending.get(id), ...columns })
      batch.schedule()
      return next
    },
    setProxy(id, proxy) {
      const current = existing(id)
      // Written at once, as insert and delete are (its sealed URL is read back from the table, sealedProxy);
      // the record in memory takes the shown form.
      batch.flush()
      db.update(accounts)
        .set({ proxy: proxy?.shown ?? null, proxyUrl: proxy?.sealed ?? null })
        .where(eq(accounts.id, id))
        .run()
      const next: AccountRecord = { ...current, proxy: proxy?.shown ?? null }
      records.set(id, next)
      return next
    },
    async sealedProxy(id) {
      return proxyOf.get({ id })?.sealed ?? null
    },
    delete(id) {
      batch.flush()
      db.delete(accounts).where(eq(accounts.id, id)).run()
      records.delete(id)
      pending.delete(id)
      ordered = null
    },
  }
}

// The SQLite implementation of the session manager's AccountRepository, through Drizzle.
// Main process, Electron-free. Maps rows to records and back; nothing else sees the rows.

import { eq, sql } from 'drizzle-orm'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountStatus } from '../../../shared/contract'
import { SendLimitsSchema, type SendLimits } from '../../../shared/send-limits'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import type { AccountRecord, AccountRecordPatch, AccountRepository } from './account-repository'
import type { AppDatabase } from '../db/open-database'
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
  const { movedTo, tags, id: _id, proxy: _proxy, limits, ...rest } = patch
  const columns: Partial<Row> = { ...rest }
  if (limits !== undefined) columns.limits = JSON.stringify(limits)
  if (tags !== undefined) columns.tags = JSON.stringify(tags)
  if (movedTo !== undefined) {
    columns.movedTo = movedTo?.target ?? null
    columns.movedAt = movedTo?.at ?? null
  }
  return columns
}

export function createSqliteAccountRepository(db: AppDatabase): AccountRepository {
  const byId = db.select().from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare()
  // One prepared UPDATE per set of changed columns (a handful of shapes: status changes, pairing, rename…):
  // building the query anew was most of a status change's cost, which a bulk action over hundreds of
  // accounts pays once per account.
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>()
  function prepareUpdate(keys: readonly string[]) {
    const set = Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)]))
    return db.update(accounts).set(set).where(eq(accounts.id, sql.placeholder('id'))).returning().prepare()
  }

  return {
    list() {
      return db.select().from(accounts).orderBy(accounts.createdAt, accounts.id).all().map(toRecord)
    },
    get(id) {
      const row = byId.get({ id })
      return row ? toRecord(row) : undefined
    },
    insert(record) {
      db.insert(accounts)
        .values({ ...(toColumns(record) as Row), id: record.id })
        .run()
    },
    update(id, patch) {
      const columns = toColumns(patch) as Record<string, unknown>
      const keys = Object.keys(columns).filter((key) => columns[key] !== undefined).sort()
      if (keys.length === 0) {
        const row = byId.get({ id })
        if (!row) throw new AppError('not-found', `There is no account "${id}".`)
        return toRecord(row)
      }
      const shape = keys.join(',')
      let update = updates.get(shape)
      if (!update) updates.set(shape, (update = prepareUpdate(keys)))
      const row = update.get({ ...Object.fromEntries(keys.map((key) => [key, columns[key]])), id })
      if (!row) throw new AppError('not-found', `There is no account "${id}".`)
      return toRecord(row)
    },
    setProxy(id, proxy) {
      const row = db
        .update(accounts)
        .set({ proxy: proxy?.shown ?? null, proxyUrl: proxy?.sealed ?? null })
        .where(eq(accounts.id, id))
        .returning()
        .get()
      if (!row) throw new AppError('not-found', `There is no account "${id}".`)
      return toRecord(row)
    },
    async sealedProxy(id) {
      return db.select({ sealed: accounts.proxyUrl }).from(accounts).where(eq(accounts.id, id)).get()?.sealed ?? null
    },
    delete(id) {
      db.delete(accounts).where(eq(accounts.id, id)).run()
    },
  }
}

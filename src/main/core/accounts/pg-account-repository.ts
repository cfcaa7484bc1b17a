// The PostgreSQL implementation of the session manager's AccountRepository. Main process, Electron-free.
// Rows are read once at open and kept in memory; every change lands in memory at once and in the
// database through the write queue, in order. reload() re-reads the table (a fleet peer changed it).

import { eq } from 'drizzle-orm'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountRecord, AccountRepository } from './account-repository'
import type { PgDatabase } from '../db/postgres/open-postgres'
import { accounts } from '../db/postgres/schema'
import type { WriteQueue } from '../db/postgres/write-queue'
import { toColumns, toRecord } from './sqlite-account-repository'

type Row = typeof accounts.$inferSelect

export interface PgAccountRepository extends AccountRepository {
  /**
   * Re-reads every row (after this server's queued writes land). Rows changed here meanwhile, and rows
   * `keepLocal` names (what this server alone writes), keep their in-memory version.
   */
  reload(keepLocal?: (id: AccountId) => boolean): Promise<void>
  /** Puts another server's version of a row in memory, without writing it (fleet events). */
  applyRemote(record: AccountRecord): void
  /** Forgets a row another server removed, without writing. */
  forgetRemote(id: AccountId): void
  /** Resolves when every change made here so far has landed in the database (or failed, and was logged). */
  settled(): Promise<void>
}

export async function createPgAccountRepository(db: PgDatabase, queue: WriteQueue): Promise<PgAccountRepository> {
  const cache = new Map<AccountId, AccountRecord>()
  /** Ids written here since the running reload started: its read may predate them. */
  let touched: Set<AccountId> | null = null

  async function reload(keepLocal: (id: AccountId) => boolean = () => false): Promise<void> {
    const since = new Set<AccountId>()
    touched = since
    try {
      await queue.settled()
      const rows = await db.select().from(accounts)
      const next = new Map<AccountId, AccountRecord>()
      for (const row of rows) {
        const id = row.id as AccountId
        const local = cache.get(id)
        next.set(id, local && (since.has(id) || keepLocal(id)) ? local : toRecord(row))
      }
      for (const id of since) {
        const local = cache.get(id)
        if (local) next.set(id, local)
        else next.delete(id)
      }
      cache.clear()
      for (const [id, record] of next) cache.set(id, record)
    } finally {
      if (touched === since) touched = null
    }
  }
  await reload()

  return {
    reload,
    applyRemote(record) {
      cache.set(record.id, { ...record })
    },
    forgetRemote(id) {
      cache.delete(id)
    },
    settled: () => queue.settled(),
    list() {
      return [...cache.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    },
    get(id) {
      return cache.get(id)
    },
    insert(record) {
      if (cache.has(record.id)) throw new AppError('conflict', `There is already an account "${record.id}".`)
      cache.set(record.id, { ...record })
      touched?.add(record.id)
      queue.push(`Adding account ${record.id}`, () => db.insert(accounts).values({ ...(toColumns(record) as Row), id: record.id }))
    },
    update(id, patch) {
      const current = cache.get(id)
      if (!current) throw new AppError('not-found', `There is no account "${id}".`)
      const next: AccountRecord = { ...current, ...patch, id }
      cache.set(id, next)
      touched?.add(id)
      const columns = toColumns(patch)
      if (Object.keys(columns).length > 0) {
        queue.push(`Updating account ${id}`, () => db.update(accounts).set(columns).where(eq(accounts.id, id)))
      }
      return next
    },
    setProxy(id, proxy) {
      const current = cache.get(id)
      if (!current) throw new AppError('not-found', `There is no account "${id}".`)
      const next: AccountRecord = { ...current, proxy: proxy?.shown ?? null }
      cache.set(id, next)
      touched?.add(id)
      queue.push(`Setting the proxy of account ${id}`, () =>
        db.update(accounts).set({ proxy: proxy?.shown ?? null, proxyUrl: proxy?.sealed ?? null }).where(eq(accounts.id, id)),
      )
      return next
    },
    async sealedProxy(id) {
      // After this server's queued writes: a proxy set here a moment ago is the one read.
      await queue.settled()
      const [row] = await db.select({ sealed: accounts.proxyUrl }).from(accounts).where(eq(accounts.id, id))
      return row?.sealed ?? null
    },
    delete(id) {
      cache.delete(id)
      touched?.add(id)
      queue.push(`Removing account ${id}`, () => db.delete(accounts).where(eq(accounts.id, id)))
    },
  }
}

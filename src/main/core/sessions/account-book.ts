// The session manager's view of the account table: read a record (or a clear not-found), patch it and
// announce the change, create new records and ids. Status changes are persisted first, then emitted.
// Main process, Electron-free.

import { randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountCondition, AccountStatus } from '../../../shared/contract'
import { isRunningStatus } from '../../../shared/domain'
import type { EventBus } from '../events'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import { toSummary, type AccountRecord, type AccountRecordPatch, type AccountRepository, type StoredProxy } from '../accounts/account-repository'

export type AccountPatch = Omit<AccountRecordPatch, 'condition'>

export interface AccountBook {
  /** The record, or a not-found AppError. */
  record(id: AccountId): AccountRecord
  exists(id: AccountId): boolean
  list(): AccountRecord[]
  insert(record: AccountRecord): void
  delete(id: AccountId): void
  /** Persists the patch (stamping statusSince when the status changes) and emits accounts:changed. */
  update(id: AccountId, patch: AccountPatch): AccountRecord
  setStatus(id: AccountId, status: AccountStatus, patch?: AccountPatch): AccountRecord
  /** Stores the account's proxy (its shown form and sealed URL) and emits accounts:changed. */
  setProxy(id: AccountId, proxy: StoredProxy | null): AccountRecord
  /** The sealed proxy URL the next connect uses, read from the database. */
  sealedProxy(id: AccountId): Promise<Buffer | null>
  /**
   * Sets (or, with null, ends) the account's condition and emits accounts:changed when it changed. Kept
   * in memory here, the one place a condition is held, until a doctor derives them (the proxy's failure
   * is the only one set so far).
   */
  setCondition(id: AccountId, condition: AccountCondition | null): void
  newRecord(id: AccountId, fields: Pick<AccountRecord, 'label' | 'status' | 'wantRunning'> & Partial<AccountRecord>): AccountRecord
  newAccountId(): AccountId
  /**
   * No socket runs yet, so a running status in the table is what the last run (closed or crashed) left
   * behind. Shown as stopped; wantRunning keeps the intent, so startAll still brings them back.
   */
  resetStaleStatuses(): void
}

export function createAccountBook(deps: { accounts: AccountRepository; events: EventBus; now: () => number }): AccountBook {
  const { accounts, events, now } = deps
  const conditions = new Map<AccountId, AccountCondition>()
  const withCondition = (record: AccountRecord): AccountRecord => ({ ...record, condition: conditions.get(record.id) ?? null })

  function update(id: AccountId, patch: AccountPatch): AccountRecord {
    const before = accounts.get(id)
    const statusChanged = patch.status !== undefined && patch.status !== before?.status
    const next = withCondition(accounts.update(id, statusChanged ? { ...patch, statusSince: now() } : patch))
    events.emit('accounts:changed', toSummary(next))
    return next
  }

  return {
    record(id) {
      const found = accounts.get(id)
      if (!found) throw new AppError('not-found', `There is no account "${id}".`)
      return withCondition(found)
    },
    exists: (id) => accounts.get(id) !== undefined,
    list: () => accounts.list().map(withCondition),
    insert: (record) => accounts.insert(record),
    delete(id) {
      conditions.delete(id)
      accounts.delete(id)
    },
    update,
    setStatus: (id, status, patch = {}) => update(id, { ...patch, status }),
    setProxy(id, proxy) {
      const next = withCondition(accounts.setProxy(id, proxy))
      events.emit('accounts:changed', toSummary(next))
      return next
    },
    setCondition(id, condition) {
      const before = conditions.get(id) ?? null
      if (JSON.stringify(before) === JSON.stringify(condition)) return
      if (condition) conditions.set(id, condition)
      else conditions.delete(id)
      const current = accounts.get(id)
      if (current) events.emit('accounts:changed', toSummary(withCondition(current)))
    },
    sealedProxy: (id) => accounts.sealedProxy(id),
    newRecord(id, fields) {
      const at = now()
      return {
        phone: null,
        name: null,
        lastError: null,
        lastDisconnectCode: null,
        reconnectCount: 0,
        pairedAt: null,
        lastConnectedAt: null,
        movedTo: null,
        proxy: null,
        limits: DEFAULT_SEND_LIMITS,
        tags: [],
        ...fields,
        id,
        statusSince: at,
        createdAt: at,
      }
    },
    newAccountId: () => `acc-${randomBytes(5).toString('hex')}` as AccountId,
    resetStaleStatuses() {
      for (const account of accounts.list()) {
        if (isRunningStatus(account.status)) accounts.update(account.id, { status: 'stopped', statusSince: now() })
      }
    },
  }
}

// The session manager's view of the account table: read a record (or a clear not-found), patch it and
// announce the change, create new records and ids. Status changes are persisted first, then emitted.
// Every change carries the account's condition as the doctor derives it from the patched record
// (core/doctor), so status and condition never disagree; a new condition is also `accounts:condition`.
// Main process, Electron-free.

import { randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountStatus } from '../../../shared/contract'
import { isRunningStatus } from '../../../shared/domain'
import type { EventBus } from '../events'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import { toSummary, type AccountRecord, type AccountRecordPatch, type AccountRepository, type StoredProxy } from '../accounts/account-repository'
import { isNewCondition, sameCondition, type Doctor } from '../doctor/doctor'

/** Any field but the id, the creation time and the proxy (setProxy's); the condition is the doctor's to set. */
export type AccountPatch = AccountRecordPatch

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
  /** Asks the doctor again (a fact changed that no patch carries); stores and announces only a change. */
  refreshCondition(id: AccountId): void
  newRecord(id: AccountId, fields: Pick<AccountRecord, 'label' | 'status' | 'wantRunning'> & Partial<AccountRecord>): AccountRecord
  newAccountId(): AccountId
  /**
   * No socket runs yet, so a running status in the table is what the last run (closed or crashed) left
   * behind. Shown as stopped; wantRunning keeps the intent, so startAll still brings them back.
   */
  resetStaleStatuses(): void
}

export function createAccountBook(deps: { accounts: AccountRepository; events: EventBus; now: () => number; doctor: Pick<Doctor, 'derive'> }): AccountBook {
  const { accounts, events, now, doctor } = deps

  function update(id: AccountId, patch: AccountPatch): AccountRecord {
    const before = accounts.get(id)
    const statusChanged = patch.status !== undefined && patch.status !== before?.status
    const stamped: AccountPatch = statusChanged ? { ...patch, statusSince: now() } : { ...patch }
    if (before) {
      const condition = doctor.derive({ ...before, ...stamped, condition: before.condition })
      if (sameCondition(before.condition, condition)) delete stamped.condition
      else stamped.condition = condition
    }
    const next = accounts.update(id, stamped)
    events.emit('accounts:changed', toSummary(next))
    if (before && isNewCondition(before.condition, next.condition)) {
      events.emit('accounts:condition', { id, condition: next.condition, previous: before.condition?.code ?? null })
    }
    return next
  }

  return {
    record(id) {
      const found = accounts.get(id)
      if (!found) throw new AppError('not-found', `There is no account "${id}".`)
      return found
    },
    exists: (id) => accounts.get(id) !== undefined,
    list: () => accounts.list(),
    insert: (record) => accounts.insert(record),
    delete: (id) => accounts.delete(id),
    update,
    setStatus: (id, status, patch = {}) => update(id, { ...patch, status }),
    setProxy(id, proxy) {
      const next = accounts.setProxy(id, proxy)
      events.emit('accounts:changed', toSummary(next))
      return next
    },
    sealedProxy: (id) => accounts.sealedProxy(id),
    refreshCondition(id) {
      const current = accounts.get(id)
      if (current && !sameCondition(current.condition, doctor.derive(current))) update(id, {})
    },
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
        condition: null,
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
        const reset: AccountRecord = isRunningStatus(account.status) ? { ...account, status: 'stopped', statusSince: now() } : account
        // What only a live socket knew (a stale socket, a retry) ended with the last run; what outlives
        // it (logged out, banned, a reach-out limit) the doctor takes back from the stored condition.
        const condition = doctor.derive(reset)
        if (reset === account && sameCondition(account.condition, condition)) continue
        accounts.update(account.id, { status: reset.status, statusSince: reset.statusSince, condition })
      }
    },
  }
}

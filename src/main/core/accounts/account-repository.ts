// The port through which the session manager persists accounts: sqlite-account-repository.ts and
// pg-account-repository.ts beside this file implement it; the manager never sees rows, only these
// records. Main process, Electron-free.

import type { AccountId } from '../../../shared/ids'
import type { AccountStatus, AccountSummary } from '../../../shared/contract'

export interface AccountRecord {
  id: AccountId
  label: string
  phone: string | null
  name: string | null
  status: AccountStatus
  statusSince: number
  lastError: string | null
  lastDisconnectCode: number | null
  reconnectCount: number
  createdAt: number
  pairedAt: number | null
  lastConnectedAt: number | null
  /** Whether the operator wants it running: it is started again when the app starts. */
  wantRunning: boolean
  movedTo: { target: string; at: number } | null
  /** The operator's tags, in the order given (src/shared/tags.ts). */
  tags: string[]
}

export interface AccountRepository {
  list(): AccountRecord[]
  get(id: AccountId): AccountRecord | undefined
  insert(record: AccountRecord): void
  /** Returns the updated record. Throws not-found when the account does not exist. */
  update(id: AccountId, patch: Partial<Omit<AccountRecord, 'id' | 'createdAt'>>): AccountRecord
  delete(id: AccountId): void
}

export function toSummary(record: AccountRecord): AccountSummary {
  return {
    id: record.id,
    label: record.label,
    phone: record.phone,
    name: record.name,
    status: record.status,
    statusSince: record.statusSince,
    lastError: record.lastError,
    lastDisconnectCode: record.lastDisconnectCode,
    reconnectCount: record.reconnectCount,
    createdAt: record.createdAt,
    pairedAt: record.pairedAt,
    lastConnectedAt: record.lastConnectedAt,
    movedTo: record.movedTo,
    tags: record.tags,
  }
}

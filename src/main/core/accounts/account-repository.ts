// The port through which the session manager persists accounts: sqlite-account-repository.ts and
// pg-account-repository.ts beside this file implement it; the manager never sees rows, only these
// records. Main process, Electron-free.

import type { AccountId } from '../../../shared/ids'
import type { AccountCondition, AccountStatus, AccountSummary } from '../../../shared/contract'
import type { SendLimits } from '../../../shared/send-limits'

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
  /** The proxy as it may be shown (password as ***), or null. Written only with its sealed URL (setProxy). */
  proxy: string | null
  /** The send limits that apply (core/sends). */
  limits: SendLimits
  /** What is wrong with it (core/doctor derives it; the book stores it with every change). */
  condition: AccountCondition | null
  /** The operator's tags, in the order given (src/shared/tags.ts). */
  tags: string[]
}

/** What update() changes: any field but the id, the creation time and the proxy (setProxy's, with its sealed URL). */
export type AccountRecordPatch = Partial<Omit<AccountRecord, 'id' | 'createdAt' | 'proxy'>>

/** An account's proxy as stored: the shown form, and the whole URL sealed (core/proxy/proxy-secret.ts). */
export interface StoredProxy {
  shown: string
  sealed: Buffer
}

export interface AccountRepository {
  list(): AccountRecord[]
  get(id: AccountId): AccountRecord | undefined
  insert(record: AccountRecord): void
  /** Returns the updated record. Throws not-found when the account does not exist. */
  update(id: AccountId, patch: AccountRecordPatch): AccountRecord
  /** Sets (or, with null, clears) the proxy: its shown form and its sealed URL in one write. Throws not-found. */
  setProxy(id: AccountId, proxy: StoredProxy | null): AccountRecord
  /** The sealed proxy URL as the database holds it now (this process's own writes landed first), or null. */
  sealedProxy(id: AccountId): Promise<Buffer | null>
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
    proxy: record.proxy,
    limits: record.limits,
    condition: record.condition,
    tags: record.tags,
  }
}

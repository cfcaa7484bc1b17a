// Test fixture (imported by tests only): an AccountSummary of a new, never-paired account, so a test
// states only the fields it is about. Lives in shared/ so main and renderer tests build the same shape.
import type { AccountSummary } from '../contract'
import type { AccountId } from '../ids'

export function accountSummary(id: string, patch: Partial<AccountSummary> = {}): AccountSummary {
  return {
    id: id as AccountId,
    label: id,
    phone: null,
    name: null,
    status: 'new',
    statusSince: 0,
    lastError: null,
    lastDisconnectCode: null,
    reconnectCount: 0,
    createdAt: 0,
    pairedAt: null,
    lastConnectedAt: null,
    movedTo: null,
    ...patch,
  }
}

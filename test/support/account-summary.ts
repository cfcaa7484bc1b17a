// Test fixture (imported by tests only): an AccountSummary of a new, never-paired account, so a test
// states only the fields it is about. Shared by main and renderer tests (tsconfig.web.json lists it),
// so both build the same shape; it imports the contract's types and nothing else.
import type { AccountSummary } from '../../src/shared/contract'
import type { AccountId } from '../../src/shared/ids'

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
    proxy: null,
    limits: { perMinute: 10, perHour: 100, perDay: 500, newContactsPerDay: 50, minGapMs: null },
    condition: null,
    tags: [],
    ...patch,
  }
}

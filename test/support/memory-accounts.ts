// An account repository in memory, for suites that drive a session manager without a database.
// Test-only.

import type { AccountRecord, AccountRepository } from '../../src/main/core/accounts/account-repository'
import type { AccountId } from '../../src/shared/ids'

export function memoryAccounts(): AccountRepository {
  const rows = new Map<AccountId, AccountRecord>()
  return {
    list: () => [...rows.values()],
    get: (id) => rows.get(id),
    insert: (record) => void rows.set(record.id, { ...record }),
    update(id, patch) {
      const next = { ...rows.get(id)!, ...patch, id }
      rows.set(id, next)
      return next
    },
    // These accounts connect directly: no proxy is ever set.
    setProxy(id, proxy) {
      const next = { ...rows.get(id)!, proxy: proxy?.shown ?? null }
      rows.set(id, next)
      return next
    },
    sealedProxy: async () => null,
    delete: (id) => void rows.delete(id),
  }
}

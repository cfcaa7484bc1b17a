// The accounts table as one server of a fleet may change it. Main process, Electron-free.
// The session manager writes an account's runtime fields (status, errors, reconnects) as if it were the
// only process; in a fleet, only the server holding the account's lease may. This wrapper lets those
// writes through for accounts held here, and for accounts no live server runs (an operator's stop of a
// failed account); it drops them for accounts another server runs, and while this server is letting an
// account go (its lease was lost), so a fenced server never overwrites the new owner's status.

import type { AccountId } from '../../../shared/ids'
import type { AccountRepository } from '../sessions/account-repository'
import type { PgAccountRepository } from '../db/postgres/pg-account-repository'

export interface FleetAccountView {
  /** The server whose live lease runs the account, as last seen; null when none. */
  ownerOf(id: AccountId): string | null
  serverId: string
  /** Accounts this server is letting go: their runtime writes are dropped. */
  releasing: ReadonlySet<AccountId>
}

export interface FleetAccountRepository extends AccountRepository {
  /** Replaces the rows other servers run with the database's (this server's own stay as they are here). */
  refresh(): Promise<void>
}

export function fleetAccountRepository(inner: PgAccountRepository, view: FleetAccountView): FleetAccountRepository {
  function mayWrite(id: AccountId): boolean {
    if (view.releasing.has(id)) return false
    const owner = view.ownerOf(id)
    return owner === null || owner === view.serverId
  }

  return {
    list: () => inner.list(),
    get: (id) => inner.get(id),
    insert: (record) => inner.insert(record),
    update(id, patch) {
      if (mayWrite(id)) return inner.update(id, patch)
      // A label is the operator's, whoever runs the account; everything else belongs to the owner.
      const current = inner.get(id)
      if (patch.label !== undefined && current) return inner.update(id, { label: patch.label })
      return current ?? inner.update(id, {})
    },
    delete: (id) => inner.delete(id),
    // What this server writes for its own accounts is at least as new as what it reads back.
    refresh: () => inner.reload((id) => view.ownerOf(id) === view.serverId),
  }
}

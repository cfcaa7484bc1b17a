// The accounts table as one server of a fleet may change it. Main process, Electron-free.
// The session manager writes an account's runtime fields (status, errors, reconnects) as if it were the
// only process; in a fleet, only the server holding the account's lease may. This wrapper lets those
// writes through for accounts held here (lease renewed within the ttl), and for accounts no live server
// runs (an operator's stop of a failed account); it drops them for accounts another server runs, for a
// lease this server may already have lost (paused past the ttl), and while it lets an account go, so a
// fenced server never overwrites the new owner's status or intent.

import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountRepository } from '../accounts/account-repository'
import type { PgAccountRepository } from '../accounts/pg-account-repository'

export interface FleetAccountView {
  /** The server whose live lease runs the account, as last seen; null when none. */
  ownerOf(id: AccountId): string | null
  serverId: string
  /** Accounts this server is letting go: their runtime writes are dropped. */
  releasing: ReadonlySet<AccountId>
  /** Whether this server holds the account's lease, renewed within the last ttl by its own clock. */
  holdsFresh(id: AccountId): boolean
  /** Whether this server holds the lease at all (fresh or not). */
  holds(id: AccountId): boolean
}

export interface FleetAccountRepository extends AccountRepository {
  /** Replaces the rows other servers run with the database's (this server's own stay as they are here). */
  refresh(): Promise<void>
}

export function fleetAccountRepository(inner: PgAccountRepository, view: FleetAccountView): FleetAccountRepository {
  function mayWrite(id: AccountId): boolean {
    if (view.releasing.has(id)) return false
    if (view.holdsFresh(id)) return true
    // Held but not renewed for a whole ttl (this process was paused): a socket event arriving before
    // the self-fence (a 440 from the new owner's login) must not overwrite the new owner's row.
    if (view.holds(id)) return false
    const owner = view.ownerOf(id)
    return owner === null
  }

  return {
    list: () => inner.list(),
    get: (id) => inner.get(id),
    insert: (record) => inner.insert(record),
    update(id, patch) {
      if (mayWrite(id)) return inner.update(id, patch)
      // A label and tags are the operator's, whoever runs the account; everything else belongs to the owner.
      const current = inner.get(id)
      const operators = { ...(patch.label !== undefined ? { label: patch.label } : {}), ...(patch.tags !== undefined ? { tags: patch.tags } : {}) }
      if (Object.keys(operators).length > 0 && current) return inner.update(id, operators)
      return current ?? inner.update(id, {})
    },
    setProxy(id, proxy) {
      // accounts:set-proxy is routed to the account's owner; a server that may not write it is not that.
      if (!mayWrite(id)) throw new AppError('conflict', `Account ${id} runs on server ${view.ownerOf(id) ?? 'another server'}: set its proxy there.`)
      return inner.setProxy(id, proxy)
    },
    sealedProxy: (id) => inner.sealedProxy(id),
    delete: (id) => inner.delete(id),
    // What this server writes for its own accounts is at least as new as what it reads back.
    refresh: () => inner.reload((id) => view.ownerOf(id) === view.serverId),
  }
}

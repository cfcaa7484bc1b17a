// Every account summary this server emits says which server runs the account (`server`), as
// accounts:list does. Main process, Electron-free. Without it, a client that keeps its list current
// from accounts:changed events (the UI) would lose the server column at the first status change, and
// after a failover would keep showing the dead server until it fetched the list again.

import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { EventBus } from '../events'

export function tagOwner(bus: EventBus, ownerOf: (id: AccountId) => string | null): EventBus {
  return {
    subscribe: (listener) => bus.subscribe(listener),
    emit(event, payload) {
      if (event !== 'accounts:changed') return bus.emit(event, payload)
      const summary = payload as AccountSummary
      bus.emit('accounts:changed', { ...summary, server: ownerOf(summary.id) })
    },
  }
}

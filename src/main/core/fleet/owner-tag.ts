// Every account summary this server emits says which server runs the account (`server`), as
// accounts:list does. Main process, Electron-free. Without it, a client that keeps its list current
// from accounts:changed events (the UI) would lose the server column at the first status change, and
// after a failover would keep showing the dead server until it fetched the list again.

import type { AccountSummary } from '../../../shared/contract'
import type { EventBus } from '../events'

/** `present` adds the owner (and the "moving" status when no live lease runs a wanted account: present.ts). */
export function tagOwner(bus: EventBus, present: (summary: AccountSummary) => AccountSummary): EventBus {
  return {
    subscribe: (listener) => bus.subscribe(listener),
    emit(event, payload) {
      if (event !== 'accounts:changed') return bus.emit(event, payload)
      const summary = payload as AccountSummary
      return bus.emit('accounts:changed', present(summary))
    },
  }
}

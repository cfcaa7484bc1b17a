// Events a server shows on its own stream only: the fleet's relay does not append them to the fleet's
// event log, nor does the activity log record them (a lease lapse every server sees for itself). Apart
// from fleet-events.ts so the core can ask without loading the relay and `pg` on a server on SQLite.

import type { EventMessage, EventName } from '../../../shared/contract'
import type { EventBus } from '../events'

const localOnly = new WeakSet<object>()

/** Emits on this server's bus only: the relay does not append it, nor does the activity log record it. */
export function emitLocally<E extends EventName>(bus: EventBus, event: E, payload: EventMessage<E>['payload']): void {
  localOnly.add(payload as object)
  void bus.emit(event, payload as never)
}

export function isLocalOnly(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && localOnly.has(payload)
}

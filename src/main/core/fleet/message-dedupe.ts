// A fleet reports each received message once, and records it before it is reported. Main process,
// Electron-free. WhatsApp delivers a message again when the device did not acknowledge it; after a
// failover that is normal (the old owner died between recording a message and its receipt leaving), and
// the new owner would report it a second time. The session manager's events pass through here: an event
// that declares `repeatsBy` in the contract (a message, by its id) is appended to the fleet's event log in
// the statement that records its (account, key) (fleet-log.ts), and emitted on this server's bus only
// when that pair is new; every other event passes at once. The emit resolves false when the database did not take it: the session emits again
// (sessions/messaging.ts), and WhatsApp's receipt waits for it (docs/fleet.md, "Delivery guarantee").

import { repeatKeyOf } from '../../../shared/contract'
import { describePgError } from '../db/postgres/pg-errors'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { FleetLog } from './fleet-log'

/** Ids are kept a day (fleet.ts prunes them): far longer than any redelivery after a failover. */
export function dedupeMessages(bus: EventBus, log: FleetLog, logger: Logger): EventBus {
  return {
    subscribe: (listener) => bus.subscribe(listener),
    emit(event, payload) {
      const repeat = repeatKeyOf(event, payload)
      if (!repeat) return bus.emit(event, payload)
      return log.appendOnce(event, payload, repeat).then(
        (fresh) => {
          if (fresh) void bus.emit(event, payload)
          else logger.info({ account: repeat.account, event }, 'an event reported again after a failover was reported once')
          return true
        },
        (err: unknown) => {
          logger.warn({ err: describePgError(err), account: repeat.account, event }, 'a received message could not be recorded; it is tried again')
          return false
        },
      )
    },
  }
}

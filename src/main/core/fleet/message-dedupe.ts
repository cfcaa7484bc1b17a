// A fleet reports each received message once. Main process, Electron-free.
// WhatsApp delivers a message again when the device did not ack it; after a failover that is normal
// (the old owner died between handling a message and acking it), and the new owner would report it a
// second time. The session manager's events pass through here: an event that declares `repeatsBy` in
// the contract (a message, by its id) is emitted only when its (account, key) is new to the database;
// every other event passes at once.

import { repeatKeyOf } from '../../../shared/contract'
import type { EventBus } from '../events'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'

/** Ids are kept a day (fleet.ts prunes them): far longer than any redelivery after a failover. */
export function dedupeMessages(bus: EventBus, database: OpenedPostgres, logger: Logger): EventBus {
  return {
    subscribe: (listener) => bus.subscribe(listener),
    emit(event, payload) {
      const repeat = repeatKeyOf(event, payload)
      if (!repeat) return bus.emit(event, payload)
      database.pool
        .query('INSERT INTO received_messages (account_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [repeat.account, repeat.key])
        .then(
          (result) => {
            if (result.rowCount === 1) bus.emit(event, payload)
            else logger.info({ account: repeat.account, event }, 'an event reported again after a failover was reported once')
          },
          (err: unknown) => {
            // Reporting twice beats losing a message when the database hiccups.
            logger.warn({ err: describePgError(err) }, 'could not check a message against those already reported')
            bus.emit(event, payload)
          },
        )
    },
  }
}

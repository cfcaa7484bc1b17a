// The event stream of every server carries the events of every account: account events are relayed
// through PostgreSQL's LISTEN/NOTIFY on the fleet's own database (no second broker). Main process,
// Electron-free. Which events are relayed is each event's `fleet` declaration in the contract; telemetry
// ticks stay local (each server measures its own store calls).
// A relayed `accounts:changed` also refreshes this server's copy of the row, so `accounts:list`
// answers the same on every server.

import pg from 'pg'
import { RELAYED_EVENTS, type AccountSummary, type EventMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import type { PgAccountRepository } from '../accounts/pg-account-repository'
import { describePgError } from '../db/postgres/pg-errors'
import type { EventBus } from '../events'
import type { AccountRecord } from '../accounts/account-repository'
import type { Logger } from '../logger'

const CHANNEL = 'irish_events'
/** NOTIFY payloads are limited to 8000 bytes; larger events (a long message) are not relayed whole. */
const MAX_PAYLOAD = 7900
const RECONNECT_MS = 1000

export interface FleetEvents {
  close(): Promise<void>
  /** True while a relayed event (another server's) is being emitted on this server's bus. */
  relaying(): boolean
}

interface Envelope {
  o: string
  e: EventMessage['event']
  p: unknown
}

export async function relayFleetEvents(options: {
  database: OpenedPostgres
  url: string
  serverId: string
  events: EventBus
  accounts: PgAccountRepository
  /** Whether this server runs the account: its own copy of the row is newer than any relayed one. */
  runsHere: (id: AccountId) => boolean
  logger: Logger
}): Promise<FleetEvents> {
  const { database, serverId, events, accounts, logger } = options
  let relaying = false
  let closed = false
  let listener: pg.Client | null = null

  function receive(message: pg.Notification): void {
    if (!message.payload) return
    let envelope: Envelope
    try {
      envelope = JSON.parse(message.payload) as Envelope
    } catch {
      return
    }
    if (envelope.o === serverId || !RELAYED_EVENTS.has(envelope.e)) return
    if (envelope.e === 'accounts:changed') {
      const summary = envelope.p as AccountSummary
      const current = accounts.get(summary.id)
      if (!options.runsHere(summary.id)) {
        const { server: _server, ...rest } = summary
        // An older server's summary has no tags: it cannot have changed them.
        const record: AccountRecord = { ...rest, tags: rest.tags ?? current?.tags ?? [], wantRunning: current?.wantRunning ?? false }
        accounts.applyRemote(record)
      }
    } else if (envelope.e === 'accounts:removed') {
      accounts.forgetRemote((envelope.p as { id: AccountId }).id)
    }
    relaying = true
    try {
      events.emit(envelope.e, envelope.p as never)
    } finally {
      relaying = false
    }
  }

  /** Opens the LISTEN connection; throws when it cannot (the caller decides whether to try again). */
  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: options.url, application_name: 'irish-desktop-events' })
    client.on('notification', receive)
    let open = false
    client.on('error', (err) => {
      // Before the connection is open a failure rejects connect() or LISTEN instead (handled below).
      if (!open) return
      logger.warn({ err: describePgError(err) }, 'the fleet event connection failed; reconnecting')
      client.end().catch(() => undefined)
      if (listener === client) listener = null
      listenAgain()
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (err) {
      client.end().catch(() => undefined)
      throw err
    }
    if (closed) {
      client.end().catch(() => undefined)
      return
    }
    open = true
    listener = client
  }

  /** Tries again every RECONNECT_MS until the connection is back or the relay is closed. */
  function listenAgain(): void {
    if (closed) return
    setTimeout(() => {
      listen().then(
        () => logger.info({}, 'the fleet event connection is back'),
        (err: unknown) => {
          logger.warn({ err: describePgError(err) }, 'the fleet event connection could not be opened; trying again')
          listenAgain()
        },
      )
    }, RECONNECT_MS).unref()
  }
  await listen()

  const unsubscribe = events.subscribe((message) => {
    if (relaying || !RELAYED_EVENTS.has(message.event)) return
    const payload = JSON.stringify({ o: serverId, e: message.event, p: message.payload } satisfies Envelope)
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
      logger.debug({ event: message.event }, 'an event too large for NOTIFY stays on this server')
      return
    }
    database.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch((err: unknown) => {
      logger.warn({ err: describePgError(err), event: message.event }, 'an event could not be relayed to the fleet')
    })
  })

  return {
    relaying: () => relaying,
    async close() {
      closed = true
      unsubscribe()
      await listener?.end().catch(() => undefined)
    },
  }
}

// The event stream of every server carries the events of every account: each server appends the account
// events that happen on it to the fleet's event log (fleet-log.ts) and emits, on its own bus, those the
// others appended, read by sequence. Main process, Electron-free. Which events are relayed is each
// event's `fleet` declaration in the contract; telemetry ticks stay local (each server measures its own
// store calls).
// NOTIFY only says "read now"; the log is the truth: a server whose LISTEN connection dropped (a database
// restart) reads on from the last sequence it relayed as soon as it can reach the database again, and
// reads every second anyway. A relayed `accounts:changed` also refreshes this server's copy of the row,
// so `accounts:list` answers the same on every server.

import pg from 'pg'
import { events as declared, RELAYED_EVENTS, type AccountSummary, type EventName } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { PgAccountRepository } from '../accounts/pg-account-repository'
import { describePgError } from '../db/postgres/pg-errors'
import type { EventBus } from '../events'
import type { AccountRecord } from '../accounts/account-repository'
import type { Logger } from '../logger'
import { EVENTS_CHANNEL, type FleetLog } from './fleet-log'
import { isLocalOnly } from './local-only'

/** LISTEN/NOTIFY channel on which a server asks the others to run an assignment round now (a hand-over). */
export const FLEET_SIGNAL_CHANNEL = 'irish_fleet'
/**
 * Appended by the relay: every relayed event but those that may repeat (`repeatsBy`: a message), which
 * are appended where they are recorded, once (message-dedupe.ts).
 */
const APPENDED_HERE: ReadonlySet<EventName> = new Set([...RELAYED_EVENTS].filter((name) => declared[name].repeatsBy === null))
const RECONNECT_MS = 1000
const POLL_MS = 1000
const PRUNE_MS = 10 * 60_000
const BATCH = 500

export interface FleetEvents {
  close(): Promise<void>
  /** True while a relayed event (another server's) is being emitted on this server's bus. */
  relaying(): boolean
  /** The sequence read up to (tests). */
  position(): number
}

/** Asks every server of the fleet (this one too) to run an assignment round now. */
export async function signalFleet(pool: pg.Pool): Promise<void> {
  await pool.query(`SELECT pg_notify('${FLEET_SIGNAL_CHANNEL}', '')`)
}

export async function relayFleetEvents(options: {
  log: FleetLog
  url: string
  serverId: string
  events: EventBus
  accounts: PgAccountRepository
  /** Whether this server runs the account: its own copy of the row is newer than any relayed one. */
  runsHere: (id: AccountId) => boolean
  logger: Logger
  /** Another server asked for an assignment round now. */
  onSignal?: () => void
}): Promise<FleetEvents> {
  const { log, serverId, events, accounts, logger } = options
  let relaying = false
  let closed = false
  let listener: pg.Client | null = null
  let last = await log.newest()
  let reading = false
  let readAgain = false

  function deliver(event: EventName, payload: unknown): void {
    if (!RELAYED_EVENTS.has(event) || payload === null) return
    if (event === 'accounts:changed') {
      const summary = payload as AccountSummary
      const current = accounts.get(summary.id)
      if (!options.runsHere(summary.id)) {
        const { server: _server, ...rest } = summary
        // An older server's summary has no tags: it cannot have changed them.
        const record: AccountRecord = { ...rest, tags: rest.tags ?? current?.tags ?? [], wantRunning: current?.wantRunning ?? false }
        accounts.applyRemote(record)
      }
    } else if (event === 'accounts:removed') {
      accounts.forgetRemote((payload as { id: AccountId }).id)
    }
    relaying = true
    try {
      void events.emit(event, payload as never)
    } finally {
      relaying = false
    }
  }

  /** Reads every event appended after the last one relayed, in order; one reader at a time. */
  async function catchUp(): Promise<void> {
    if (closed) return
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    try {
      for (;;) {
        const rows = await log.after(last, BATCH)
        for (const row of rows) {
          last = row.seq
          if (row.origin !== serverId) deliver(row.event, row.payload)
        }
        if (rows.length < BATCH || closed) break
      }
    } catch (err) {
      logger.debug({ err: describePgError(err) }, 'could not read the fleet event log; reading again soon')
    } finally {
      reading = false
      if (readAgain && !closed) {
        readAgain = false
        void catchUp()
      }
    }
  }

  /** Opens the LISTEN connection; throws when it cannot (the caller decides whether to try again). */
  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: options.url, application_name: 'irish-desktop-events' })
    client.on('notification', (message) => {
      if (message.channel === FLEET_SIGNAL_CHANNEL) options.onSignal?.()
      else void catchUp()
    })
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
      await client.query(`LISTEN ${EVENTS_CHANNEL}; LISTEN ${FLEET_SIGNAL_CHANNEL}`)
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
    // What was appended while nobody listened.
    void catchUp()
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

  // A notification can be lost with its connection; reading every second bounds how late an event is.
  const poll = setInterval(() => void catchUp(), POLL_MS)
  poll.unref()
  const prune = setInterval(() => void log.prune().catch((err: unknown) => logger.debug({ err: describePgError(err) }, 'could not prune the fleet event log')), PRUNE_MS)
  prune.unref()

  const unsubscribe = events.subscribe((message) => {
    if (relaying || !APPENDED_HERE.has(message.event) || isLocalOnly(message.payload)) return
    log.append(message.event, message.payload)
  })

  return {
    relaying: () => relaying,
    position: () => last,
    async close() {
      closed = true
      clearInterval(poll)
      clearInterval(prune)
      unsubscribe()
      await log.close()
      await listener?.end().catch(() => undefined)
    },
  }
}

// The fleet's event relay on a throwaway PostgreSQL cluster: events cross between two servers through
// the fleet's event log, none is lost or doubled while a LISTEN connection is cut and the database
// refuses new connections (a database restart or failover), and the relay listens again by itself
// however long that lasts.

import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { expect, it } from 'vitest'
import type { EventMessage, ReceivedMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import type { PgAccountRepository } from '../accounts/pg-account-repository'
import { createEventBus, type EventBus } from '../events'
import { silentLogger, type Logger } from '../logger'
import { relayFleetEvents, type FleetEvents } from './fleet-events'
import { createFleetLog } from './fleet-log'
import { dedupeMessages } from './message-dedupe'

/** A logger that hands each info and warning message to `onLine`; silent otherwise. */
function linesTo(onLine: (msg: string) => void): Logger {
  const logger: Logger = { ...silentLogger(), info: (_obj, msg) => onLine(msg ?? ''), warn: (_obj, msg) => onLine(msg ?? ''), child: () => logger }
  return logger
}

describePostgres('fleet event relay', () => {
  const ref = usePostgresCluster()

  it('relays events between servers, and listens again after the database refused it for a while', async () => {
    const url = await ref.cluster.createDatabase()
    const dataKey = randomBytes(32)
    const admin = new pg.Client({ connectionString: ref.cluster.url })
    await admin.connect()
    const databases: OpenedPostgres[] = []
    const relays: FleetEvents[] = []
    const refused: Array<() => void> = []
    let back = 0
    let onBack = (): void => undefined
    const received = new Map<string, string[]>()
    try {
      const buses: EventBus[] = []
      for (const serverId of ['srv-a', 'srv-b']) {
        const logger = linesTo((msg) => {
          if (msg.includes('could not be opened')) refused.splice(0).forEach((wake) => wake())
          if (msg.includes('connection is back')) {
            back += 1
            onBack()
          }
        })
        const database = await openPostgres({ url, dataKey: Buffer.from(dataKey), logger: silentLogger() })
        databases.push(database)
        const events = createEventBus(silentLogger())
        const log = createFleetLog({ pool: database.pool, serverId, sealer: database.sealer, logger: silentLogger() })
        // What the sessions emit on: a message is recorded in the log, then shown here.
        buses.push(dedupeMessages(events, log, silentLogger()))
        received.set(serverId, [])
        events.subscribe((m) => {
          if (m.event === 'accounts:message') received.get(serverId)!.push((m.payload as ReceivedMessage).text)
        })
        // Only accounts:message crosses in this test; the account rows are never touched.
        const accounts = {} as PgAccountRepository
        relays.push(await relayFleetEvents({ log, url, serverId, events, accounts, runsHere: () => true, logger }))
      }
      const [a, b] = buses as [EventBus, EventBus]
      const arrivesOnB = (text: string): Promise<void> =>
        new Promise((resolve) => {
          const stop = b.subscribe((m: EventMessage) => {
            if (m.event === 'accounts:message' && (m.payload as ReceivedMessage).text === text) {
              stop()
              resolve()
            }
          })
        })
      const message = (text: string): ReceivedMessage => ({ account: 'acc-x' as AccountId, id: randomBytes(6).toString('hex'), from: '1@s.whatsapp.net', fromPhone: '+1', fromLid: null, text, at: Date.now() })

      const first = arrivesOnB('before')
      void a.emit('accounts:message', message('before'))
      await first

      // The database stops taking connections and the listeners are cut: each relay's first attempts fail.
      const dbName = new URL(url).pathname.slice(1)
      const failedOnce = new Promise<void>((resolve) => refused.push(resolve))
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`)
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'irish-desktop-events'`, [dbName])
      expect(cut.rowCount).toBe(2)
      await failedOnce
      // Recorded while B listens to nothing (the pool's open connections still write and read).
      const during = Array.from({ length: 20 }, (_, i) => `during ${i}`)
      for (const text of during) expect(await a.emit('accounts:message', message(text))).toBe(true)
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`)

      // Both listen again (each says so once its LISTEN is in), then an event crosses as before.
      await new Promise<void>((resolve) => {
        onBack = () => back === 2 && resolve()
        onBack()
      })
      const second = arrivesOnB('after')
      void a.emit('accounts:message', message('after'))
      await second
      // Every one of them once, in the order recorded, on both streams.
      expect(received.get('srv-b')).toEqual(['before', ...during, 'after'])
      // A shows its own 'after' once its append answers, which B's relay can overtake.
      await expect.poll(() => received.get('srv-a')).toEqual(['before', ...during, 'after'])
      // The same message reported again (WhatsApp's redelivery after a failover) is recorded once.
      const again = message('again')
      const lastOnB = arrivesOnB('last')
      expect(await a.emit('accounts:message', again)).toBe(true)
      expect(await b.emit('accounts:message', { ...again })).toBe(true)
      expect(await a.emit('accounts:message', message('last'))).toBe(true)
      await lastOnB
      expect(received.get('srv-b')!.filter((t) => t === 'again')).toHaveLength(1)
    } finally {
      for (const relay of relays) await relay.close()
      for (const database of databases) await database.close()
      await admin.end()
    }
  }, 30_000)
})

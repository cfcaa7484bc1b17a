// The fleet's activity log on a throwaway PostgreSQL cluster (real server, real migrations): the same
// behaviour suite as the SQLite log, and one history for every server of the fleet.

import { randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { silentLogger } from '../logger'
import { describeActivityLogContract } from '../../../../test/support/activity-log-contract'
import { createPgActivityLog } from './pg-activity-log'

describePostgres('PostgreSQL activity log', () => {
  const ref = usePostgresCluster()
  const logger = silentLogger()

  describeActivityLogContract('PostgreSQL', async () => {
    const url = await ref.cluster.createDatabase()
    const dataKey = randomBytes(32)
    let database = await openPostgres({ url, dataKey: Buffer.from(dataKey), logger })
    return {
      open: (options) => createPgActivityLog({ pool: database.pool, logger, ...options }),
      async reopen() {
        await database.close()
        database = await openPostgres({ url, dataKey: Buffer.from(dataKey), logger })
      },
      cleanup: () => database.close(),
    }
  })

  it('is one history for every server of a fleet: what one writes, another lists, in order, within the same bound', async () => {
    const url = await ref.cluster.createDatabase()
    const dataKey = randomBytes(32)
    const databases: OpenedPostgres[] = []
    try {
      // Two pools on one database, as two server processes have.
      for (let i = 0; i < 2; i++) databases.push(await openPostgres({ url, dataKey: Buffer.from(dataKey), logger }))
      const [one, two] = databases.map((database) => createPgActivityLog({ pool: database.pool, logger, perAccount: 4 })) as [
        ReturnType<typeof createPgActivityLog>,
        ReturnType<typeof createPgActivityLog>,
      ]
      const account = 'acc-shared' as AccountId
      one.record({ account, kind: 'status', message: 'Connected on one', actor: 'system' })
      await one.settled()
      two.record({ account, kind: 'command', message: 'Stop: done', actor: 'cli' })
      await two.settled()
      expect((await one.list(account)).map((e) => [e.actor, e.message])).toEqual([
        ['cli', 'Stop: done'],
        ['system', 'Connected on one'],
      ])
      for (let i = 0; i < 5; i++) {
        ;(i % 2 ? one : two).record({ account, kind: 'status', message: `m${i}`, actor: 'system' })
        await Promise.all([one.settled(), two.settled()])
      }
      expect((await two.list(account)).map((e) => e.message)).toEqual(['m4', 'm3', 'm2', 'm1'])
      one.forget(account)
      await one.settled()
      expect(await two.list(account)).toEqual([])
    } finally {
      for (const database of databases) await database.close()
    }
  })
})

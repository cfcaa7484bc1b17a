// The fleet's LID store on a throwaway PostgreSQL cluster (real server, real migrations): the same
// behaviour suite as the SQLite store, so whichever server runs an account knows the same numbers.

import { randomBytes } from 'node:crypto'
import { describeLidStoreContract } from '../../../../test/support/lid-store-contract'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres } from '../db/postgres/open-postgres'
import { silentLogger } from '../logger'
import { createPgLidStore } from './pg-lid-store'

describePostgres('PostgreSQL LID store', () => {
  const ref = usePostgresCluster()
  const logger = silentLogger()

  describeLidStoreContract('PostgreSQL', async () => {
    const url = await ref.cluster.createDatabase()
    const dataKey = randomBytes(32)
    let database = await openPostgres({ url, dataKey: Buffer.from(dataKey), logger })
    return {
      open: () => createPgLidStore({ pool: database.pool, logger }),
      async reopen() {
        await database.close()
        database = await openPostgres({ url, dataKey: Buffer.from(dataKey), logger })
      },
      cleanup: () => database.close(),
    }
  })
})

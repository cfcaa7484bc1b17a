// The PostgreSQL account repository on a throwaway cluster, held to the behaviour every account
// repository has (test/support/account-repository-contract.ts).

import { randomBytes } from 'node:crypto'
import { afterEach } from 'vitest'
import { accountRepositoryContract } from '../../../../test/support/account-repository-contract'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { createWriteQueue, type WriteQueue } from '../db/postgres/write-queue'
import { silentLogger } from '../logger'
import { createPgAccountRepository } from './pg-account-repository'

describePostgres('the PostgreSQL account repository', () => {
  const ref = usePostgresCluster()
  const opened: OpenedPostgres[] = []
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close()
  })

  accountRepositoryContract(async () => {
    const database = await openPostgres({ url: await ref.cluster.createDatabase(), dataKey: randomBytes(32), logger: silentLogger() })
    opened.push(database)
    const queues: WriteQueue[] = []
    const make = async () => {
      const queue = createWriteQueue(silentLogger())
      queues.push(queue)
      return createPgAccountRepository(database.db, queue)
    }
    const settled = () => Promise.all(queues.map((queue) => queue.settled()))
    return {
      repo: await make(),
      async reopen() {
        await settled()
        return make()
      },
      async writeRawTags(id, text) {
        await settled()
        await database.pool.query('UPDATE accounts SET tags = $1 WHERE id = $2', [text, id])
      },
    }
  })
})

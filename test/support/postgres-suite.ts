// One throwaway PostgreSQL cluster per test file: `const pg = usePostgresCluster()` at the top of a
// describe starts it in beforeAll and stops it in afterAll. Test-only.
// Suites wrap themselves in `describePostgres(...)`, which skips with a printed reason when PostgreSQL
// is not installed, and fails in CI (see requirePostgres).

import { afterAll, beforeAll, describe } from 'vitest'
import { requirePostgres, startPostgresCluster, type PostgresCluster } from './postgres-cluster'

const install = requirePostgres()

/** describe, or describe.skip with the reason printed when there is no PostgreSQL (never in CI). */
export function describePostgres(name: string, body: () => void): void {
  describe.skipIf('missing' in install)(name, body)
}

export interface ClusterRef {
  readonly cluster: PostgresCluster
}

export function usePostgresCluster(): ClusterRef {
  let cluster: PostgresCluster | undefined
  beforeAll(async () => {
    if ('missing' in install) return
    cluster = await startPostgresCluster(install)
    // initdb and the first start took over 60 s at a load of 20+ on the 2 shared cores.
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  return {
    get cluster() {
      if (!cluster) throw new Error('the PostgreSQL cluster is not running (beforeAll has not run)')
      return cluster
    },
  }
}

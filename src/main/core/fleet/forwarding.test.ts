// The forwarding's reading of who runs an account, against a real PostgreSQL cluster: a command about an
// account no server holds a live lease on runs here, and the fleet is told what the database showed, so
// its own older reading does not drop the command's writes (fleet-accounts.ts). An account held here, or
// by another server, is not reported free.

import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import type { Dispatch } from '../api/dispatch'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { silentLogger } from '../logger'
import { forwardingDispatch } from './forwarding'

const logger = silentLogger()

describePostgres('forwarding: what the database shows of an account’s lease', () => {
  const ref = usePostgresCluster()
  const opened: OpenedPostgres[] = []

  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close()
  })

  it('tells the fleet of the accounts it found with no live lease, and runs their commands here', async () => {
    const database = await openPostgres({ url: await ref.cluster.createDatabase(), dataKey: randomBytes(32), logger })
    opened.push(database)
    await database.pool.query("INSERT INTO servers (id, url, heartbeat_at) VALUES ('srv-here', 'http://127.0.0.1:2', now()), ('srv-other', 'http://127.0.0.1:3', now())")
    await database.pool.query(
      "INSERT INTO leases (account_id, owner, epoch, expires_at) VALUES ('acc-here', 'srv-here', 1, now() + interval '1 hour'), ('acc-lapsed', 'srv-other', 1, now() - interval '1 second'), ('acc-freed', NULL, 2, now())",
    )
    const ranHere: string[] = []
    const local: Dispatch = async (command, input) => {
      ranHere.push(command)
      const ids = (input as { ids?: string[] }).ids
      return { ok: true, value: ids ? ids.map((id) => ({ id, ok: true })) : null }
    }
    const seen: AccountId[][] = []
    const dispatch = forwardingDispatch({ local, database, serverId: 'srv-here', token: 't'.repeat(64), logger, sawNoLease: (ids) => seen.push([...ids]) })

    for (const id of ['acc-lapsed', 'acc-freed', 'acc-never', 'acc-here']) await dispatch('accounts:logout', { id })
    expect(seen).toEqual([['acc-lapsed'], ['acc-freed'], ['acc-never']])
    expect(ranHere).toEqual(['accounts:logout', 'accounts:logout', 'accounts:logout', 'accounts:logout'])

    seen.length = 0
    const bulk = await dispatch('accounts:bulk', { ids: ['acc-here', 'acc-lapsed', 'acc-never'], action: 'stop' })
    expect(bulk.ok).toBe(true)
    expect(seen).toEqual([['acc-lapsed', 'acc-never']])
  })
})

// The documented way to back up a fleet's PostgreSQL (docs/security.md, "Backups"): pg_dump -Fc, then
// pg_restore into a new database. The restored database opens with the data key (its key check, its
// migrations) and every account's credentials read back; with another key it is refused.

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import type { AccountId } from '../src/shared/ids'
import { pgAuthStoreFactory } from '../src/main/core/auth-store/pg-store'
import { openPostgres } from '../src/main/core/db/postgres/open-postgres'
import { silentLogger } from '../src/main/core/logger'
import { findPostgres } from './support/postgres-cluster'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'

const run = promisify(execFile)
const logger = silentLogger()

describePostgres('pg_dump and pg_restore', () => {
  const ref = usePostgresCluster()

  it('restore a database that opens with the data key and reads every account back', async () => {
    const { bin } = findPostgres() as { bin: string }
    const dir = mkdtempSync(join(tmpdir(), 'irish-pgdump-'))
    const dataKey = randomBytes(32)
    try {
      const url = await ref.cluster.createDatabase()
      const source = await openPostgres({ url, dataKey, logger })
      const accounts = ['acc-1111111111', 'acc-2222222222'] as AccountId[]
      for (const account of accounts) {
        const store = pgAuthStoreFactory(source).open(account)
        await store.saveCreds({ me: { id: `1555${account.slice(-6)}:1@s.whatsapp.net` }, registrationId: 7 } as never)
        await store.set({ session: { peer: { record: randomBytes(64) } } } as never)
      }
      await source.close()

      const file = join(dir, 'fleet.dump')
      await run(join(bin, 'pg_dump'), ['--format=custom', '--file', file, '--dbname', url])
      const restoredUrl = await ref.cluster.createDatabase()
      await run(join(bin, 'pg_restore'), ['--no-owner', '--dbname', restoredUrl, file])

      await expect(openPostgres({ url: restoredUrl, dataKey: randomBytes(32), logger })).rejects.toMatchObject({ code: 'key-unavailable' })
      const restored = await openPostgres({ url: restoredUrl, dataKey, logger })
      try {
        for (const account of accounts) {
          const snapshot = await pgAuthStoreFactory(restored).open(account).exportSnapshot()
          expect(snapshot?.creds.me?.id).toContain(account.slice(-6))
          expect(Object.keys(snapshot!.keys.session!)).toEqual(['peer'])
          // The write counter came along: older state stays refused after a restore.
          expect(snapshot!.writes).toBe(1)
        }
      } finally {
        await restored.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

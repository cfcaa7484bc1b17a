// The SQLite LID store against the one behaviour suite every LidStore passes (real file, real migrations).

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeLidStoreContract } from '../../../../test/support/lid-store-contract'
import { openDatabase } from '../db/open-database'
import { silentLogger } from '../logger'
import { createSqliteLidStore } from './sqlite-lid-store'

describeLidStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'irish-lids-'))
  const file = join(dir, 'irish.db')
  const dataKey = randomBytes(32)
  let opened = openDatabase({ file, dataKey: Buffer.from(dataKey) })
  return {
    open: () => createSqliteLidStore({ sqlite: opened.sqlite, logger: silentLogger() }),
    async reopen() {
      opened.close()
      opened = openDatabase({ file, dataKey: Buffer.from(dataKey) })
    },
    async cleanup() {
      opened.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

// Data-key rotation time (docs/security.md, "Rotating the data key") for a store of N accounts shaped as
// freshly paired ones (creds, 812 pre-keys as Baileys uploads at pairing, a few sessions, sealed as the
// app seals them), against a peer measured in the same run on the same file: SQLite's online backup of
// that store (store:backup), which reads every page once without opening a value.
//
// Usage: npm run bench:rotation [-- --accounts 500 --pre-keys 812]

import './as-built'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { AccountId } from '../src/shared/ids'
import { openSqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import { backupSqlite } from '../src/main/core/backup/sqlite-backup'
import { openDatabase } from '../src/main/core/db/open-database'
import { rotateSqliteKey } from '../src/main/core/rotation/rotate-key'
import { silentLogger } from '../src/main/core/logger'

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '500' }, 'pre-keys': { type: 'string', default: '812' } } })
const ACCOUNTS = Number(values.accounts)
const PRE_KEYS = Number(values['pre-keys'])
const SESSIONS = 10

async function fill(file: string, key: Buffer): Promise<number> {
  const factory = openSqliteAuthStoreFactory({ file, dataKey: key })
  let values = 0
  try {
    for (let a = 0; a < ACCOUNTS; a++) {
      const store = factory.open(`acc-${a}` as AccountId)
      await store.saveCreds(initAuthCreds())
      const preKeys = Object.fromEntries(Array.from({ length: PRE_KEYS }, (_, i) => [String(i + 1), { public: randomBytes(32), private: randomBytes(32) }]))
      const sessions = Object.fromEntries(Array.from({ length: SESSIONS }, (_, i) => [`4915100000${i}.0`, randomBytes(1200)]))
      await store.set({ 'pre-key': preKeys, session: sessions })
      values += 1 + PRE_KEYS + SESSIONS
    }
  } finally {
    await factory.close()
  }
  return values
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-bench-rotation-'))
  const file = join(dir, 'irish.db')
  const oldKey = randomBytes(32)
  const newKey = randomBytes(32)
  try {
    const values = await fill(file, oldKey)
    const mib = statSync(file).size / 2 ** 20

    const database = openDatabase({ file, dataKey: oldKey })
    const backupStart = process.hrtime.bigint()
    await backupSqlite(database.sqlite, join(dir, 'copy.db'), { keyId: database.sealer.keyId, appVersion: 'bench', logger: silentLogger() })
    const backupMs = Number(process.hrtime.bigint() - backupStart) / 1e6
    database.close()

    const rotateStart = process.hrtime.bigint()
    const report = await rotateSqliteKey(file, { newKey, oldKey, logger: silentLogger() })
    const rotateMs = Number(process.hrtime.bigint() - rotateStart) / 1e6

    console.log(`rotation of ${ACCOUNTS} accounts (${values} sealed values, ${mib.toFixed(0)} MiB store), SQLite:`)
    console.log(`  rotate-key ${(rotateMs / 1000).toFixed(1)} s (${report.resealed} re-sealed, ${((rotateMs * 1000) / report.resealed).toFixed(1)} µs per value)`)
    console.log(`  online backup of the same store ${(backupMs / 1000).toFixed(1)} s; ratio rotation/backup ${(rotateMs / backupMs).toFixed(1)}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()

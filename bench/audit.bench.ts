// The audit trail's cost per command (docs/security.md, "The audit trail") against the peer it must not
// exceed: the activity log's line per command, both on a real SQLite store (WAL, synchronous=normal, as
// the app opens it), measured in the same run, in interleaved rounds.
//
// - one at a time: each command waits for its entry before the next (a CLI, a single UI click);
// - 100 at once: 100 commands answer in the same turn (a burst from the API, a bulk action), which the
//   trail writes as one transaction; the activity log writes each line on its own.
// Each figure is wall time per command; the ratio trail/activity is the tracked figure.
//
// Usage: npm run bench:audit [-- --commands 5000 --rounds 5]

import './as-built'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { AccountId } from '../src/shared/ids'
import { createSqliteActivityLog } from '../src/main/core/activity/sqlite-activity-log'
import { createAuditTrail } from '../src/main/core/audit/audit-trail'
import { sqliteAuditRows } from '../src/main/core/audit/sqlite-audit-rows'
import { openDatabase } from '../src/main/core/db/open-database'
import { silentLogger } from '../src/main/core/logger'

const { values } = parseArgs({ options: { commands: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } } })
const COMMANDS = Number(values.commands)
const ROUNDS = Number(values.rounds)
const BURST = 100

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const account = (i: number): AccountId => `acc-${i % 50}` as AccountId

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'irish-bench-audit-'))
  const database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
  const trail = createAuditTrail({ rows: sqliteAuditRows(database.sqlite), server: 'bench', logger: silentLogger(), retentionDays: () => 90 })
  const activity = createSqliteActivityLog({ sqlite: database.sqlite, batch: database.batch })
  const entry = (i: number) => ({ actor: 'alice', command: 'accounts:start', accounts: [account(i)], result: 'ok', subject: null })
  const line = (i: number) => ({ account: account(i), kind: 'command' as const, message: 'Start', actor: 'api' as const })

  const timeUs = async (run: () => Promise<void> | void): Promise<number> => {
    const start = process.hrtime.bigint()
    await run()
    return Number(process.hrtime.bigint() - start) / 1000 / COMMANDS
  }
  const figures = { trailOne: [] as number[], activityOne: [] as number[], trailBurst: [] as number[], activityBurst: [] as number[] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      figures.trailOne.push(
        await timeUs(async () => {
          for (let i = 0; i < COMMANDS; i++) await trail.record(entry(i))
        }),
      )
      figures.activityOne.push(
        await timeUs(async () => {
          // The activity log writes synchronously; the await matches what a command's answer does.
          for (let i = 0; i < COMMANDS; i++) {
            activity.record(line(i))
            await activity.settled()
          }
        }),
      )
      figures.trailBurst.push(
        await timeUs(async () => {
          for (let i = 0; i < COMMANDS; i += BURST) await Promise.all(Array.from({ length: BURST }, (_, j) => trail.record(entry(i + j))))
        }),
      )
      figures.activityBurst.push(
        await timeUs(async () => {
          for (let i = 0; i < COMMANDS; i += BURST) {
            for (let j = 0; j < BURST; j++) activity.record(line(i + j))
            await activity.settled()
          }
        }),
      )
    }
  } finally {
    await trail.close()
    database.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const one = median(figures.trailOne) / median(figures.activityOne)
  const burst = median(figures.trailBurst) / median(figures.activityBurst)
  console.log(`audit trail vs activity log, ${COMMANDS} commands × ${ROUNDS} rounds, median µs per command:`)
  console.log(`  one at a time: trail ${median(figures.trailOne).toFixed(1)} µs, activity ${median(figures.activityOne).toFixed(1)} µs, ratio ${one.toFixed(2)}`)
  console.log(`  ${BURST} at once:   trail ${median(figures.trailBurst).toFixed(1)} µs, activity ${median(figures.activityBurst).toFixed(1)} µs, ratio ${burst.toFixed(2)}`)
}

await main()

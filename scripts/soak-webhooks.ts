// `npm run soak:webhooks [-- --rounds 20]`: the fleet outbox's two-server exactly-once test
// (src/main/core/webhooks/pg-outbox.test.ts) run again and again under CPU contention (two busy workers,
// bench/cpu-contention.ts), the load under which a claim used to be taken by both servers. Prints each
// run's outcome and the duplicate deliveries it saw; exits 1 when any run failed.

import './require-node24.mjs'
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { loadAverage, startContention } from '../bench/cpu-contention'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } })
const ROUNDS = Number(values.rounds)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a whole number, 1 or more')
const TEST = 'src/main/core/webhooks/pg-outbox.test.ts'

const contention = startContention(2)
const say = (line: string): void => void process.stdout.write(`${line}\n`)
say(`soak:webhooks: ${ROUNDS} runs of "${TEST} › delivers each event exactly once" beside ${contention.what}`)
let failed = 0
let duplicates = 0
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    const started = Date.now()
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', TEST, '-t', 'exactly once'], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    })
    const out = `${run.stdout}\n${run.stderr}`
    const seen = /(\d+) duplicate deliveries/.exec(out)
    const extra = seen ? Number(seen[1]) : 0
    duplicates += extra
    const ok = run.status === 0
    if (!ok) failed += 1
    say(`run ${round}: ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s; ${extra} duplicate deliveries; load ${loadAverage()}`)
    if (!ok && !seen) say(out.split('\n').filter((l) => /Error|expected|FAIL/.test(l)).slice(0, 8).join('\n'))
  }
} finally {
  await contention.stop()
}
say(`summary: ${ROUNDS - failed} of ${ROUNDS} runs passed; ${duplicates} duplicate deliveries in all; load ${loadAverage()}`)
process.exitCode = failed === 0 ? 0 : 1

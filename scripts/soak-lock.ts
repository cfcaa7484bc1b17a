// `npm run soak:lock [-- trials]`: races two processes for the data-dir lock over a stale lock (the
// last holder killed with SIGKILL) again and again, and counts trials with exactly one winner. Prints
// the figures; exits 1 when any trial had zero or two winners. As root it also restarts as PID 1.

import './require-node24.mjs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { raceTwo, startHolder } from '../test/support/lock-race'

const trials = Number(process.argv[2] ?? 100)
const dir = mkdtempSync(join(tmpdir(), 'irish-soak-lock-'))
const asPid1 = process.getuid?.() === 0
try {
  const outcomes = { one: 0, none: 0, two: 0 }
  let pid1Restarts = 0
  const started = Date.now()
  for (let trial = 0; trial < trials; trial += 1) {
    const { winners } = await raceTwo(dir)
    if (winners === 1) outcomes.one += 1
    else if (winners === 0) outcomes.none += 1
    else outcomes.two += 1
    if (asPid1) {
      const holder = await startHolder(dir, { asPid1: true })
      if ((await holder.attempt()).held) pid1Restarts += 1
      await holder.kill()
    }
  }
  console.log(`lock race: ${trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log(`  exactly one winner: ${outcomes.one}, no winner: ${outcomes.none}, two winners: ${outcomes.two}`)
  if (asPid1) console.log(`  restarts as PID 1 after kill -9: ${pid1Restarts}/${trials} took the lock`)
  else console.log('  PID-1 restarts skipped: unshare needs root')
  process.exitCode = outcomes.one === trials && (!asPid1 || pid1Restarts === trials) ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}

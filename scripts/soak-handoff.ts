// `npm run soak:handoff [-- trials-per-step]`: kill -9 of the source or the target at each step of a
// server-to-server hand-off, 20 times per step by default, and where the account ended up once both
// were up again. Prints the figures; exits 1 when any trial ended with the account running nowhere, in
// two places, or somewhere other than the protocol says, or left a record at the target other than an
// aborted hand-off's tombstone.

import './require-node24.mjs'
import { CRASH_POINTS, type CrashPoint } from '../src/main/core/transfer/hand-off-protocol'
import { muteLibsignalLogs } from '../test/support/baileys-clients'
import { runHandOffTrial } from '../test/support/hand-off-trial'
import { startTestSimulator } from '../test/support/transfer-support'

const perStep = Number(process.argv[2] ?? 20)
const steps = process.argv[3] ? (process.argv[3].split(',') as CrashPoint[]) : [...CRASH_POINTS]
const EXPECTED: Record<CrashPoint, 'source' | 'target'> = {
  'source:after-mark-moved': 'source',
  'source:after-send': 'target',
  'source:after-confirm': 'target',
  'target:after-import': 'target',
  'target:after-confirm': 'target',
}

const unmute = muteLibsignalLogs()
const simulator = await startTestSimulator()
let failures = 0
try {
  for (const step of steps) {
    const settle: number[] = []
    let right = 0
    // Records the target still holds once settled: aborted tombstones are kept for an hour, nothing else.
    let kept = 0
    for (let trial = 0; trial < perStep; trial += 1) {
      try {
        const outcome = await runHandOffTrial(simulator, step)
        settle.push(outcome.settleMs)
        kept += outcome.targetRecords.filter((r) => r.state !== 'aborted').length
        if (outcome.runningAt === EXPECTED[step]) right += 1
        else failures += 1
      } catch (error) {
        failures += 1
        console.error(`  ${step} trial ${trial + 1}: ${(error as Error).message}`)
      }
    }
    settle.sort((x, y) => x - y)
    const median = settle[Math.floor(settle.length / 2)] ?? NaN
    console.log(
      `${step}: ${right}/${perStep} settled in exactly one place (${EXPECTED[step]}); settle time median ${median} ms, max ${settle.at(-1) ?? NaN} ms; ${kept} records left at the target`,
    )
    if (kept > 0) failures += 1
  }
} finally {
  await simulator.close()
  unmute()
}
process.exitCode = failures === 0 ? 0 : 1

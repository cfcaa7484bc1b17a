// A process that takes the data-dir lock the way the server does, for the lock tests: started with the
// data dir as its argument, it waits for "go" on stdin (so two can try at the same moment), tries, and
// prints one JSON line: {"held":true,"pid":…} or {"held":false,"message":…}. A holder keeps the lock
// until its stdin ends or it is killed.

import { createInterface } from 'node:readline'
import { acquireDataDirLock } from '../../src/main/core/data-dir-lock'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: lock-holder <data-dir>')
const lines = createInterface({ input: process.stdin })
process.stdout.write('ready\n')
lines.once('line', () => {
  try {
    const lock = acquireDataDirLock(dataDir)
    process.stdout.write(`${JSON.stringify({ held: true, pid: process.pid })}\n`)
    lines.once('close', () => {
      lock.release()
      process.exit(0)
    })
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ held: false, message: (error as Error).message })}\n`)
    process.exit(0)
  }
})

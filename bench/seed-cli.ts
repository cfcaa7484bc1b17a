// Child process entry of seedInChildProcess (seed-accounts.ts): reads SeedOptions as JSON on stdin,
// seeds, and writes the SeededAccounts as JSON on stdout. Errors go to stderr with a non-zero exit.

import { text } from 'node:stream/consumers'
import { seedAccounts, type SeedOptions } from './seed-accounts'

try {
  const options = JSON.parse(await text(process.stdin)) as SeedOptions
  process.stdout.write(JSON.stringify(await seedAccounts(options)))
} catch (error) {
  console.error('[seeding]', error)
  process.exitCode = 1
}

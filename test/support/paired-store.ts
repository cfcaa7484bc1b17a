// A data dir holding `count` accounts paired for real (Baileys against the simulator), its core closed:
// the starting point of the rotation and backup suites. Test-only; framework-free.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AccountSummary } from '../../src/shared/contract'
import type { Simulator } from '../../src/simulator/simulator'
import { newDataKey, openTestCore, pairAccount } from './sessions'

export interface PairedStore {
  dataDir: string
  dataKey: string
  accounts: AccountSummary[]
}

/** Pairs `count` accounts into a new data dir, a few at a time, then closes the core (the accounts stay wanted running). */
export async function pairedStore(sim: Simulator, count: number, options: { prefix?: string; parallel?: number } = {}): Promise<PairedStore> {
  const dataDir = mkdtempSync(join(tmpdir(), options.prefix ?? 'irish-paired-'))
  const dataKey = newDataKey()
  const { core, events } = await openTestCore({ dataDir, dataKey, endpoint: sim })
  try {
    const accounts: AccountSummary[] = []
    const parallel = options.parallel ?? 5
    for (let i = 0; i < count; i += parallel) {
      const group = Array.from({ length: Math.min(parallel, count - i) }, (_, j) => `Paired ${i + j}`)
      const paired = await Promise.all(group.map((label) => pairAccount(core, events, (qr, name) => sim.scanQr(qr, { name }), label, 60_000)))
      accounts.push(...paired.map((p) => p.summary))
    }
    return { dataDir, dataKey, accounts }
  } finally {
    events.stop()
    await core.close()
  }
}

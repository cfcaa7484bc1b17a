// Many real accounts in one core against an in-process simulator, for the doctor's soak
// (scripts/soak-doctor.ts) and the Needs attention spec's server (e2e/support/attention-server.ts):
// a data dir, a core, N accounts paired by QR a few at a time (the simulator plays each phone), and a
// way to pair one again. Test-only; framework-free.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AccountId } from '../../src/shared/ids'
import type { DoctorOptions } from '../../src/main/core/doctor/doctor'
import type { BackoffOptions } from '../../src/main/core/sessions/reconnect-policy'
import { startSimulator, type Simulator } from '../../src/simulator/simulator'
import { silentLogger as silentSimulatorLogger } from '../../src/simulator/logger'
import { muteLibsignalLogs } from './baileys-clients'
import { embeddedSimulatorPort } from '../../src/main/embedded-simulator'
import { newDataKey, nextQr, openTestCore, pairAccount, waitForStatus, type EventRecorder, type PairedTestAccount } from './sessions'
import type { Core } from '../../src/main/core/create-core'

export interface ManyAccounts {
  sim: Simulator
  core: Core
  events: EventRecorder
  dataDir: string
  accounts: PairedTestAccount[]
  /** Re-pairs an account that lost its session (accounts:start with repair), the same phone scanning again. */
  repair(account: PairedTestAccount): Promise<void>
  close(): Promise<void>
}

export async function startManyAccounts(options: {
  accounts: number
  label: (index: number) => string
  pairConcurrency?: number
  staleSocketSeconds?: number
  backoff?: BackoffOptions
  doctor?: DoctorOptions
  /** Told "paired n of N" as pairing goes. */
  progress?: (paired: number) => void
}): Promise<ManyAccounts> {
  const unmute = muteLibsignalLogs()
  const sim = await startSimulator({ port: 0, logger: silentSimulatorLogger })
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-many-'))
  const simulator = embeddedSimulatorPort(sim, null)
  try {
    const { core, events } = await openTestCore({
      dataDir,
      dataKey: newDataKey(),
      endpoint: sim,
      simulator,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.doctor ? { doctor: options.doctor } : {}),
    })
    if (options.staleSocketSeconds !== undefined) core.settings.set({ staleSocketSeconds: options.staleSocketSeconds })
    const accounts: PairedTestAccount[] = new Array(options.accounts)
    let next = 0
    let paired = 0
    const scan = (qr: string, name: string) => sim.scanQr(qr, { name })
    const worker = async (): Promise<void> => {
      while (next < options.accounts) {
        const index = next++
        accounts[index] = await pairAccount(core, events, scan, options.label(index), 60_000)
        options.progress?.(++paired)
      }
    }
    await Promise.all(Array.from({ length: Math.min(options.pairConcurrency ?? 8, options.accounts) }, () => worker()))
    return {
      sim,
      core,
      events,
      dataDir,
      accounts,
      async repair(account) {
        const since = events.mark()
        await core.sessions.start(account.id as AccountId, { repair: true })
        await sim.scanQr(await nextQr(events, account.id, since, 60_000), { phone: account.phone })
        await waitForStatus(core, events, account.id, 'connected', { since, timeoutMs: 60_000 })
      },
      async close() {
        events.stop()
        await core.close()
        await sim.close()
        rmSync(dataDir, { recursive: true, force: true })
        unmute()
      },
    }
  } catch (error) {
    await sim.close()
    rmSync(dataDir, { recursive: true, force: true })
    unmute()
    throw error
  }
}

// The benchmarks' seeded accounts (bench/seed-accounts.ts) must behave as paired ones: a simulator
// started on the seeded state and a core opened on the seeded data dir connect them with real Baileys,
// and they exchange texts both ways (the first builds its Signal session from a seeded pre-key). A seeding
// that signs wrong, stores the wrong keys or leaves either side out fails here.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedMessage } from '../src/shared/contract'
import { NO_LIMITS } from '../src/main/core/sends/limits'
import { startSimulator, type Simulator } from '../src/simulator/simulator'
import { silentLogger as silentSimulatorLogger } from '../src/simulator/logger'
import { seedAccounts, type SeededAccounts } from '../bench/seed-accounts'
import { SEEDED_DEVICE_ID } from '../bench/seed-identity'
import { muteLibsignalLogs } from './support/baileys-clients'
import { newDataKey, openTestCore, waitForStatus, type EventRecorder } from './support/sessions'
import type { Core } from '../src/main/core/create-core'

const COUNT = 3

describe('seeded benchmark accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irish-seed-'))
  const dataDir = join(dir, 'data')
  const statePath = join(dir, 'sim-state.json')
  const dataKey = newDataKey()
  let unmute: () => void = () => {}
  let sim: Simulator | undefined
  let core: Core | undefined
  let events: EventRecorder | undefined
  let seeded: SeededAccounts

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    seeded = await seedAccounts({ count: COUNT, dataDir, dataKey, statePath, labelPrefix: 'Seeded', limits: NO_LIMITS, preKeyCount: 6, workers: 0 })
    sim = await startSimulator({ port: 0, statePath, stateReadOnly: true, logger: silentSimulatorLogger })
    const opened = await openTestCore({ dataDir, dataKey, endpoint: sim })
    core = opened.core
    events = opened.events
  })

  afterAll(async () => {
    events?.stop()
    await core?.close()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
    unmute()
  })

  it('writes both sides: the simulator knows each device, the app each account with its phone, stopped and wanted running', () => {
    const known = sim!.accounts().map((a) => ({ jid: a.jid, devices: a.devices.map((d) => d.id) }))
    expect(known).toEqual(seeded.accounts.map((a) => ({ jid: a.jid, devices: [SEEDED_DEVICE_ID] })))
    const rows = core!.sessions.list()
    expect(rows.map((r) => [r.id, r.phone, r.status])).toEqual(seeded.accounts.map((a) => [a.id, a.phone, 'stopped']))
  })

  it('connects every seeded account with real Baileys and exchanges texts both ways', async () => {
    await core!.startAccounts()
    for (const account of seeded.accounts) await waitForStatus(core!, events!, account.id, 'connected', { timeoutMs: 20_000 })
    const [a, b] = seeded.accounts as [SeededAccounts['accounts'][0], SeededAccounts['accounts'][0]]
    for (const [from, to, text] of [
      [a, b, 'seeded hello'],
      [b, a, 'seeded reply'],
    ] as const) {
      const arrived = events!.next((m) => m.event === 'accounts:message' && (m.payload as ReceivedMessage).account === to.id && (m.payload as ReceivedMessage).text === text, {
        timeoutMs: 20_000,
        what: `"${text}" at ${to.phone}`,
      })
      await core!.sessions.sendText(from.id, to.phone, text)
      expect((await arrived).payload).toMatchObject({ fromPhone: `+${from.phone}` })
    }
  }, 60_000)
})

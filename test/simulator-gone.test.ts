// A server joined to a simulator in another process (the README's second server, or a fleet on a
// standalone simulator): "Simulate scan" plays that simulator's phone through its admin API; when the
// simulator goes away the server says so in its log and in simulator:info (the UI's banner), and its
// accounts come back by themselves once the simulator is back on the same port and state.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulatorProcess, type SimulatorProcess } from '../bench/simulator-process'
import type { AccountStatus, AccountSummary, PairingState, SimulatorInfo } from '../src/shared/contract'
import { startServerProcess, type EventStream, type ServerProcess } from './support/server-process'

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

describe('a server whose simulator goes away and comes back', () => {
  let work: string
  let simulatorArgs: string[]
  let simulator: SimulatorProcess
  let server: ServerProcess
  let events: EventStream

  /** Waits until the account shows `status` now or after this call (never by an earlier event). */
  async function awaitStatus(id: string, status: AccountStatus, timeoutMs: number): Promise<void> {
    const from = events.received.length
    const pending = events.next(
      (m) => events.received.indexOf(m) >= from && m.event === 'accounts:changed' && (m.payload as AccountSummary).id === id && (m.payload as AccountSummary).status === status,
      timeoutMs,
    )
    const now = (await server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === id)
    if (now?.status === status) return void pending.catch(() => undefined)
    await pending
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'irish-simulator-gone-'))
    simulatorArgs = ['--port', String(await freePort()), '--state', join(work, 'simulator-state.json')]
    simulator = await startSimulatorProcess(simulatorArgs)
    server = await startServerProcess({
      dataDir: join(work, 'data'),
      env: { IRISH_WHATSAPP_URL: simulator.url, IRISH_WHATSAPP_ROOT_KEY: simulator.rootKeyHex, IRISH_SIMULATOR_ADMIN: simulator.admin },
      args: ['--log-level', 'info'],
    })
    events = await server.events()
  }, 60_000)

  afterAll(async () => {
    events?.close()
    await server?.stop()
    await simulator?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('pairs with "Simulate scan" through the simulator\'s admin API', async () => {
    const info = await server.value<SimulatorInfo>('simulator:info')
    expect(info).toEqual({ trusted: true, url: simulator.url, admin: simulator.admin, down: null })
    const added = await server.value<AccountSummary>('accounts:add', { label: 'Dana' })
    await events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
    const scanned = await server.value<{ jid: string }>('simulator:scan', { id: added.id })
    expect(scanned.jid).toMatch(/@s\.whatsapp\.net$/)
    await awaitStatus(added.id, 'connected', 30_000)
  }, 60_000)

  it('says the simulator is gone, and reconnects its accounts once it is back', async () => {
    const [account] = await server.value<AccountSummary[]>('accounts:list')
    await simulator.stop()
    await awaitStatus(account!.id, 'reconnecting', 20_000)
    await expect.poll(async () => (await server.value<SimulatorInfo>('simulator:info')).down, { timeout: 20_000 }).toMatchObject({ reason: 'ECONNREFUSED' })
    expect(server.stderr.join('')).toContain(`the WhatsApp simulator at ${simulator.url} cannot be reached (ECONNREFUSED)`)

    simulator = await startSimulatorProcess(simulatorArgs)
    // The probe notices within seconds; the account's own backoff alone could wait up to a minute.
    await awaitStatus(account!.id, 'connected', 15_000)
    expect((await server.value<SimulatorInfo>('simulator:info')).down).toBeNull()
    expect(server.stderr.join('')).toContain(`the WhatsApp simulator at ${simulator.url} answers again`)
  }, 90_000)
})

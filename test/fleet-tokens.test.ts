// Named tokens and the audit trail in a fleet: two real server processes on one throwaway PostgreSQL
// cluster, one simulator, real Baileys. A token added on one server works on the other at once; a revoke
// on one is refused by the other within a second and closes its streams there; a command forwarded to the
// server that runs the account keeps its caller, in the owner's audit trail and activity log.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CLIENT_HEADER, EVENTS_CLOSE_UNAUTHORIZED } from '../src/shared/channels'
import type { AccountSummary, ActivityEntry, AuditEntry, FleetServer, PairingState } from '../src/shared/contract'
import { muteLibsignalLogs } from './support/baileys-clients'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'
import { startTestSimulator, type TestSimulator } from './support/transfer-support'

interface Member {
  server: ServerProcess
  events: EventStream
  dataDir: string
  id: string
}

describePostgres('tokens and the audit trail in a fleet', () => {
  const ref = usePostgresCluster()
  const token = newApiToken()
  const dataKey = newDataKey()
  let sim: TestSimulator
  let unmute: () => void
  const members: Member[] = []

  async function startMember(url: string): Promise<Member> {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-fleet-tokens-'))
    const server = await startServerProcess({ dataDir, dataKey, token, args: ['--database', url], env: sim.env })
    const events = await server.events()
    const self = (await server.value<FleetServer[]>('fleet:servers')).find((s) => s.url === server.url)!
    return { server, events, dataDir, id: self.id }
  }

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    sim = await startTestSimulator()
    const url = await ref.cluster.createDatabase()
    for (let i = 0; i < 2; i++) members.push(await startMember(url))
  }, 120_000)

  afterAll(async () => {
    for (const m of members) {
      m.events.close()
      await m.server.stop().catch(() => undefined)
      rmSync(m.dataDir, { recursive: true, force: true })
    }
    await sim?.close()
    unmute?.()
  })

  it('accepts a token added on one server at once on the other, and refuses it there within a second of a revoke on the first', async () => {
    const [one, two] = members as [Member, Member]
    const { token: ops } = await one.server.value<{ token: string }>('tokens:add', { name: 'ops', role: 'operator' })
    expect((await two.server.call('accounts:list', {}, ops)).status).toBe(200)
    const stream = new WebSocket(`${two.server.url.replace('http', 'ws')}/api/events`, ['irish.v1', `bearer.${ops}`])
    const closed = new Promise<number>((resolve) => stream.once('close', (code) => resolve(code)))
    await new Promise<void>((resolve) => stream.on('message', (data) => (JSON.parse(String(data)) as { type?: string }).type === 'ready' && resolve()))

    await one.server.value('tokens:revoke', { name: 'ops' })
    const revokedAt = performance.now()
    let status = 200
    while (status === 200 && performance.now() - revokedAt < 5_000) status = (await two.server.call('accounts:list', {}, ops)).status
    const took = performance.now() - revokedAt
    expect(status).toBe(401)
    expect(took).toBeLessThan(1_000)
    expect(await closed).toBe(EVENTS_CLOSE_UNAUTHORIZED)
  }, 30_000)

  it('keeps the caller of a command forwarded to the server that runs the account', async () => {
    const [one, two] = members as [Member, Member]
    const added = await one.server.value<AccountSummary>('accounts:add', { label: 'Forwarded' })
    const qr = await one.events.next((m) => m.event === 'accounts:qr' && (m.payload as PairingState).id === added.id && (m.payload as PairingState).qr !== null)
    await sim.sim.scanQr((qr.payload as PairingState).qr!, { name: 'Forwarded' })
    await one.events.next((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === added.id && (m.payload as AccountSummary).status === 'connected', 60_000)

    const { token: rita } = await two.server.value<{ token: string }>('tokens:add', { name: 'rita', role: 'operator' })
    // Asked of the server that does not run it, through the CLI's channel: forwarded to the owner.
    const response = await fetch(`${two.server.url}/api/accounts:stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${rita}`, [CLIENT_HEADER]: 'cli' },
      body: JSON.stringify({ id: added.id }),
    })
    expect(response.status).toBe(200)
    const trail = await two.server.value<AuditEntry[]>('audit:list', { command: 'accounts:stop', limit: 10 })
    // Once, by the owner, under the caller's name.
    expect(trail).toEqual([{ at: expect.any(Number), actor: 'rita', command: 'accounts:stop', accounts: [added.id], result: 'ok', server: one.id, subject: null }])
    const activity = await two.server.value<ActivityEntry[]>('accounts:activity', { id: added.id })
    expect(activity.find((e) => e.message === 'Stop: done')?.actor).toBe('cli')

    // A viewer's forwarded command is refused by the door of the server asked: recorded once, there.
    const { token: vic } = await one.server.value<{ token: string }>('tokens:add', { name: 'vic', role: 'viewer' })
    expect((await two.server.call('accounts:start', { id: added.id }, vic)).status).toBe(403)
    const refused = await one.server.value<AuditEntry[]>('audit:list', { actor: 'vic', limit: 10 })
    expect(refused).toEqual([expect.objectContaining({ command: 'accounts:start', result: 'forbidden', server: two.id })])
  }, 120_000)
})

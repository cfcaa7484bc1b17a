// Webhooks in a fleet, short: two real server processes on one throwaway PostgreSQL cluster and one
// simulator, each running one account. A webhook added on one server receives the messages both accounts
// get, each exactly once, signed, whichever server claimed it. Also: the server refuses a private target
// unless started with --webhooks-allow-private (the second server is).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AccountSummary, EventMessage, FleetServer, PairingState, ReceivedMessage } from '../src/shared/contract'
import { startReceiver, type Receiver } from './support/webhook-receiver'
import { muteLibsignalLogs } from './support/baileys-clients'
import { describePostgres, usePostgresCluster } from './support/postgres-suite'
import { newApiToken, newDataKey, startServerProcess, type EventStream, type ServerProcess } from './support/server-process'
import { startTestSimulator, type TestSimulator } from './support/transfer-support'

const TOKEN = newApiToken()

interface Member {
  server: ServerProcess
  events: EventStream
  dataDir: string
}

describePostgres('webhooks in a fleet of two servers', () => {
  const ref = usePostgresCluster()
  const dataKey = newDataKey()
  const members: Member[] = []
  let sim: TestSimulator
  let unmute: () => void
  let receiver: Receiver

  async function startMember(url: string, args: string[] = []): Promise<Member> {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-webhooks-fleet-'))
    const server = await startServerProcess({ dataDir, dataKey, token: TOKEN, args: ['--database', url, ...args], env: { ...sim.env, IRISH_TEST_WEBHOOK_RETRY_MS: '50' } })
    return { server, events: await server.events(), dataDir }
  }

  async function pairOn(member: Member, label: string): Promise<AccountSummary> {
    const added = await member.server.value<AccountSummary>('accounts:add', { label })
    const qr = await member.events.next((m) => m.event === 'accounts:qr' && m.payload.id === added.id && m.payload.qr !== null)
    await sim.sim.scanQr((qr.payload as PairingState).qr!, { name: label })
    await member.events.next((m: EventMessage) => m.event === 'accounts:changed' && m.payload.id === added.id && m.payload.status === 'connected', 60_000)
    return (await member.server.value<AccountSummary[]>('accounts:list')).find((a) => a.id === added.id)!
  }

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    const url = await ref.cluster.createDatabase()
    sim = await startTestSimulator()
    receiver = await startReceiver()
    members.push(await startMember(url))
    members.push(await startMember(url, ['--webhooks-allow-private']))
  }, 120_000)

  afterAll(async () => {
    for (const m of members) {
      m.events.close()
      await m.server.stop().catch(() => undefined)
      rmSync(m.dataDir, { recursive: true, force: true })
    }
    await receiver?.close()
    await sim?.close()
    unmute?.()
  })

  it('refuses a private target unless the server allows it', async () => {
    const refused = await members[0]!.server.call('webhooks:add', { url: 'https://10.1.2.3/hook', events: ['accounts:message'] })
    expect(refused.status).toBe(400)
    expect(!refused.body.ok && refused.body.error.message).toMatch(/private or link-local.*--webhooks-allow-private/)
    const allowed = await members[1]!.server.value<{ id: string }>('webhooks:add', { url: 'https://10.1.2.3/hook', events: ['accounts:removed'] })
    await members[1]!.server.value('webhooks:remove', { id: allowed.id })
  })

  it('delivers each message exactly once across the two servers', async () => {
    const hook = await members[0]!.server.value<{ id: string; secret: string }>('webhooks:add', { url: receiver.url, events: ['accounts:message'] })
    // The other server learns of the endpoint within 2 s; its list reads it at once.
    expect(await members[1]!.server.value<unknown[]>('webhooks:list')).toHaveLength(1)
    const alice = await pairOn(members[0]!, 'Alice')
    const bob = await pairOn(members[1]!, 'Bob')
    const servers = await members[0]!.server.value<FleetServer[]>('fleet:servers')
    expect(servers).toHaveLength(2)

    const texts: string[] = []
    for (let i = 0; i < 10; i += 1) {
      const text = `fleet ${i}`
      texts.push(text)
      const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice]
      const owner = members.find((m) => m.server.url === servers.find((s) => s.id === from.server)?.url) ?? members[0]!
      await owner.server.value('accounts:send-text', { id: from.id, to: to.phone!, text })
    }
    const got = await receiver.count((r) => r.event === 'accounts:message', 10, 30_000)
    // Every row settled (delivered): no server holds one it could still send a second time.
    await expect.poll(async () => (await members[1]!.server.value<Array<{ pending: number }>>('webhooks:list'))[0]!.pending, { timeout: 10_000 }).toBe(0)
    const messages = receiver.received.filter((r) => r.event === 'accounts:message')
    expect(messages).toHaveLength(10)
    expect(new Set(got.map((r) => r.delivery)).size).toBe(10)
    expect(messages.map((r) => (r.body.data as ReceivedMessage).text).sort()).toEqual([...texts].sort())
    for (const r of messages) expect(receiver.verify(r, hook.secret)).toBe(true)
    expect(messages.filter((r) => r.body.account === alice.id).map((r) => (r.body.data as ReceivedMessage).text)).toEqual(texts.filter((_, i) => i % 2 === 1))
  }, 180_000)
})

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { WASocket } from '@whiskeysockets/baileys'
import { isAppError } from '../shared/errors.js'
import { startSimulator, type Simulator } from './simulator.js'
import { silentLogger } from './logger.js'
import { closeSocket, createTestSocket, muteLibsignalLogs, nextMessage, pairClient, textOf, waitForOpen } from '../../test/support/baileys-clients.js'

let dir: string
let unmute: () => void
const sims: Simulator[] = []
const sockets: WASocket[] = []

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  dir = await mkdtemp(join(tmpdir(), 'sim-state-'))
})
afterEach(async () => {
  await Promise.all(sockets.splice(0).map(closeSocket))
  await Promise.all(sims.splice(0).map((s) => s.close()))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  unmute()
})

async function start(statePath: string): Promise<Simulator> {
  const sim = await startSimulator({ statePath, logger: silentLogger })
  sims.push(sim)
  return sim
}

describe('state file', () => {
  it('keeps accounts, keys, groups, queued messages and the root across a restart', async () => {
    const statePath = join(dir, 'restart.json')
    const first = await start(statePath)
    const a = await pairClient(first, { name: 'Ann' })
    const b = await pairClient(first, { name: 'Ben' })
    const group = await a.sock.groupCreate('Kept', [b.account.jid])
    const hello = nextMessage(b.sock, (m) => textOf(m) === 'before restart')
    await a.sock.sendMessage(b.account.jid, { text: 'before restart' })
    await hello
    await closeSocket(b.sock)
    await a.sock.sendMessage(b.account.jid, { text: 'queued across restart' })
    await closeSocket(a.sock)
    const rootKeyHex = first.rootKeyHex
    await first.close()
    sims.splice(0)

    const second = await start(statePath)
    expect(second.rootKeyHex).toBe(rootKeyHex)
    expect(second.accounts().map((x) => x.jid)).toEqual([a.account.jid, b.account.jid])

    const a2 = createTestSocket(second, a.store)
    const b2 = createTestSocket(second, b.store)
    sockets.push(a2, b2)
    const queued = nextMessage(b2, (m) => textOf(m) === 'queued across restart')
    await Promise.all([waitForOpen(a2), waitForOpen(b2)])
    await queued

    const inGroup = nextMessage(b2, (m) => textOf(m) === 'group after restart')
    await a2.sendMessage(group.id, { text: 'group after restart' })
    expect((await inGroup).key.remoteJid).toBe(group.id)

    const c = await pairClient(second)
    sockets.push(c.sock)
    expect(c.account.jid).toBe('15550000003@s.whatsapp.net')
  })

  it('writes the file atomically as JSON without leaving temp files', async () => {
    const statePath = join(dir, 'atomic.json')
    const sim = await start(statePath)
    const a = await pairClient(sim)
    sockets.push(a.sock)
    await sim.close()
    const doc = JSON.parse(await readFile(statePath, 'utf8'))
    expect(doc.version).toBe(1)
    expect(doc.directory.accounts[0].devices[0].preKeys.length).toBeGreaterThan(0)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('read-only: serves the accounts of the file and never writes it, whatever changes', async () => {
    const statePath = join(dir, 'read-only.json')
    const writer = await start(statePath)
    const a = await pairClient(writer, { name: 'Ann' })
    await closeSocket(a.sock)
    await writer.close()
    sims.splice(0)
    const before = await readFile(statePath, 'utf8')

    const sim = await startSimulator({ statePath, stateReadOnly: true, logger: silentLogger })
    sims.push(sim)
    expect(sim.accounts().map((x) => x.jid)).toEqual([a.account.jid])
    const again = createTestSocket(sim, a.store)
    sockets.push(again)
    await waitForOpen(again)
    const b = await pairClient(sim, { name: 'Ben' })
    sockets.push(b.sock)
    expect(sim.accounts()).toHaveLength(2)
    await sim.close()
    expect(await readFile(statePath, 'utf8')).toBe(before)
  })

  it('refuses a corrupt state file with storage-corrupt', async () => {
    const statePath = join(dir, 'corrupt.json')
    await writeFile(statePath, '{"version":1,')
    let caught: unknown
    try {
      await start(statePath)
    } catch (err) {
      caught = err
    }
    expect(isAppError(caught) && caught.code).toBe('storage-corrupt')
  })
})

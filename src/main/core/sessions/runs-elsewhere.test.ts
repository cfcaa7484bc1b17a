// A start that another server of a fleet overtook: between this start marking the account wanted and its
// own lease claim, the other server's assignment round claimed it. The account runs there, so the start
// answers with the account as it is, wanted and not failed, rather than a conflict. No database and no
// socket: the claim is refused before a socket would open. And the order of an operator's change in a
// fleet (start, stop, log-out, a replacing import, a move): the lease first, then the write, which a
// server not holding the lease would drop.
import { initAuthCreds } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import type { AccountRecord } from '../accounts/account-repository'
import { memoryAccounts } from '../../../../test/support/memory-accounts'
import { bareSessionDeps } from '../../../../test/support/bare-session-deps'
import { createMemoryAuthStoreFactory } from '../auth-store/memory-store'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { RunsElsewhereError } from './runs-elsewhere'
import { createSessionManager, type SessionManager } from './session-manager'

describe('a start another server of the fleet overtook', () => {
  let dir: string
  let database: OpenedDatabase
  let sessions: SessionManager
  let claimedElsewhere = true
  const accounts = memoryAccounts()

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'irish-runs-elsewhere-'))
    database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
    const memory = createMemoryAuthStoreFactory()
    sessions = createSessionManager({
      accounts,
      openStore: (id) => memory.open(id),
      // What fleet.ensureLease throws when another server claimed the account first.
      openAuth: async () => {
        if (claimedElsewhere) throw new RunsElsewhereError('This account runs on server srv-other; a second copy here would break the session.')
        throw new Error('a broken store (test)')
      },
      events: createEventBus(silentLogger()),
      // Never reached: every start here stops at its claim.
      socketConfig: () => ({ waWebSocketUrl: 'ws://127.0.0.1:9/' }),
      ...bareSessionDeps(database),
    })
  })

  afterAll(async () => {
    await sessions?.shutdown()
    database?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('answers with the account, still wanted and not failed, and says nothing went wrong', async () => {
    const added = await sessions.add('Overtaken')
    expect(added).toMatchObject({ label: 'Overtaken', lastError: null })
    expect(added.status).not.toBe('failed')
    expect(accounts.get(added.id)?.wantRunning).toBe(true)
    await sessions.stop(added.id)
    expect(accounts.get(added.id)?.wantRunning).toBe(false)
    const started = await sessions.start(added.id)
    expect(started).toMatchObject({ id: added.id, status: 'stopped', lastError: null })
    expect(accounts.get(added.id)?.wantRunning).toBe(true)
  })

  /**
   * A session manager over accounts as a fleet server's accounts port keeps them: the writes of an account
   * whose lease this server does not hold are dropped (fleet-accounts.ts). Its claim takes the lease,
   * unless another server runs the account.
   */
  const fencedManagers: SessionManager[] = []
  afterEach(async () => {
    for (const manager of fencedManagers.splice(0)) await manager.shutdown()
  })

  function fencedManager(): {
    manager: SessionManager
    inner: ReturnType<typeof memoryAccounts>
    steps: string[]
    lease: { held: boolean; elsewhere: boolean }
    /** An account added and stopped here, its lease then freed (no server holds it), with the steps so far forgotten. */
    stoppedWithNoLease(label: string): Promise<AccountId>
  } {
    const steps: string[] = []
    const lease = { held: true, elsewhere: false }
    const inner = memoryAccounts()
    const fenced = {
      ...inner,
      update: (id: AccountId, patch: Partial<AccountRecord>) => {
        if (patch.wantRunning !== undefined) steps.push(`${patch.wantRunning ? 'wanted' : 'not wanted'} ${lease.held ? 'written' : 'dropped'}`)
        return lease.held ? inner.update(id, patch) : inner.get(id)!
      },
    }
    const memory = createMemoryAuthStoreFactory()
    const manager = createSessionManager({
      accounts: fenced,
      openStore: (id) => memory.open(id),
      claim: async () => {
        if (lease.elsewhere) throw new RunsElsewhereError('This account runs on server srv-other; a second copy here would break the session.')
        steps.push('claimed')
        lease.held = true
      },
      // Stops here: the socket is not what is tested.
      openAuth: async () => {
        throw new RunsElsewhereError('This account runs on server srv-other; a second copy here would break the session.')
      },
      events: createEventBus(silentLogger()),
      socketConfig: () => ({ waWebSocketUrl: 'ws://127.0.0.1:9/' }),
      ...bareSessionDeps(database),
    })
    fencedManagers.push(manager)
    async function stoppedWithNoLease(label: string): Promise<AccountId> {
      const { id } = await manager.add(label)
      await manager.stop(id)
      lease.held = false
      steps.length = 0
      return id
    }
    return { manager, inner, steps, lease, stoppedWithNoLease }
  }

  it('takes the lease before it records that the operator wants the account running', async () => {
    const { manager, inner, steps, stoppedWithNoLease } = fencedManager()
    // Added and stopped while this server held the lease; then another server ran it and let it go.
    const id = await stoppedWithNoLease('Claimed first')
    expect(inner.get(id)?.wantRunning).toBe(false)
    await manager.start(id)
    expect(steps).toEqual(['claimed', 'wanted written'])
    expect(inner.get(id)?.wantRunning).toBe(true)
  })

  it("takes the lease before an operator's stop, and refuses one another server runs, leaving the account as it was", async () => {
    const { manager, inner, steps, lease } = fencedManager()
    // Running on another server, then let go (its lease expired): this server's last reading still names that server.
    const { id } = await manager.add('Stopped here')
    lease.held = false
    steps.length = 0
    expect(await manager.stop(id)).toMatchObject({ id, status: 'stopped' })
    expect(steps).toEqual(['claimed', 'not wanted written'])
    expect(inner.get(id)?.wantRunning).toBe(false)

    const other = (await manager.add('Runs elsewhere')).id
    lease.held = false
    lease.elsewhere = true
    await expect(manager.stop(other)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/srv-other.*Ask again/) })
    expect(inner.get(other)?.wantRunning).toBe(true)
    // The fleet letting an account go claims nothing.
    steps.length = 0
    await manager.stop(other, { lettingGo: true })
    expect(steps).toEqual(['not wanted dropped'])
  })

  it('takes the lease before a log-out deletes the keys and records it', async () => {
    const { manager, inner, steps, stoppedWithNoLease } = fencedManager()
    const id = await stoppedWithNoLease('Logged out here')
    expect(await manager.logout(id)).toMatchObject({ id, status: 'logged-out' })
    expect(steps).toEqual(['claimed', 'not wanted written'])
    expect(inner.get(id)).toMatchObject({ status: 'logged-out', wantRunning: false })
  })

  it('takes the lease before an import replaces the keys, and before an export marks the account moved', async () => {
    const { manager, inner, steps, lease, stoppedWithNoLease } = fencedManager()
    const id = await stoppedWithNoLease('Replaced')
    const creds = { ...initAuthCreds(), me: { id: '15550000001:1@s.whatsapp.net' } }
    const replaced = await manager.importSession({ replace: id }, { phone: '15550000001', name: null }, (store) => store.importSnapshot({ creds, keys: {} }))
    expect(replaced).toMatchObject({ id, status: 'stopped', phone: '15550000001' })
    expect(steps).toEqual(['claimed', 'not wanted written'])

    lease.held = false
    steps.length = 0
    await manager.exportSession(id, 'https://elsewhere.example', async () => 'sent')
    expect(steps).toEqual(['claimed', 'not wanted written'])
    expect(inner.get(id)).toMatchObject({ status: 'moved', movedTo: { target: 'https://elsewhere.example' } })
  })

  it('still fails a start whose claim failed for any other reason', async () => {
    claimedElsewhere = false
    const added = await sessions.add('Broken').catch((err: unknown) => err)
    expect(added).toBeInstanceOf(Error)
    const broken = accounts.list().find((a) => a.label === 'Broken')
    expect(broken).toMatchObject({ status: 'failed', wantRunning: false, lastError: 'The account could not be started. See the log.' })
  })
})

// One server's fleet loop against a real PostgreSQL cluster, without sockets (a stand-in session manager
// that starts nothing): what other servers see of a server that died. Its accounts show as moving, with
// no server, within a second of its lease's expiry; the servers list marks it down once its heartbeat is
// older than the lease, and drops it after twenty of them. And what a server lets go of: a loaded one never
// hands over an account still pairing, and a stopped account's lease is freed only once the stop is in
// the database.

import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { createPgAccountRepository, type PgAccountRepository } from '../accounts/pg-account-repository'
import { createWriteQueue, type WriteQueue } from '../db/postgres/write-queue'
import { silentLogger, type Logger } from '../logger'
import type { SessionManager } from '../sessions/session-manager'
import { createFleet, type Fleet } from './fleet'

const TTL_MS = 1000
const logger = silentLogger()
/** Nothing runs here: the fleet under test claims no account (none has creds). */
const noSessions = { start: async () => undefined, stop: async () => undefined } as unknown as SessionManager

describePostgres('a fleet server watching the others', () => {
  const ref = usePostgresCluster()
  const opened: OpenedPostgres[] = []
  const fleets: Fleet[] = []

  afterEach(async () => {
    for (const f of fleets.splice(0)) await f.stop()
    for (const d of opened.splice(0)) await d.close()
  })

  async function setUp(): Promise<{ database: OpenedPostgres; url: string }> {
    const url = await ref.cluster.createDatabase()
    const database = await openPostgres({ url, dataKey: randomBytes(32), logger, leaseTtlMs: TTL_MS })
    opened.push(database)
    return { database, url }
  }

  /** Account rows as the operator left them: [id, status, wanted running]; the label is the id's tail. */
  async function insertAccounts(database: OpenedPostgres, rows: ReadonlyArray<[id: string, status: string, wantRunning: boolean]>): Promise<void> {
    const now = Date.now()
    for (const [id, status, wantRunning] of rows) {
      await database.pool.query('INSERT INTO accounts (id, label, status, status_since, created_at, want_running) VALUES ($1, $2, $3, $4, $4, $5)', [
        id,
        id.replace(/^acc-/, ''),
        status,
        now,
        wantRunning,
      ])
    }
  }

  /** acc-one and acc-two, wanted, in `status`; and srv-idle, a live server running nothing (its heartbeat fresh for the whole test). */
  async function twoBesideAnIdleServer(database: OpenedPostgres, status: string): Promise<void> {
    await insertAccounts(database, [
      ['acc-one', status, true],
      ['acc-two', status, true],
    ])
    await database.pool.query("INSERT INTO servers (id, url, heartbeat_at) VALUES ('srv-idle', 'http://127.0.0.1:5', now() + interval '1 hour')")
  }

  /** The fleet under test, its accounts read (init), not started: each test starts it when it needs to. */
  async function openFleet(
    database: OpenedPostgres,
    options: { serverId?: string; ttlMs?: number; accounts?: PgAccountRepository; showLocally?: (summary: AccountSummary) => void } = {},
  ): Promise<{ fleet: Fleet; accounts: PgAccountRepository }> {
    const accounts = options.accounts ?? (await createPgAccountRepository(database.db, createWriteQueue(logger)))
    const fleet = createFleet({
      database,
      accounts,
      serverId: options.serverId ?? 'srv-watcher',
      url: () => 'http://127.0.0.1:2',
      logger,
      ttlMs: options.ttlMs ?? TTL_MS,
      ...(options.showLocally ? { showLocally: options.showLocally } : {}),
    })
    fleets.push(fleet)
    await fleet.init()
    return { fleet, accounts }
  }

  it('shows the accounts of a server whose lease lapsed as moving, with no server, within a second', async () => {
    const { database } = await setUp()
    await insertAccounts(database, [
      ['acc-running', 'connected', true],
      ['acc-stopped', 'connected', false],
    ])
    await database.pool.query("INSERT INTO servers (id, url) VALUES ('srv-dead', 'http://127.0.0.1:1')")
    // Its last renewal gave both leases 1.5 s more.
    await database.pool.query(
      "INSERT INTO leases (account_id, owner, epoch, expires_at) VALUES ('acc-running', 'srv-dead', 1, clock_timestamp() + interval '1500 milliseconds'), ('acc-stopped', 'srv-dead', 1, clock_timestamp() + interval '1500 milliseconds')",
    )
    const expiresAt = performance.now() + 1500
    const shown: Array<{ summary: AccountSummary; at: number }> = []
    const { fleet, accounts } = await openFleet(database, { showLocally: (summary) => shown.push({ summary, at: performance.now() }) })
    await fleet.start(noSessions)
    const record = accounts.get('acc-running' as AccountId)!
    expect(fleet.present({ ...record, server: undefined } as AccountSummary)).toMatchObject({ status: 'connected', server: 'srv-dead' })

    await expect.poll(() => shown.length, { timeout: 5000 }).toBeGreaterThan(0)
    const lapse = shown.find((s) => s.summary.id === 'acc-running')!
    expect(lapse.summary).toMatchObject({ id: 'acc-running', status: 'moving', server: null })
    expect(lapse.at - expiresAt).toBeLessThan(1000)
    // Not wanted running (the operator stopped it): no longer anyone's, but not moving either.
    expect(shown.find((s) => s.summary.id === 'acc-stopped')?.summary).toMatchObject({ status: 'connected', server: null })
    // accounts:list answers the same from the database.
    await fleet.refreshOwners()
    expect(fleet.present({ ...record } as AccountSummary)).toMatchObject({ status: 'moving', server: null })
  })

  it('shows a lease that lapsed between two readings (a slow round) as moving, not only one the lapse watch saw', async () => {
    const { database } = await setUp()
    await insertAccounts(database, [['acc-running', 'connected', true]])
    await database.pool.query("INSERT INTO servers (id, url) VALUES ('srv-dead', 'http://127.0.0.1:1')")
    await database.pool.query(
      "INSERT INTO leases (account_id, owner, epoch, expires_at) VALUES ('acc-running', 'srv-dead', 1, clock_timestamp() + interval '300 milliseconds')",
    )
    const shown: AccountSummary[] = []
    const { fleet, accounts } = await openFleet(database, { showLocally: (s) => shown.push(s) })
    const record = accounts.get('acc-running' as AccountId)!
    expect(fleet.present({ ...record } as AccountSummary)).toMatchObject({ server: 'srv-dead' })
    // The lease lapses before the first round reads again, and that round runs before the lapse watch's first look.
    await expect.poll(async () => (await database.pool.query('SELECT 1 FROM leases WHERE expires_at > clock_timestamp()')).rowCount, { interval: 50 }).toBe(0)
    await fleet.start(noSessions)
    expect(shown.find((s) => s.id === 'acc-running')).toMatchObject({ status: 'moving', server: null })
  })

  it('marks a server down once its heartbeat is older than the lease, and drops it after twenty', async () => {
    const { database } = await setUp()
    await database.pool.query(
      `INSERT INTO servers (id, url, started_at, heartbeat_at) VALUES
         ('srv-quiet', 'http://127.0.0.1:3', now() - interval '10 seconds', now() - interval '5 seconds'),
         ('srv-gone', 'http://127.0.0.1:4', now() - interval '1 minute', now() - interval '30 seconds')`,
    )
    const { fleet } = await openFleet(database)
    await fleet.start(noSessions)
    const servers = await fleet.servers()
    expect(servers.map((s) => [s.id, s.alive])).toEqual([
      ['srv-quiet', false],
      ['srv-watcher', true],
    ])
  })

  it('hands over a connected account to a less loaded server, never one still pairing', async () => {
    const { database } = await setUp()
    // Two accounts being paired here (no creds yet), and a live server running nothing.
    await twoBesideAnIdleServer(database, 'pairing')
    const stopped: string[] = []
    const sessions = { start: async () => undefined, stop: async (id: string) => void stopped.push(id) } as unknown as SessionManager
    // A lease of a minute: no scheduled round runs between the test's own rounds.
    const { fleet, accounts } = await openFleet(database, { serverId: 'srv-busy', ttlMs: 60_000 })
    await fleet.start(sessions)
    const one = 'acc-one' as AccountId
    const two = 'acc-two' as AccountId
    // As accounts:add does before it opens a pairing socket.
    await fleet.ensureLease(one)
    await fleet.ensureLease(two)
    const offers = async (): Promise<Array<{ account_id: string; offered_to: string | null }>> =>
      (await database.pool.query<{ account_id: string; offered_to: string | null }>('SELECT account_id, offered_to FROM leases WHERE offered_to IS NOT NULL')).rows

    // Two held against none: a hand-over is due, but both are pairing, so nothing is cut.
    await fleet.tick()
    expect(stopped).toEqual([])
    expect(await offers()).toEqual([])
    expect(fleet.leases.held().size).toBe(2)

    // Once one is connected, that one goes.
    accounts.update(one, { status: 'connected', statusSince: Date.now() })
    await fleet.tick()
    expect(stopped).toEqual([one])
    expect(await offers()).toEqual([{ account_id: one, offered_to: 'srv-idle' }])
    expect([...fleet.leases.held().keys()]).toEqual([two])
  })

  it('frees the lease of an account stopped here only once the stop is in the database', async () => {
    const { database } = await setUp()
    await insertAccounts(database, [['acc-one', 'connected', true]])
    const one = 'acc-one' as AccountId
    // The operator's stop comes in just after the round's refresh waited for this server's writes, and
    // its write lands only when the round asks for the writes again; it notes who held the lease then.
    let release = (): void => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    let armed = false
    let gating = false
    let ownerWhenWritten: string | null | undefined
    const inner = createWriteQueue(logger)
    const queue: WriteQueue = {
      ...inner,
      push(what, write) {
        if (!gating) return inner.push(what, write)
        gating = false
        inner.push(what, async () => {
          await gate
          ownerWhenWritten = (await database.pool.query<{ owner: string | null }>('SELECT owner FROM leases WHERE account_id = $1', [one])).rows[0]?.owner ?? null
          return write()
        })
      },
      settled() {
        const landed = inner.settled()
        if (armed) {
          armed = false
          gating = true
          repository.update(one, { wantRunning: false, status: 'stopped', statusSince: Date.now() })
        }
        return landed
      },
    }
    const repository = await createPgAccountRepository(database.db, queue)
    const accounts = {
      ...repository,
      settled: () => {
        release()
        return repository.settled()
      },
    }
    const { fleet } = await openFleet(database, { serverId: 'srv-one', ttlMs: 60_000, accounts })
    await fleet.start(noSessions)
    await fleet.ensureLease(one)

    armed = true
    await fleet.tick()
    expect(armed).toBe(false)
    release()
    await repository.settled()
    expect(ownerWhenWritten).toBe('srv-one')
    expect((await database.pool.query('SELECT owner FROM leases WHERE account_id = $1', [one])).rows[0]).toEqual({ owner: null })
    expect((await database.pool.query('SELECT want_running FROM accounts WHERE id = $1', [one])).rows[0]).toEqual({ want_running: false })
  })

  it("lets an operator's change to an account's row through once the database showed its lease free, though the last reading named another server", async () => {
    const { database } = await setUp()
    await insertAccounts(database, [['acc-freed', 'connected', false]])
    await database.pool.query("INSERT INTO servers (id, url, heartbeat_at) VALUES ('srv-old', 'http://127.0.0.1:5', now() + interval '1 hour')")
    await database.pool.query("INSERT INTO leases (account_id, owner, epoch, expires_at) VALUES ('acc-freed', 'srv-old', 1, now() + interval '1 hour')")
    const { fleet } = await openFleet(database)
    await fleet.refreshOwners()
    expect(fleet.ownerOf('acc-freed' as AccountId)).toBe('srv-old')
    // The old owner stopped it and freed the lease; this server's reading is older than that.
    await database.pool.query("UPDATE leases SET owner = NULL WHERE account_id = 'acc-freed'")
    const id = 'acc-freed' as AccountId
    expect(fleet.accounts.update(id, { wantRunning: true }).wantRunning).toBe(false)

    fleet.sawNoLease([id])
    expect(fleet.ownerOf(id)).toBeNull()
    expect(fleet.accounts.update(id, { wantRunning: true }).wantRunning).toBe(true)
    await expect.poll(async () => (await database.pool.query("SELECT want_running FROM accounts WHERE id = 'acc-freed'")).rows[0]?.want_running).toBe(true)
  })

  it('names what a fleet round is doing when it runs for a whole lease expiry', async () => {
    const { database } = await setUp()
    await twoBesideAnIdleServer(database, 'connected')
    // Closing the account handed over never ends until the test lets it.
    let unblock = (): void => undefined
    const blocked = new Promise<void>((resolve) => (unblock = resolve))
    const sessions = { start: async () => undefined, stop: () => blocked } as unknown as SessionManager
    const warnings: Array<Record<string, unknown>> = []
    const recording = (bindings: Record<string, unknown>): Logger => ({
      debug: () => undefined,
      info: () => undefined,
      warn: (obj, msg) => void warnings.push({ ...bindings, ...obj, msg }),
      error: () => undefined,
      child: (more) => recording({ ...bindings, ...more }),
    })
    const accounts = await createPgAccountRepository(database.db, createWriteQueue(logger))
    const fleet = createFleet({ database, accounts, serverId: 'srv-busy', url: () => 'http://127.0.0.1:2', logger: recording({}), ttlMs: TTL_MS })
    fleets.push(fleet)
    await fleet.init()
    await fleet.start(sessions)
    for (const id of ['acc-one', 'acc-two'] as AccountId[]) await fleet.ensureLease(id)
    try {
      // Two held against none on a live server: a scheduled round hands one over, and hangs closing it.
      await expect
        .poll(() => warnings.find((w) => w.msg === 'a fleet round has run for a whole lease expiry'), { timeout: 10_000 })
        .toMatchObject({ component: 'fleet', phase: 'closing the account handed over' })
    } finally {
      unblock()
    }
  })
})

// One server's part in a fleet: registration, leases, and the assignment loop that spreads the accounts
// the operator wants running over the live servers. Main process, Electron-free.
//
// Every tick (ttl / 3): renew this server's leases with its heartbeat, read who runs what (database
// time only), let go of accounts no longer wanted here, and claim unowned wanted accounts up to this
// server's fair share: ceil(wanted / live servers), capped by --capacity. Claims are atomic in the
// database, so servers racing for one account cannot both win. A lease lost (taken over, or not renewed
// for a whole ttl by this server's own clock) closes the account's socket here at once.

import { createHash } from 'node:crypto'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AuthStoreFactory } from '../auth-store/types'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import type { PgAccountRepository } from '../accounts/pg-account-repository'
import { pgAuthStoreFactory } from '../auth-store/pg-store'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'
import type { SessionManager } from '../sessions/session-manager'
import { fleetAccountRepository, type FleetAccountRepository } from './fleet-accounts'
import { createLeaseManager, DEFAULT_LEASE_TTL_MS, type LeaseManager } from './leases'

export interface FleetOptions {
  database: OpenedPostgres
  accounts: PgAccountRepository
  serverId: string
  /** This server's advertised URL (forwarded commands come here); known once the server listens. */
  url: () => string
  logger: Logger
  ttlMs?: number
  /** At most this many accounts here, whatever the fair share. */
  capacity?: number
}

export interface FleetServer {
  id: string
  url: string
  heartbeatAgeMs: number
  accounts: number
}

export interface Fleet {
  readonly serverId: string
  readonly leases: LeaseManager
  /** The accounts port for the session manager: runtime writes only for accounts held here. */
  readonly accounts: FleetAccountRepository
  /** The auth stores, every write fenced by this server's lease. */
  readonly stores: AuthStoreFactory
  /** Reads who runs what; call before the session manager is created (it resets stale statuses). */
  init(): Promise<void>
  /** Registers, then renews and assigns on a timer; accounts claimed are started through `sessions`. */
  start(sessions: SessionManager): Promise<void>
  /** Before a socket opens: holds the lease or throws conflict naming the server that runs it. */
  ensureLease(id: AccountId): Promise<void>
  /** The server that runs the account (live lease), or null, as of the last read. */
  ownerOf(id: AccountId): string | null
  /** Reads the live leases from the database now, so ownerOf answers what every server would. */
  refreshOwners(): Promise<void>
  /** The advertised URL of a live server. */
  urlOf(serverId: string): string | null
  servers(): Promise<FleetServer[]>
  /** One assignment round now (tests; also run on the timer). */
  tick(): Promise<void>
  /** After the sessions closed: releases every lease at once and leaves the fleet. */
  stop(): Promise<void>
}

interface Snapshot {
  owners: Map<string, string>
  servers: Map<string, { url: string; ageMs: number }>
  wanted: string[]
}

export function createFleet(options: FleetOptions): Fleet {
  const { database, serverId, url, logger } = options
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS
  const capacity = options.capacity ?? Number.POSITIVE_INFINITY
  const log = logger.child({ component: 'fleet', server: serverId })
  const releasing = new Set<AccountId>()
  let snapshot: Snapshot = { owners: new Map(), servers: new Map(), wanted: [] }
  let sessions: SessionManager | null = null
  let timer: NodeJS.Timeout | null = null
  let selfFenceTimer: NodeJS.Timeout | null = null
  let stopped = false
  let ticking: Promise<void> | null = null

  const leases = createLeaseManager({
    pool: database.pool,
    serverId,
    url,
    keyId: database.sealer.keyId,
    logger,
    ttlMs,
    onLost: (account, reason) => void letGo(account, reason),
  })
  const ownerOf = (id: AccountId): string | null => (leases.held().has(id) ? serverId : (snapshot.owners.get(id) ?? null))
  const accounts = fleetAccountRepository(options.accounts, {
    serverId,
    releasing,
    ownerOf,
    holdsFresh: (id) => leases.holdsFresh(id),
    holds: (id) => leases.held().has(id),
  })

  /** Closes the socket here without changing what the operator wants: another server runs it now. */
  async function letGo(account: AccountId, reason: string): Promise<void> {
    if (snapshot.owners.get(account) === serverId) snapshot.owners.delete(account)
    if (!sessions) return
    releasing.add(account)
    try {
      await sessions.stop(account)
    } catch (err) {
      log.warn({ account, err: String(err) }, 'closing an account whose lease was lost failed')
    } finally {
      releasing.delete(account)
    }
    log.warn({ account, reason }, 'stopped running an account here: lease lost')
  }

  async function read(): Promise<Snapshot> {
    const { rows } = await database.pool.query<{ kind: string; a: string; b: string | null; age: number | null }>(
      "SELECT 'lease' AS kind, account_id AS a, owner AS b, NULL::float8 AS age FROM leases WHERE owner IS NOT NULL AND expires_at > now() " +
        "UNION ALL SELECT 'server', id, url, extract(epoch FROM now() - heartbeat_at) * 1000 FROM servers " +
        // Only accounts with creds: a new account is claimed by the server that adds it (its socket opens
        // under the lease, then saves creds); before that, another server must not race it for the lease.
        "UNION ALL SELECT 'wanted', a.id, NULL, NULL FROM accounts a WHERE a.want_running AND a.moved_to IS NULL " +
        'AND EXISTS (SELECT 1 FROM auth_creds c WHERE c.account_id = a.id)',
    )
    const next: Snapshot = { owners: new Map(), servers: new Map(), wanted: [] }
    for (const row of rows) {
      if (row.kind === 'lease') next.owners.set(row.a, row.b!)
      else if (row.kind === 'server') next.servers.set(row.a, { url: row.b!, ageMs: Number(row.age) })
      else next.wanted.push(row.a)
    }
    return next
  }

  /** A stable order per server, so servers racing for unowned accounts mostly try different ones first. */
  function rank(account: string): string {
    return createHash('sha1').update(`${serverId}\0${account}`).digest('hex')
  }

  let rounds = 0

  async function assign(): Promise<void> {
    await leases.renew()
    // Now and then: message ids kept for de-duplication after a failover (message-dedupe.ts).
    if (rounds++ % 500 === 0) await database.pool.query("DELETE FROM received_messages WHERE received_at < now() - interval '1 day'")
    snapshot = await read()
    await accounts.refresh()
    if (!sessions || stopped) return
    // Held but no longer wanted here (stopped, removed, logged out, moved): free the lease for good.
    for (const id of [...leases.held().keys()]) {
      const record = options.accounts.get(id)
      if (!record || !record.wantRunning || record.movedTo) {
        await leases.release(id)
        snapshot.owners.delete(id)
      }
    }
    const live = [...snapshot.servers.values()].filter((s) => s.ageMs < ttlMs).length || 1
    const fair = Math.ceil(snapshot.wanted.length / live)
    const limit = Math.min(fair, capacity)
    const free = snapshot.wanted.filter((id) => !snapshot.owners.has(id) && !leases.held().has(id as AccountId)).sort((x, y) => (rank(x) < rank(y) ? -1 : 1))
    for (const id of free) {
      if (leases.held().size >= limit || stopped) break
      const epoch = await leases.claim(id as AccountId)
      if (epoch === null) continue
      snapshot.owners.set(id, serverId)
      log.info({ account: id, epoch }, 'claimed an account')
      sessions.start(id as AccountId).catch((err: unknown) => log.warn({ account: id, err: String(err) }, 'starting a claimed account failed'))
    }
  }

  function tick(): Promise<void> {
    // One round at a time: a slow database must not pile rounds up.
    ticking ??= assign()
      .catch((err: unknown) => log.warn({ err: describePgError(err) }, 'fleet round failed; retrying'))
      .finally(() => {
        ticking = null
      })
    return ticking
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => void tick().finally(schedule), Math.floor(ttlMs / 3))
  }

  const stores = pgAuthStoreFactory(database, { fence: leases })

  return {
    serverId,
    leases,
    accounts,
    stores,
    async init() {
      snapshot = await read()
      await accounts.refresh()
    },
    async start(manager) {
      sessions = manager
      await leases.register()
      // By its own clock, even while the database does not answer: a paused or cut-off server closes
      // its sockets before another server may take its accounts over.
      selfFenceTimer = setInterval(() => leases.expireLocally(), Math.max(50, Math.floor(ttlMs / 10)))
      await tick()
      schedule()
    },
    async ensureLease(id) {
      if (leases.held().has(id)) return
      const epoch = await leases.claim(id)
      if (epoch !== null) {
        snapshot.owners.set(id, serverId)
        return
      }
      const owner = (await read()).owners.get(id)
      throw new AppError('conflict', `This account runs on server ${owner ?? 'another server'}; a second copy here would break the session.`)
    },
    ownerOf,
    async refreshOwners() {
      const fresh = await read()
      snapshot = { ...snapshot, owners: fresh.owners, servers: fresh.servers }
    },
    urlOf: (id) => {
      const server = snapshot.servers.get(id)
      return server && server.ageMs < ttlMs ? server.url : null
    },
    async servers() {
      const { rows } = await database.pool.query<{ id: string; url: string; age: number; n: number }>(
        'SELECT s.id, s.url, (extract(epoch FROM now() - s.heartbeat_at) * 1000)::float8 AS age, count(l.account_id)::int AS n ' +
          'FROM servers s LEFT JOIN leases l ON l.owner = s.id AND l.expires_at > now() GROUP BY s.id, s.url, s.heartbeat_at ORDER BY s.started_at, s.id',
      )
      return rows.map((r) => ({ id: r.id, url: r.url, heartbeatAgeMs: Math.max(0, Math.round(Number(r.age))), accounts: r.n }))
    },
    tick,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      if (selfFenceTimer) clearInterval(selfFenceTimer)
      await ticking
      // Closed while the leases are still held: a late write gets the store's clear "closed" error.
      await stores.close()
      await leases.stop()
    },
  }
}

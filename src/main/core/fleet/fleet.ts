// One server's part in a fleet: registration, leases, and the assignment loop that spreads the accounts
// the operator wants running over the live servers (the decisions are assignment.ts). Main process,
// Electron-free.
//
// Leases renew on their own timer and connection (leases.ts). Every round (ttl / 3, and at once when
// another server hands an account over): read who runs what (database time only), let go of accounts no
// longer wanted here, claim free wanted accounts up to this server's fair share, and, when this server
// runs two more than the least loaded one, hand a connected one over gracefully: close its socket, offer the lease
// to that server, which claims it and connects (never two copies). A lease lost (taken over, or not
// renewed for a whole ttl by this server's own clock) closes the account's socket here at once; a lost
// lease never changes whether the operator wants the account running. docs/fleet.md tells the whole story.

import { createHash } from 'node:crypto'
import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { AuthStoreFactory } from '../auth-store/types'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import type { PgAccountRepository } from '../accounts/pg-account-repository'
import { pgAuthStoreFactory } from '../auth-store/pg-store'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'
import { toSummary } from '../accounts/account-repository'
import { RunsElsewhereError } from '../sessions/runs-elsewhere'
import type { SessionManager } from '../sessions/session-manager'
import { claimLimit, claimOrder, handOverTarget, type FleetView } from './assignment'
import { fleetAccountRepository, type FleetAccountRepository } from './fleet-accounts'
import { readFleetSnapshot, type FleetSnapshot } from './fleet-snapshot'
import { createLapseWatch } from './lapse-watch'
import { createLeaseManager, DEFAULT_LEASE_TTL_MS, type LeaseManager } from './leases'
import { presentAccount } from './present'

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
  /** Shows a summary on this server's own stream only (a lapse every server sees for itself). */
  showLocally?: (summary: AccountSummary) => void
  /** Tells the other servers to run a round now (a lease was handed over). */
  signal?: () => Promise<void>
  /** Tests only: holds a key write inside its transaction (pg-auth-store.ts holdWrite). */
  holdKeyWrite?: (account: AccountId, what: string) => Promise<void>
}

export interface FleetServer {
  id: string
  url: string
  heartbeatAgeMs: number
  /** Heartbeat younger than the lease expiry. */
  alive: boolean
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
  /** Registers, then renews and assigns on timers; accounts claimed are started through `sessions`. */
  start(sessions: SessionManager): Promise<void>
  /** Before a socket opens: holds the lease or throws conflict naming the server that runs it. */
  ensureLease(id: AccountId): Promise<void>
  /** The server that runs the account (live lease), or null, as of the last read. */
  ownerOf(id: AccountId): string | null
  /** A summary as the fleet sees it: who runs it, and "moving" while no live lease does though it is wanted. */
  present(summary: AccountSummary): AccountSummary
  /** Reads the live leases from the database now, so ownerOf answers what every server would. */
  refreshOwners(): Promise<void>
  /**
   * The database showed no live lease on these accounts just now (the forwarding read it for an
   * operator's command it runs here): this server's reading says so too until its next round, so the
   * command's writes to the account's row are not dropped as another server's (fleet-accounts.ts).
   */
  sawNoLease(ids: readonly AccountId[]): void
  /** The advertised URL of a live server. */
  urlOf(serverId: string): string | null
  servers(): Promise<FleetServer[]>
  /** One assignment round now (also run on the timer; a call during a round runs one more after it). */
  tick(): Promise<void>
  /** After the sessions closed: releases every lease at once and leaves the fleet. */
  stop(): Promise<void>
}

/** Servers whose heartbeat is this many lease expiries old are dropped from the servers table. */
const DROP_DEAD_SERVERS_AFTER_TTLS = 20
/** While a hand-over waits for its target's claim, rounds run this often. */
const HAND_OVER_POLL_MS = 500

export function createFleet(options: FleetOptions): Fleet {
  const { database, serverId, url, logger } = options
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS
  const capacity = options.capacity ?? Number.POSITIVE_INFINITY
  const log = logger.child({ component: 'fleet', server: serverId })
  const releasing = new Set<AccountId>()
  let snapshot: FleetSnapshot = { owners: new Map(), deadlines: new Map(), offered: new Map(), servers: new Map(), wanted: [] }
  let sessions: SessionManager | null = null
  let timer: NodeJS.Timeout | null = null
  let selfFenceTimer: NodeJS.Timeout | null = null
  let stopped = false
  let ticking: Promise<void> | null = null
  let again = false
  /** The account this server handed over last, until its target claimed it (or the offer lapsed). */
  let handingOver: { id: AccountId; until: number } | null = null

  const leases = createLeaseManager({
    pool: database.pool,
    control: database.control,
    serverId,
    url,
    keyId: database.sealer.keyId,
    capacity,
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
  const present = (summary: AccountSummary): AccountSummary => presentAccount(summary, ownerOf(summary.id), options.accounts.get(summary.id)?.wantRunning ?? false)
  const lapses = createLapseWatch({
    pool: database.pool,
    serverId,
    snapshot: () => snapshot,
    logger: log,
    lapsed: (id) => showHere(id),
  })

  /** Shows the account as this server now sees it, on its own stream only. */
  function showHere(id: AccountId): void {
    const record = options.accounts.get(id)
    if (record) options.showLocally?.(present(toSummary(record)))
  }

  /**
   * Takes a fresh reading. A lease of another server that lapsed between two readings (before the lapse
   * watch saw its deadline: a slow round) is gone from the new one; it is shown as lapsed here, as the
   * lapse watch would have.
   */
  function takeSnapshot(next: Pick<FleetSnapshot, 'owners' | 'deadlines' | 'offered' | 'servers'> & Partial<FleetSnapshot>): void {
    const before = snapshot.owners
    snapshot = { ...snapshot, ...next }
    for (const [id, owner] of before) {
      if (owner !== serverId && !snapshot.owners.has(id)) showHere(id as AccountId)
    }
  }

  /** Closes the socket here without changing what the operator wants: another server runs it now. */
  async function letGo(account: AccountId, reason: string): Promise<void> {
    if (snapshot.owners.get(account) === serverId) snapshot.owners.delete(account)
    await closeHere(account)
    log.warn({ account, reason }, 'stopped running an account here: lease lost')
    showHere(account)
  }

  /** Stops the account's socket with its writes dropped (fleet-accounts.ts): status and intent stay the owner's. */
  async function closeHere(account: AccountId): Promise<void> {
    if (!sessions) return
    releasing.add(account)
    try {
      await sessions.stop(account, { lettingGo: true })
    } catch (err) {
      log.warn({ account, err: String(err) }, 'closing an account here failed')
    } finally {
      releasing.delete(account)
    }
  }

  const read = (): Promise<FleetSnapshot> => readFleetSnapshot(database.pool, ttlMs)

  /** A stable order per server, so servers racing for free accounts mostly try different ones first. */
  function rank(account: string, server = serverId): string {
    return createHash('sha1').update(`${server}\0${account}`).digest('hex')
  }

  function view(): FleetView {
    return {
      serverId,
      live: [...snapshot.servers].filter(([, s]) => s.ageMs < ttlMs).map(([id]) => id),
      owners: snapshot.owners,
      offered: snapshot.offered,
      wanted: snapshot.wanted,
      held: leases.held().size,
      capacity,
      capacities: new Map([...snapshot.servers].map(([id, s]) => [id, s.capacity])),
    }
  }

  let rounds = 0
  /** What the running round is doing, named in the warning about a round that runs too long. */
  let phase = 'idle'

  async function assign(): Promise<void> {
    phase = 'reading the fleet'
    // Now and then: message ids kept for de-duplication after a failover (message-dedupe.ts), and
    // servers dead for long (the Fleet view shows them as down until then).
    if (rounds++ % 500 === 0) await database.pool.query("DELETE FROM received_messages WHERE received_at < now() - interval '1 day'")
    if (rounds % 30 === 1) {
      await database.pool.query(`DELETE FROM servers WHERE heartbeat_at < now() - $1 * interval '1 millisecond' AND id <> $2`, [
        ttlMs * DROP_DEAD_SERVERS_AFTER_TTLS,
        serverId,
      ])
    }
    takeSnapshot(await read())
    await accounts.refresh()
    if (!sessions || stopped) return
    // Held but no longer wanted here (stopped, removed, logged out, moved): free the lease for good,
    // once that change is in the database. Another server claims only an account the database says is
    // wanted (leases.ts claimWanted); a lease freed before the stop landed would be claimed and run again.
    const unwanted = (id: AccountId): boolean => {
      const record = options.accounts.get(id)
      return !record || !record.wantRunning || record.movedTo !== null
    }
    const freed = [...leases.held().keys()].filter(unwanted)
    phase = 'waiting for account writes before freeing leases'
    if (freed.length > 0) await options.accounts.settled()
    phase = 'freeing leases'
    for (const id of freed) {
      if (!unwanted(id)) continue // started again meanwhile
      await leases.release(id)
      snapshot.owners.delete(id)
    }
    phase = 'claiming'
    await claimFree()
    phase = 'handing over'
    await rebalance()
  }

  async function claimFree(): Promise<void> {
    const current = view()
    const limit = claimLimit(current)
    const { offered, free } = claimOrder(current, rank)
    for (const id of [...offered, ...free]) {
      if (stopped || (!offered.includes(id) && leases.held().size >= limit)) break
      const epoch = await leases.claim(id as AccountId, { wanted: true })
      if (epoch === null) continue
      snapshot.owners.set(id, serverId)
      snapshot.offered.delete(id)
      log.info({ account: id, epoch }, 'claimed an account')
      sessions!.start(id as AccountId).catch((err: unknown) => log.warn({ account: id, err: String(err) }, 'starting a claimed account failed'))
    }
  }

  /** One graceful hand-over at a time: release, the target claims, it connects. */
  async function rebalance(): Promise<void> {
    if (handingOver) {
      const claimed = snapshot.owners.has(handingOver.id) || !snapshot.offered.has(handingOver.id)
      if (!claimed && performance.now() < handingOver.until) return void soon()
      handingOver = null
    }
    const target = handOverTarget(view())
    if (!target) return
    // Only a connected account: a pairing in progress (its QR or code on the operator's screen) is never
    // cut, and one still connecting finishes here first. Of those, the one the target would itself have
    // tried first: stable, and spread over the accounts.
    const [account] = [...leases.held().keys()]
      .filter((id) => !releasing.has(id) && options.accounts.get(id)?.status === 'connected')
      .sort((x, y) => (rank(x, target) < rank(y, target) ? -1 : 1))
    if (!account) return
    log.info({ account, target }, 'handing an account over to a less loaded server')
    handingOver = { id: account, until: performance.now() + ttlMs }
    phase = 'closing the account handed over'
    await closeHere(account)
    phase = 'offering the lease'
    await leases.handOver(account, target)
    snapshot.owners.delete(account)
    snapshot.offered.set(account, target)
    showHere(account)
    phase = 'waking the other servers'
    await options.signal?.().catch((err: unknown) => log.warn({ err: describePgError(err) }, 'could not wake the other servers'))
    soon()
  }

  function soon(): void {
    if (stopped) return
    setTimeout(() => void tick(), HAND_OVER_POLL_MS).unref()
  }

  function tick(): Promise<void> {
    if (ticking) {
      again = true
      return ticking
    }
    // A round waits only on bounded database calls and socket closes; one that runs for a whole ttl is
    // named, with what it is doing, since no account is claimed here until it ends.
    const slow = setTimeout(() => log.warn({ phase, ms: ttlMs }, 'a fleet round has run for a whole lease expiry'), ttlMs)
    slow.unref()
    ticking = assign()
      .catch((err: unknown) => log.warn({ err: describePgError(err), phase }, 'fleet round failed; retrying'))
      .finally(() => {
        clearTimeout(slow)
        phase = 'idle'
        ticking = null
        if (again && !stopped) {
          again = false
          void tick()
        }
      })
    return ticking
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => void tick().finally(schedule), Math.floor(ttlMs / 3))
  }

  const stores = pgAuthStoreFactory(database, { fence: leases, ...(options.holdKeyWrite ? { holdWrite: options.holdKeyWrite } : {}) })

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
      leases.start()
      // By its own clock, even while the database does not answer: a paused or cut-off server closes
      // its sockets before another server may take its accounts over.
      selfFenceTimer = setInterval(() => leases.expireLocally(), Math.max(50, Math.floor(ttlMs / 10)))
      lapses.start()
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
      throw new RunsElsewhereError(
        owner
          ? `This account runs on server ${owner}; a second copy here would break the session.`
          : 'This account is being moved between the servers of the fleet; it runs again on one of them within seconds.',
      )
    },
    ownerOf,
    present,
    async refreshOwners() {
      const fresh = await read()
      takeSnapshot({ owners: fresh.owners, deadlines: fresh.deadlines, offered: fresh.offered, servers: fresh.servers })
    },
    sawNoLease(ids) {
      for (const id of ids) {
        if (snapshot.owners.get(id) === serverId) continue
        snapshot.owners.delete(id)
        snapshot.deadlines.delete(id)
      }
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
      return rows.map((r) => {
        const age = Math.max(0, Math.round(Number(r.age)))
        return { id: r.id, url: r.url, heartbeatAgeMs: age, alive: age < ttlMs, accounts: r.n }
      })
    },
    tick,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      if (selfFenceTimer) clearInterval(selfFenceTimer)
      lapses.stop()
      await ticking
      // Closed while the leases are still held: a late write gets the store's clear "closed" error.
      await stores.close()
      await leases.stop()
    },
  }
}

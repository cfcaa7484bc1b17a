// Per-account leases with fencing, and this server's row in the fleet's servers table.
// Main process, Electron-free. All times are the database's clock: servers never compare clocks.
//
// A lease has an owner, an expiry and an epoch that grows with every new owner. A server runs an
// account only while it holds its lease; every creds/keys write checks (owner, epoch) in its own
// transaction (pg-auth-store.ts), so a server whose lease was taken over writes nothing. Renewal runs
// every ttl/3 in one statement with the heartbeat. A server that could not renew for a whole ttl (by its
// own monotonic clock: paused, partitioned, database down) drops every lease at once, before asking the
// database, so its sockets close before another server may take over.
//
// Nothing here waits on another server (docs/fleet.md, "Faults"): renewals run on their own connection
// (the control pool), never behind claims or key writes; a claim and a renewal lock the lease row with
// SKIP LOCKED and move on when another transaction holds it; key writes lock it FOR KEY SHARE, which a
// renewal does not conflict with and a takeover (FOR UPDATE) does. Expiries are computed with
// clock_timestamp() as the statement runs, never from a transaction's start (now()), so a claim that
// reached the database late is not born expired.

import type pg from 'pg'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { FenceToken, WriteFence } from '../auth-store/pg-store'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'

export const DEFAULT_LEASE_TTL_MS = 15_000

export interface LeaseOptions {
  /** Claims and releases. */
  pool: pg.Pool
  /** Renewals and the heartbeat: a pool of their own, so they never queue behind claims or key writes (default: pool). */
  control?: pg.Pool
  serverId: string
  /** Where other servers reach this one (forwarded commands); read at every heartbeat. */
  url: string | (() => string)
  /**
   * The id of the data key this server seals under, kept on its row: a rotation of the key refuses to
   * start while a live server still seals under another (rotation/rotate-key.ts).
   */
  keyId?: string | null
  /** The most accounts this server runs, kept on its row so the others neither count it in a fair share it cannot take nor hand it more. */
  capacity?: number
  logger: Logger
  ttlMs?: number
  /** Default ttl / 3: two renewals may fail before the lease is in danger. */
  renewEveryMs?: number
  /** A lease this server held is gone (taken over, expired, refused write): stop running the account now. */
  onLost?: (account: AccountId, reason: string) => void
  /** Monotonic milliseconds (tests move it). */
  now?: () => number
}

export interface LeaseManager extends WriteFence {
  readonly serverId: string
  readonly ttlMs: number
  /** Inserts or refreshes this server's row. */
  register(): Promise<void>
  /**
   * The new epoch when this server now holds the lease; null when another live server holds it, or,
   * with `wanted`, when the operator no longer wants the account running (or moved it).
   */
  claim(account: AccountId, options?: { wanted?: boolean }): Promise<number | null>
  /** Gives the lease up at once (graceful stop, account stopped here): another server may claim it now. */
  release(account: AccountId): Promise<void>
  /** Accounts held, with their epochs. */
  held(): ReadonlyMap<AccountId, number>
  /** Since this server started: leases lost, and leases taken over from a server that let them expire. */
  stats(): LeaseStats
  /** Held, and renewed within the last ttl by this server's clock: safe to act for the account now. */
  holdsFresh(account: AccountId): boolean
  /** One heartbeat and renewal round; reports leases found lost. Normally run by start(). */
  renew(): Promise<void>
  /**
   * Gives the lease up and offers it to `target` (a graceful in-fleet hand-over): for one ttl only that
   * server may claim it, then anyone may.
   */
  handOver(account: AccountId, target: string): Promise<void>
  /** Drops, by this server's clock alone, every lease not renewed for a whole ttl (no database needed). */
  expireLocally(): void
  /** Renews on a timer until stop(). */
  start(): void
  /** Stops renewing, releases every lease and removes this server's row. */
  stop(): Promise<void>
}

export interface LeaseStats {
  /** Leases this server held and lost (taken over, not renewed in time, a write refused by the fence). */
  losses: number
  /** Leases claimed while another server still owned them on paper, its lease expired: failovers. */
  takeovers: number
}

const MS = "* interval '1 millisecond'"

function claimSql(onlyIf: string): string {
  return (
    `WITH ins AS (INSERT INTO leases (account_id, owner, epoch, expires_at) SELECT $1, $2, 1, clock_timestamp() + $3 ${MS} WHERE true ${onlyIf} ` +
    'ON CONFLICT (account_id) DO NOTHING RETURNING epoch, NULL::text AS previous_owner), ' +
    `cur AS (SELECT account_id, owner FROM leases WHERE account_id = $1 AND (owner IS NULL OR expires_at <= clock_timestamp()) ${onlyIf} ` +
    `AND (offered_to IS NULL OR offered_to = $2 OR offered_at <= clock_timestamp() - $3 ${MS}) FOR UPDATE SKIP LOCKED), ` +
    `upd AS (UPDATE leases l SET owner = $2, epoch = l.epoch + 1, expires_at = clock_timestamp() + $3 ${MS}, offered_to = NULL, offered_at = NULL ` +
    'FROM cur WHERE l.account_id = cur.account_id RETURNING l.epoch, cur.owner AS previous_owner) ' +
    'SELECT epoch, previous_owner FROM ins UNION ALL SELECT epoch, previous_owner FROM upd'
  )
}

const SQL = {
  heartbeat:
    'INSERT INTO servers (id, url, key_id, capacity, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp()) ' +
    'ON CONFLICT (id) DO UPDATE SET url = excluded.url, key_id = excluded.key_id, capacity = excluded.capacity, heartbeat_at = clock_timestamp()',
  // The heartbeat rides along: one round trip per renewal, whatever the number of accounts. A lease row
  // locked by another transaction (only a takeover locks a live owner's row: its lease expired) is
  // skipped, not waited for; the answer says, per lease sent, whether it was renewed and whether it is
  // still this server's (the snapshot, before the update).
  renew:
    'WITH hb AS (INSERT INTO servers (id, url, key_id, started_at, heartbeat_at) VALUES ($1, $2, $6, clock_timestamp(), clock_timestamp()) ' +
    'ON CONFLICT (id) DO UPDATE SET url = excluded.url, heartbeat_at = clock_timestamp() RETURNING id), ' +
    'mine AS (SELECT l.account_id FROM leases l JOIN unnest($3::text[], $4::bigint[]) AS h(a, e) ON l.account_id = h.a AND l.epoch = h.e ' +
    'WHERE l.owner = $1 FOR NO KEY UPDATE OF l SKIP LOCKED), ' +
    `renewed AS (UPDATE leases l SET expires_at = clock_timestamp() + $5 ${MS} FROM mine WHERE l.account_id = mine.account_id AND EXISTS (SELECT 1 FROM hb) RETURNING l.account_id) ` +
    'SELECT h.a AS account_id, (r.account_id IS NOT NULL) AS renewed, COALESCE(l.owner = $1 AND l.epoch = h.e, false) AS held ' +
    'FROM unnest($3::text[], $4::bigint[]) AS h(a, e) LEFT JOIN leases l ON l.account_id = h.a LEFT JOIN renewed r ON r.account_id = h.a',
  // A first claim inserts the row; a later one takes it when it is free (released, or expired by the
  // clock as the statement runs) and not offered to another server, skipping it when another transaction
  // holds it (a key write of the owner, another claim). The previous owner comes from the locked row: a
  // released lease has none, an expired one still names the server that stopped renewing it (a failover).
  claim: claimSql(''),
  // The same, only while the operator wants the account running (checked as the statement runs): an
  // assignment round acts on a snapshot, and a stop written since must not be undone by a claim.
  claimWanted: claimSql('AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = $1 AND a.want_running AND a.moved_to IS NULL)'),
  release: 'UPDATE leases SET owner = NULL, expires_at = NULL WHERE account_id = $1 AND owner = $2 AND epoch = $3',
  handOver:
    'UPDATE leases SET owner = NULL, expires_at = NULL, offered_to = $4, offered_at = clock_timestamp() WHERE account_id = $1 AND owner = $2 AND epoch = $3',
  releaseAll: 'UPDATE leases SET owner = NULL, expires_at = NULL WHERE owner = $1',
  unregister: 'DELETE FROM servers WHERE id = $1',
} as const

export function createLeaseManager(options: LeaseOptions): LeaseManager {
  const { pool, serverId, logger } = options
  const control = options.control ?? pool
  const url = typeof options.url === 'function' ? options.url : () => options.url as string
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3)
  if (!Number.isInteger(ttlMs) || ttlMs < 100 || !Number.isInteger(renewEveryMs) || renewEveryMs <= 0 || renewEveryMs >= ttlMs) {
    throw new AppError('invalid-input', 'The lease expiry must be an integer of at least 100 ms, renewed more often than it expires.')
  }
  const now = options.now ?? (() => performance.now())
  const epochs = new Map<AccountId, number>()
  /** When (monotonic) the last successful renewal of each lease was sent: the lease surely ran until then + ttl. */
  const renewedAt = new Map<AccountId, number>()
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const stats: LeaseStats = { losses: 0, takeovers: 0 }

  function lose(account: AccountId, reason: string): void {
    if (!epochs.delete(account)) return
    stats.losses += 1
    renewedAt.delete(account)
    logger.warn({ account, reason }, 'lost the lease on an account; stopping it here')
    options.onLost?.(account, reason)
  }

  /** Drops every lease this server cannot be sure it still holds, by its own clock alone. */
  function selfFence(): void {
    const limit = now() - ttlMs
    for (const [account, at] of [...renewedAt]) {
      if (at <= limit) lose(account, `its lease could not be renewed for ${ttlMs} ms (paused, cut off from the database, or overloaded)`)
    }
  }

  /** The renewal in flight: stop() waits for it, or its heartbeat would write this server's row back. */
  let renewing: Promise<void> | null = null

  async function renew(): Promise<void> {
    const run = renewOnce()
    renewing = run
    try {
      await run
    } finally {
      if (renewing === run) renewing = null
    }
  }

  async function renewOnce(): Promise<void> {
    selfFence()
    const sent = [...epochs]
    const startedAt = now()
    const result = await control.query<{ account_id: string; renewed: boolean; held: boolean }>(SQL.renew, [
      serverId,
      url(),
      sent.map(([a]) => a),
      sent.map(([, e]) => e),
      ttlMs,
      options.keyId ?? null,
    ])
    const rows = new Map(result.rows.map((r) => [r.account_id, r]))
    for (const [account, epoch] of sent) {
      if (epochs.get(account) !== epoch) continue // released or re-claimed meanwhile
      const row = rows.get(account)
      if (row?.renewed) renewedAt.set(account, startedAt)
      // Still ours but locked by a takeover in progress: not renewed now; the next round (or the
      // self-fence, a ttl after the last renewal) settles it.
      else if (!row?.held) lose(account, `another server took its lease over (epoch ${epoch} is no longer current)`)
    }
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => {
      renew()
        .catch((err: unknown) => logger.warn({ err: describePgError(err) }, 'lease renewal failed; retrying'))
        .finally(schedule)
    }, renewEveryMs)
  }

  return {
    serverId,
    ttlMs,

    token(account): FenceToken | null {
      const epoch = epochs.get(account)
      return epoch === undefined ? null : { owner: serverId, epoch }
    },

    fenced(account, error) {
      lose(account, error.message)
    },

    async register() {
      await control.query(SQL.heartbeat, [serverId, url(), options.keyId ?? null, Number.isFinite(options.capacity) ? options.capacity : null])
    },

    async claim(account, claimOptions) {
      if (stopped) return null
      const held = epochs.get(account)
      if (held !== undefined) return held
      const startedAt = now()
      const result = await pool.query<{ epoch: string | number; previous_owner: string | null }>(claimOptions?.wanted ? SQL.claimWanted : SQL.claim, [
        account,
        serverId,
        ttlMs,
      ])
      const row = result.rows[0]
      if (!row) return null
      if (row.previous_owner !== null && row.previous_owner !== serverId) stats.takeovers += 1
      const epoch = Number(row.epoch)
      epochs.set(account, epoch)
      renewedAt.set(account, startedAt)
      return epoch
    },

    async release(account) {
      const epoch = epochs.get(account)
      if (epoch === undefined) return
      epochs.delete(account)
      renewedAt.delete(account)
      await pool.query(SQL.release, [account, serverId, epoch])
    },

    async handOver(account, target) {
      const epoch = epochs.get(account)
      if (epoch === undefined) return
      epochs.delete(account)
      renewedAt.delete(account)
      await pool.query(SQL.handOver, [account, serverId, epoch, target])
    },

    held: () => epochs,

    stats: () => ({ ...stats }),

    holdsFresh(account) {
      const at = renewedAt.get(account)
      return epochs.has(account) && at !== undefined && now() - at < ttlMs
    },

    renew,

    expireLocally: selfFence,

    start() {
      if (timer || stopped) return
      schedule()
    },

    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      epochs.clear()
      renewedAt.clear()
      await pool.query(SQL.releaseAll, [serverId])
      // A renewal sent before the stop upserts the heartbeat: landing after the row is removed, it would
      // show this server live for a ttl, and the others would count it in their share and offer it accounts.
      await renewing?.catch(() => undefined)
      await pool.query(SQL.unregister, [serverId])
    },
  }
}

// Accounts whose server stopped renewing their lease are shown as being moved within a second of the
// lapse, on every server, not only once another server claimed them (docs/fleet.md). Main process,
// Electron-free. Each round's snapshot says when every live lease of another server expires; a lease
// past that moment is asked about once more (it may have been renewed since the snapshot) and, still
// lapsed, is dropped from the snapshot and reported. With the database down, nobody can renew: a
// deadline that passed is a lapse.

import type pg from 'pg'
import type { AccountId } from '../../../shared/ids'
import { describePgError } from '../db/postgres/pg-errors'
import type { Logger } from '../logger'
import type { FleetSnapshot } from './fleet-snapshot'

const CHECK_EVERY_MS = 250

export interface LapseWatch {
  start(): void
  stop(): void
}

export function createLapseWatch(deps: {
  pool: pg.Pool
  serverId: string
  snapshot: () => FleetSnapshot
  logger: Logger
  /** The account's lease lapsed: nobody runs it now (the snapshot says so already). */
  lapsed: (id: AccountId) => void
}): LapseWatch {
  let timer: NodeJS.Timeout | null = null
  let checking = false

  async function check(): Promise<void> {
    const snapshot = deps.snapshot()
    const now = performance.now()
    const due = [...snapshot.deadlines].filter(([id, at]) => at <= now && snapshot.owners.get(id) !== deps.serverId).map(([id]) => id)
    if (due.length === 0) return
    let renewed = new Map<string, { owner: string; ms: number }>()
    try {
      const { rows } = await deps.pool.query<{ account_id: string; owner: string; ms: number }>(
        "SELECT account_id, owner, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM leases " +
          'WHERE account_id = ANY($1::text[]) AND owner IS NOT NULL AND expires_at > clock_timestamp()',
        [due],
      )
      renewed = new Map(rows.map((r) => [r.account_id, { owner: r.owner, ms: Number(r.ms) }]))
    } catch (err) {
      deps.logger.debug({ err: describePgError(err) }, 'could not confirm lapsed leases; the database is down, so nobody renewed them')
    }
    for (const id of due) {
      const live = renewed.get(id)
      if (live) {
        snapshot.owners.set(id, live.owner)
        snapshot.deadlines.set(id, now + live.ms)
        continue
      }
      snapshot.owners.delete(id)
      snapshot.deadlines.delete(id)
      deps.lapsed(id as AccountId)
    }
  }

  return {
    start() {
      timer ??= setInterval(() => {
        if (checking) return
        checking = true
        void check().finally(() => {
          checking = false
        })
      }, CHECK_EVERY_MS)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
    },
  }
}

// Which accounts' per-second series the open telemetry views want in each tick (telemetry:watch).
// Main process, Electron-free. A watch is a lease keyed by a client-chosen id: it lapses unless renewed,
// so a closed tab, a crashed renderer or a server restart never leaves ticks carrying accounts nobody
// looks at. Bounded: a few accounts per client, a bounded number of clients.

/** A view renews its watch well within this; a tab gone this long stops costing anything. */
export const WATCH_LEASE_SECONDS = 60
/** Accounts one view may watch at once: it shows one account's charts, with room to compare a few. */
export const MAX_WATCHED_PER_CLIENT = 20
/** Clients held at once; the least recently renewed lease is dropped beyond it. */
export const MAX_WATCH_CLIENTS = 256

export interface Watchers {
  /** Replaces a client's watched accounts (an empty list ends its watch). Returns the lease in seconds. */
  watch(client: string, accounts: readonly string[]): number
  /** Whether any live lease names this account. */
  isWatched(account: string): boolean
  /** The accounts any live lease names. */
  watched(): ReadonlySet<string>
  /** Drops an account from every lease (it was removed). */
  forget(account: string): void
}

export function createWatchers(options: { now?: () => number; leaseSeconds?: number } = {}): Watchers {
  const now = options.now ?? Date.now
  const leaseMs = (options.leaseSeconds ?? WATCH_LEASE_SECONDS) * 1000
  // Insertion order is renewal order: a renewal deletes and re-inserts, so the first entry is the oldest.
  const leases = new Map<string, { accounts: Set<string>; expiresAt: number }>()
  let union: Set<string> | null = new Set()
  let unionComputedAt = 0

  function expire(): void {
    const t = now()
    for (const [client, lease] of leases) {
      if (lease.expiresAt > t) continue
      leases.delete(client)
      union = null
    }
  }

  function current(): ReadonlySet<string> {
    // Asked once per account per tick: leases expire and the union is rebuilt when a lease changed,
    // or at most once a second, never per question.
    if (union === null || now() - unionComputedAt >= 1000) {
      expire()
      union = new Set()
      for (const lease of leases.values()) for (const account of lease.accounts) union.add(account)
      unionComputedAt = now()
    }
    return union
  }

  return {
    watch(client, accounts) {
      leases.delete(client)
      union = null
      if (accounts.length > 0) {
        leases.set(client, { accounts: new Set(accounts.slice(0, MAX_WATCHED_PER_CLIENT)), expiresAt: now() + leaseMs })
        while (leases.size > MAX_WATCH_CLIENTS) leases.delete(leases.keys().next().value!)
      }
      return leaseMs / 1000
    },
    isWatched: (account) => current().has(account),
    watched: current,
    forget(account) {
      for (const lease of leases.values()) lease.accounts.delete(account)
      union = null
    },
  }
}

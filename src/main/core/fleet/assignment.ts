// How a fleet spreads its accounts: the decisions alone, from a snapshot of who runs what, so they can be
// tested without a database (fleet.ts acts on them). Main process, Electron-free.
//
// Claims: a server claims free accounts up to its fair share, ceil(wanted / live servers), capped by its
// capacity, where the share is what is left once servers capped below it (--capacity, kept on each
// server's row) have taken their caps; it counts itself live whatever its heartbeat says (a server just
// back from a pause or an outage must not think itself alone and take everything). Rebalancing: when the most loaded live server
// runs at least two more accounts than the least loaded, the most loaded (the lowest id among equals)
// hands one account over to the least loaded (the lowest id among equals), one at a time. Every server
// reads the same table, so they agree on who gives and who takes; a server that reads a stale table and
// gives when it should not only makes one extra move, never two copies (the lease decides). A server at
// its capacity is never given one: a server with capacity 0 serves the API and runs no accounts.

export interface FleetView {
  serverId: string
  /** Servers whose heartbeat is younger than the lease expiry (this one may be missing: it is added). */
  live: readonly string[]
  /** Live leases: account → owner. */
  owners: ReadonlyMap<string, string>
  /** Free leases offered to a server by a hand-over still in its window: account → target. */
  offered: ReadonlyMap<string, string>
  /** Accounts the operator wants running (with a session to run). */
  wanted: readonly string[]
  /** Accounts this server holds now (its own count is its memory's, not the snapshot's). */
  held: number
  capacity: number
  /** Other servers' declared capacities (missing or Infinity: no cap). */
  capacities: ReadonlyMap<string, number>
}

export function liveServers(view: Pick<FleetView, 'live' | 'serverId'>): string[] {
  return view.live.includes(view.serverId) ? [...view.live] : [...view.live, view.serverId]
}

function capacityOf(view: FleetView, server: string): number {
  return server === view.serverId ? view.capacity : (view.capacities.get(server) ?? Number.POSITIVE_INFINITY)
}

/**
 * How many accounts this server may hold: its fair share, capped by its capacity. The share is what is
 * left once the live servers capped below it have taken their caps, split among the rest, so accounts
 * a small server cannot take fall to the others instead of running nowhere.
 */
export function claimLimit(view: FleetView): number {
  const caps = liveServers(view)
    .map((server) => capacityOf(view, server))
    .sort((x, y) => x - y)
  let left = view.wanted.length
  let servers = caps.length
  for (const cap of caps) {
    if (cap >= Math.ceil(left / servers)) break
    left -= cap
    servers -= 1
  }
  const fair = servers === 0 ? 0 : Math.ceil(left / servers)
  return Math.min(fair, view.capacity)
}

/**
 * Accounts this server should try to claim, in order: those offered to it first (a hand-over is meant
 * for it, whatever its share), then free ones by `rank`, up to the claim limit.
 */
export function claimOrder(view: FleetView, rank: (account: string) => string): { offered: string[]; free: string[] } {
  const offered: string[] = []
  const free: string[] = []
  for (const id of view.wanted) {
    if (view.owners.has(id)) continue
    const target = view.offered.get(id)
    if (target === view.serverId) offered.push(id)
    else if (target === undefined) free.push(id)
  }
  free.sort((x, y) => (rank(x) < rank(y) ? -1 : rank(x) > rank(y) ? 1 : 0))
  return { offered, free }
}

/** Live servers' loads: live leases per owner, offers counted for their targets, this server's own count from memory. */
export function loads(view: FleetView): Map<string, number> {
  const counts = new Map(liveServers(view).map((id) => [id, 0]))
  for (const owner of view.owners.values()) if (counts.has(owner) && owner !== view.serverId) counts.set(owner, counts.get(owner)! + 1)
  for (const target of view.offered.values()) if (counts.has(target) && target !== view.serverId) counts.set(target, counts.get(target)! + 1)
  counts.set(view.serverId, view.held)
  return counts
}

/** The server this one should hand one account over to now, or null (it is not the most loaded, or the fleet is even). */
export function handOverTarget(view: FleetView): string | null {
  const counts = [...loads(view)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (counts.length < 2) return null
  let most = counts[0]!
  for (const entry of counts) if (entry[1] > most[1]) most = entry
  if (most[0] !== view.serverId) return null
  // Only a server below its capacity can take one.
  let least: [string, number] | null = null
  for (const entry of counts) if (entry[1] < capacityOf(view, entry[0]) && (least === null || entry[1] < least[1])) least = entry
  if (least === null || most[1] - least[1] < 2) return null
  return least[0]
}

// Every query key in one place, so the event cache (event-cache.ts) and the hooks agree on them.

import type { AccountId } from '../../../shared/ids'
import type { TelemetryRange } from '../../../shared/contract'
import type { Scope } from '../lib/chart-data'

export const queryKeys = {
  accounts: ['accounts'] as const,
  accountList: () => ['accounts', 'list'] as const,
  account: (id: AccountId) => ['accounts', 'by-id', id] as const,
  health: (id: AccountId) => ['accounts', 'by-id', id, 'health'] as const,
  pairing: (id: AccountId) => ['accounts', 'by-id', id, 'pairing'] as const,
  messages: (id: AccountId) => ['accounts', 'by-id', id, 'messages'] as const,
  activity: (id: AccountId) => ['accounts', 'by-id', id, 'activity'] as const,
  sendQueue: (id: AccountId) => ['accounts', 'by-id', id, 'queue'] as const,
  sendStats: () => ['accounts', 'send-stats'] as const,
  /** `ids`: a fingerprint of the accounts asked about. */
  accountStats: (ids: string) => ['accounts', 'stats', ids] as const,
  series: (scope: Scope) => ['telemetry', 'series', scope] as const,
  telemetrySnapshot: (account: AccountId | null, range: TelemetryRange) => ['telemetry', 'snapshot', account ?? 'all', range] as const,
  telemetryRanking: (range: TelemetryRange) => ['telemetry', 'ranking', range] as const,
  telemetryKeyCounts: () => ['telemetry', 'key-counts'] as const,
  /** `client`: this page's watcher id, so two tabs never share one watch. */
  telemetryWatch: (client: string, accounts: readonly AccountId[]) => ['telemetry', 'watch', client, ...accounts] as const,
  settings: () => ['settings'] as const,
  webhooks: ['webhooks'] as const,
  webhookList: () => ['webhooks', 'list'] as const,
  webhookDeliveries: () => ['webhooks', 'deliveries'] as const,
  simulator: () => ['simulator', 'info'] as const,
  whoami: () => ['tokens', 'whoami'] as const,
  tokenList: () => ['tokens', 'list'] as const,
  audit: (filter: { actor: string; command: string; limit: number }) => ['audit', filter.actor, filter.command, filter.limit] as const,
  fleetServers: () => ['fleet', 'servers'] as const,
}

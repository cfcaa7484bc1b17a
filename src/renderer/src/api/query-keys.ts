// Every query key in one place, so the event cache (event-cache.ts) and the hooks agree on them.

import type { AccountId } from '../../../shared/ids'
import type { Scope } from '../lib/chart-data'

export const queryKeys = {
  accounts: ['accounts'] as const,
  accountList: () => ['accounts', 'list'] as const,
  account: (id: AccountId) => ['accounts', 'by-id', id] as const,
  health: (id: AccountId) => ['accounts', 'by-id', id, 'health'] as const,
  pairing: (id: AccountId) => ['accounts', 'by-id', id, 'pairing'] as const,
  messages: (id: AccountId) => ['accounts', 'by-id', id, 'messages'] as const,
  activity: (id: AccountId) => ['accounts', 'by-id', id, 'activity'] as const,
  series: (scope: Scope) => ['telemetry', 'series', scope] as const,
  snapshot: (account: AccountId | null) => ['telemetry', 'snapshot', account ?? 'all'] as const,
  simulator: () => ['simulator', 'info'] as const,
  fleetServers: () => ['fleet', 'servers'] as const,
}

// The telemetry view's queries. None of them is per account: a view of 500 accounts makes the
// same few requests as a view of 5. Ranking and totals refresh every 5 s, key counts every 10 s, the
// watch lease every 20 s; the charts themselves live on telemetry:tick events (event-cache.ts).

import { useQuery, type UseQueryResult } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { KeyCountOverview, TelemetryRange, TelemetryRanking, TelemetrySnapshot } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useTransport } from './ApiProvider'
import { queryKeys } from './query-keys'

export const TELEMETRY_REFRESH_MS = 5_000
export const KEY_COUNTS_REFRESH_MS = 10_000
/** A third of the server's 60 s lease: two renewals may fail before the charts stop moving. */
export const WATCH_RENEW_MS = 20_000

/**
 * This page's watch id. Random per page load, from getRandomValues because randomUUID needs a secure
 * context and the headless server may be reached over plain http on a LAN.
 */
const WATCH_CLIENT = (() => {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return `view-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
})()


export function useTelemetrySnapshot(account: AccountId | null, range: TelemetryRange): UseQueryResult<TelemetrySnapshot> {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.telemetrySnapshot(account, range),
    queryFn: () => api.invoke('telemetry:snapshot', { windowSeconds: range, ...(account ? { account } : {}) }),
    refetchInterval: TELEMETRY_REFRESH_MS,
    placeholderData: (previous) => previous,
  })
}

/** The ranking, every 5 s on the telemetry view; the accounts table's Store p99 column asks less often. */
export function useRanking(range: TelemetryRange, options: { refreshMs?: number; enabled?: boolean } = {}): UseQueryResult<TelemetryRanking> {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.telemetryRanking(range),
    queryFn: () => api.invoke('telemetry:ranking', { windowSeconds: range }),
    refetchInterval: options.refreshMs ?? TELEMETRY_REFRESH_MS,
    enabled: options.enabled ?? true,
    placeholderData: (previous) => previous,
  })
}

export function useKeyCountOverview(): UseQueryResult<KeyCountOverview> {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.telemetryKeyCounts(),
    queryFn: () => api.invoke('telemetry:key-counts', {}),
    refetchInterval: KEY_COUNTS_REFRESH_MS,
  })
}

/**
 * Asks the server to put these accounts' points in every tick while this view shows them; the '*'
 * aggregate comes regardless. Renewed while mounted (and after a reconnect, with every query);
 * ended when the view goes away or shows no single account.
 */
export function useTelemetryWatch(accounts: readonly AccountId[]): void {
  const api = useTransport()
  useQuery({
    queryKey: queryKeys.telemetryWatch(WATCH_CLIENT, accounts),
    // An empty list is sent too (once): it ends the watch of the account shown before.
    queryFn: () => api.invoke('telemetry:watch', { client: WATCH_CLIENT, accounts: [...accounts] }),
    refetchInterval: accounts.length > 0 ? WATCH_RENEW_MS : false,
    // Only the server's side effect matters; a cached answer must not stand in for a renewal.
    gcTime: 0,
    staleTime: accounts.length > 0 ? WATCH_RENEW_MS : Infinity,
  })
  useEffect(
    () => () => {
      // Best effort, on leaving the view: a lease that is not ended lapses by itself within a minute.
      api.invoke('telemetry:watch', { client: WATCH_CLIENT, accounts: [] }).catch(() => undefined)
    },
    [api],
  )
}

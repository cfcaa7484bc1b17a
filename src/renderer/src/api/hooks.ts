// The queries and mutations the views use. Each query's first data comes from a command; after that,
// event-cache.ts keeps it current from pushed events. Mutations put their result into the cache at
// once, so the screen does not wait for the matching event.

import { notifyManager, useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query'
import {
  ALL_ACCOUNTS,
  MAX_BULK_IDS,
  type AccountHealth,
  type AccountStats,
  type AccountSummary,
  type BulkAction,
  type BulkResult,
  type CommandInput,
  type FleetServer,
  type PairingState,
  type QueueEntry,
  type ReceivedMessage,
  type SendStats,
  type Settings,
} from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useMemo } from 'react'
import type { Scope } from '../lib/chart-data'
import { WINDOW_SECONDS, type SeriesStore } from '../lib/series-store'
import { topic } from '../../../shared/event-topics'
import { useEventTopics, useTransport } from './ApiProvider'
import { listFromFetch, pairingFromFetch, seriesFromFetch, upsertAccount } from './event-cache'
import { queryKeys } from './query-keys'

const LIVE_REFRESH_MS = 5_000

function useListQueryFn(): () => Promise<AccountSummary[]> {
  const api = useTransport()
  const client = useQueryClient()
  return async () => listFromFetch(client.getQueryData(queryKeys.accountList()), await api.invoke('accounts:list', {}))
}

export function useAccounts(): UseQueryResult<AccountSummary[]> {
  return useQuery({ queryKey: queryKeys.accountList(), queryFn: useListQueryFn() })
}

/** One account, read from the list query (events keep that one current). */
export function useAccount(id: AccountId): UseQueryResult<AccountSummary | undefined> {
  return useQuery({
    queryKey: queryKeys.accountList(),
    queryFn: useListQueryFn(),
    select: (list) => list.find((a) => a.id === id),
  })
}

export function useHealth(id: AccountId, enabled = true): UseQueryResult<AccountHealth> {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.health(id),
    queryFn: () => api.invoke('accounts:health', { id }),
    // Key counts change with every keys_set and no event carries them: poll while shown.
    refetchInterval: LIVE_REFRESH_MS,
    enabled,
  })
}

export function usePairing(id: AccountId | null): UseQueryResult<PairingState> {
  const api = useTransport()
  const client = useQueryClient()
  useEventTopics(id ? [topic('accounts:qr', id)] : [])
  return useQuery({
    queryKey: queryKeys.pairing(id ?? ('' as AccountId)),
    queryFn: async () => {
      // Every QR code after the one fetched comes as an event: the stream must carry them first.
      await api.topicsApplied()
      const before = client.getQueryData<PairingState>(queryKeys.pairing(id!))
      const fetched = await api.invoke('accounts:pairing', { id: id! })
      const held = client.getQueryData<PairingState>(queryKeys.pairing(id!))
      const status = client.getQueryData<AccountSummary[]>(queryKeys.accountList())?.find((a) => a.id === id)?.status
      return pairingFromFetch(held, fetched, status, held !== before)
    },
    enabled: id !== null,
    // Events keep it current only while something shows it (and so subscribes): read again on each showing.
    staleTime: 0,
  })
}

/** The texts an account received: only a view that shows them asks for them (and for their events). */
export function useMessages(id: AccountId): UseQueryResult<ReceivedMessage[]> {
  const api = useTransport()
  useEventTopics([topic('accounts:message', id)])
  return useQuery({
    queryKey: queryKeys.messages(id),
    queryFn: async () => {
      await api.topicsApplied()
      return api.invoke('accounts:messages', { id })
    },
    // Events keep it current only while the account's view subscribes: read again on each showing.
    staleTime: 0,
  })
}

/** A scope's telemetry series: fetched once, then extended by telemetry:tick events, which only this asks for. */
export function useSeries(scope: Scope): UseQueryResult<SeriesStore> {
  const api = useTransport()
  const client = useQueryClient()
  useEventTopics(['telemetry:tick'])
  return useQuery({
    queryKey: queryKeys.series(scope),
    queryFn: async () => {
      await api.topicsApplied()
      const startedAt = Math.floor(Date.now() / 1000)
      const fetched = await api.invoke('telemetry:series', {
        sinceSeconds: WINDOW_SECONDS,
        ...(scope === ALL_ACCOUNTS ? {} : { account: scope }),
      })
      const now = Math.floor(Date.now() / 1000)
      return seriesFromFetch(client.getQueryData<SeriesStore>(queryKeys.series(scope)), { t: now, ...fetched }, startedAt)
    },
    // Ticks keep it current; deep-comparing thousands of points every second would cost more than it saves.
    structuralSharing: false,
    // Ticks keep it current only while the telemetry view subscribes: read again on each showing.
    staleTime: 0,
  })
}

/** settings:get: the views that follow a setting (the telemetry ranking's minimum) read it here. */
export function useSettings(): UseQueryResult<Settings> {
  const api = useTransport()
  return useQuery({ queryKey: queryKeys.settings(), queryFn: () => api.invoke('settings:get', {}), staleTime: 60_000 })
}

const SIMULATOR_INFO_REFRESH_MS = 5_000

export function useSimulatorInfo() {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.simulator(),
    queryFn: () => api.invoke('simulator:info', {}),
    staleTime: 60_000,
    // With a simulator, asked again every few seconds: it may go away (its demo server restarts) and come back.
    refetchInterval: (query) => (query.state.data?.trusted ? SIMULATOR_INFO_REFRESH_MS : false),
  })
}

/** `repair`: pair again from nothing (logged out, banned, replaced: docs/session-doctor.md). */
export type AccountAction = 'start' | 'take-back' | 'repair' | 'stop' | 'logout'

export function useAccountAction() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, action }: { id: AccountId; action: AccountAction }) => {
      switch (action) {
        case 'start':
          return api.invoke('accounts:start', { id })
        case 'take-back':
          return api.invoke('accounts:start', { id, takeBack: true })
        case 'repair':
          return api.invoke('accounts:start', { id, repair: true })
        case 'stop':
          return api.invoke('accounts:stop', { id })
        case 'logout':
          return api.invoke('accounts:logout', { id })
      }
    },
    onSuccess: (summary) => upsertAccount(client, summary, { onlyIfCurrent: true }),
  })
}

export function useAddAccount() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (label: string | undefined) => api.invoke('accounts:add', label ? { label } : {}),
    onSuccess: (summary) => upsertAccount(client, summary, { onlyIfCurrent: true }),
  })
}

export function useRemoveAccount() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: AccountId) => api.invoke('accounts:remove', { id }),
    onSuccess: (_done, id) => {
      client.setQueryData<AccountSummary[]>(queryKeys.accountList(), (list) => list?.filter((a) => a.id !== id))
      client.removeQueries({ queryKey: queryKeys.account(id) })
    },
  })
}

/** `passkey`: the simulated phone is one that needs a passkey check (its key is the simulator's demo authenticator's). */
export function useSimulateScan() {
  const api = useTransport()
  return useMutation({ mutationFn: ({ id, passkey }: { id: AccountId; passkey?: boolean }) => api.invoke('simulator:scan', { id, ...(passkey ? { passkey } : {}) }) })
}

export function useSendText() {
  const api = useTransport()
  return useMutation({
    mutationFn: (input: CommandInput<'accounts:send-text'>) => api.invoke('accounts:send-text', input),
  })
}

// Moving sessions: export to a file or a server, inspect and import a bundle or a folder.
// Every answer that names an account of this install goes into the cache at once.

export function useExportToFile() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'transfer:export'>) => api.invoke('transfer:export', input),
    onSuccess: (result) => upsertAccount(client, result.account, { onlyIfCurrent: true }),
  })
}

export function useExportToServer() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'transfer:export-to-server'>) =>
      api.invoke('transfer:export-to-server', input),
    onSuccess: (result) => upsertAccount(client, result.account, { onlyIfCurrent: true }),
  })
}

export function useInspectBundle() {
  const api = useTransport()
  return useMutation({ mutationFn: (bundle: string) => api.invoke('transfer:inspect', { bundle }) })
}

export function useImportBundle() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'transfer:import'>) =>
      api.invoke('transfer:import', input),
    onSuccess: (summary) => upsertAccount(client, summary, { onlyIfCurrent: true }),
  })
}

export function useImportFolder() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'transfer:import-folder'>) => api.invoke('transfer:import-folder', input),
    onSuccess: (summary) => upsertAccount(client, summary, { onlyIfCurrent: true }),
  })
}

// Pairing by phone-number code. The answer goes into the pairing cache at once; the
// accounts:qr event that follows carries the same code.

export function usePairByCode() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'accounts:pair-code'>) => api.invoke('accounts:pair-code', input),
    onSuccess: ({ code, expiresAt }, { id }) => {
      client.setQueryData<PairingState>(queryKeys.pairing(id as AccountId), (pairing) =>
        pairing ? { ...pairing, method: 'code', code, codeExpiresAt: expiresAt } : pairing,
      )
    },
  })
}

export function useSimulateEnterCode() {
  const api = useTransport()
  return useMutation({
    mutationFn: ({ id, passkey }: { id: AccountId; passkey?: boolean }) => api.invoke('simulator:enter-code', { id, ...(passkey ? { passkey } : {}) }),
  })
}

/**
 * The passkey check's commands: each answers the pairing state, which goes into the cache at once (the
 * accounts:qr event says the same a moment later).
 */
function usePasskeyStep(command: 'accounts:passkey-confirm' | 'accounts:passkey-cancel' | 'simulator:authenticate') {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: AccountId) => api.invoke(command, { id }),
    onSuccess: (state) => client.setQueryData<PairingState>(queryKeys.pairing(state.id), state),
  })
}

export const usePasskeyConfirm = () => usePasskeyStep('accounts:passkey-confirm')
export const usePasskeyCancel = () => usePasskeyStep('accounts:passkey-cancel')
/** Plays the person's authenticator with the simulator's demo key (demo and tests only). */
export const useSimulateAuthenticator = () => usePasskeyStep('simulator:authenticate')

// Accounts at scale: inline rename, and bulk actions whose answers go into the cache as
// they land, so the table follows without waiting for the events.

export function useRenameAccount() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: { id: AccountId; label: string }) => api.invoke('accounts:rename', input),
    onSuccess: (summary) => upsertAccount(client, summary, { onlyIfCurrent: true }),
  })
}

/** An account's activity log, newest first; refetched when the account changes (event-cache.ts). */
export function useActivity(id: AccountId) {
  const api = useTransport()
  return useQuery({ queryKey: queryKeys.activity(id), queryFn: () => api.invoke('accounts:activity', { id, limit: 100 }) })
}

/**
 * Starts, stops or logs out many accounts with one accounts:bulk call: the core runs them
 * a few at a time; each account that changed goes into the cache as its answer lands.
 */
export function useBulkAccountAction(): (ids: AccountId[], action: BulkAction, options?: { alone?: boolean }) => Promise<BulkResult[]> {
  const api = useTransport()
  const client = useQueryClient()
  return async (ids, action, options) => {
    const results = await api.invoke('accounts:bulk', { ids, action, ...(options?.alone ? { alone: true } : {}) })
    // One notification for the whole answer: the table renders once, not once per account.
    notifyManager.batch(() => {
      for (const result of results) if (result.account) upsertAccount(client, result.account, { onlyIfCurrent: true })
    })
    return results
  }
}

/** accounts:set-proxy for a selection (or one account): the answer's accounts go into the list at once. */
export function useSetProxy() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'accounts:set-proxy'>) => api.invoke('accounts:set-proxy', input),
    onSuccess: (results) =>
      notifyManager.batch(() => {
        for (const result of results) if (result.account) upsertAccount(client, result.account, { onlyIfCurrent: true })
      }),
  })
}

/** How often the table re-reads the sends' figures besides the events that change them (a window moves by itself). */
const SEND_STATS_REFRESH_MS = 15_000

/** Every account's queue, sends in the last 24 hours and the limit holding its queue, by id: asked while `enabled` (a column shows them). */
export function useSendStats(enabled: boolean): ReadonlyMap<AccountId, SendStats> {
  const api = useTransport()
  // A send that ends (accounts:message-sent) changes the figures: they are read again then.
  useEventTopics(enabled ? ['accounts:message-sent'] : [])
  const query = useQuery({ queryKey: queryKeys.sendStats(), queryFn: () => api.invoke('accounts:send-stats', {}), refetchInterval: SEND_STATS_REFRESH_MS, enabled })
  return useMemo(() => new Map((query.data ?? []).map((s) => [s.id, s])), [query.data])
}

/** While an account's page is open: sends queued by an integration have no event of their own. */
const SEND_QUEUE_REFRESH_MS = 5_000

/** One account's send queue, in sending order. */
export function useSendQueue(id: AccountId): UseQueryResult<QueueEntry[]> {
  const api = useTransport()
  useEventTopics([topic('accounts:message-sent', id)])
  return useQuery({ queryKey: queryKeys.sendQueue(id), queryFn: () => api.invoke('accounts:queue', { id }), refetchInterval: SEND_QUEUE_REFRESH_MS })
}

export function useCancelQueued(id: AccountId) {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (messageIds: string[]) => api.invoke('accounts:queue-cancel', { id, messageIds }),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sendQueue(id) }),
  })
}

export function useSetLimits() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'accounts:set-limits'>) => api.invoke('accounts:set-limits', input),
    onSuccess: (results) =>
      notifyManager.batch(() => {
        for (const result of results) if (result.account) upsertAccount(client, result.account, { onlyIfCurrent: true })
      }),
  })
}

/**
 * Adds and removes tags on many accounts (accounts:tag, at most MAX_BULK_IDS per call); each account
 * that changed goes into the cache as its answer lands.
 */
export function useTagAccounts(): (ids: AccountId[], change: { add?: string[]; remove?: string[] }) => Promise<BulkResult[]> {
  const api = useTransport()
  const client = useQueryClient()
  return async (ids, change) => {
    const results = await api.invoke('accounts:tag', { ids, ...change })
    notifyManager.batch(() => {
      for (const result of results) if (result.account) upsertAccount(client, result.account, { onlyIfCurrent: true })
    })
    return results
  }
}

/** How often the accounts table re-reads accounts:stats: the counts move in 15-minute steps. */
export const STATS_REFRESH_MS = 60_000

/** A cheap fingerprint of a list of ids, so a query's key changes when the accounts do (not with each render). */
function idsKey(ids: readonly string[]): string {
  let hash = 5381
  for (const id of ids) for (let i = 0; i < id.length; i++) hash = ((hash * 33) ^ id.charCodeAt(i)) >>> 0
  return `${ids.length}:${hash.toString(36)}`
}

/**
 * accounts:stats of these accounts (texts received, failed webhook deliveries), for the table's columns
 * and its Needs attention view: asked while `enabled`, in parts of at most MAX_BULK_IDS, once a minute.
 */
export function useAccountStats(ids: readonly AccountId[], enabled: boolean): UseQueryResult<ReadonlyMap<AccountId, AccountStats>> {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.accountStats(idsKey(ids)),
    queryFn: async () => {
      const byId = new Map<AccountId, AccountStats>()
      for (let start = 0; start < ids.length; start += MAX_BULK_IDS) {
        for (const row of await api.invoke('accounts:stats', { ids: ids.slice(start, start + MAX_BULK_IDS) })) if (row.ok) byId.set(row.id, row)
      }
      return byId
    },
    enabled: enabled && ids.length > 0,
    refetchInterval: STATS_REFRESH_MS,
    staleTime: STATS_REFRESH_MS / 2,
    placeholderData: (previous) => previous,
    structuralSharing: false,
  })
}

/** How often the fleet view re-reads fleet:servers (heartbeats move every 5 s). */
const FLEET_REFRESH_MS = 5_000

/** The servers of the fleet, re-read every few seconds while shown; empty on a single server (SQLite, the desktop app). */
export function useFleetServers(): UseQueryResult<FleetServer[]> {
  return useQuery({ ...useFleetServersQuery(), refetchInterval: FLEET_REFRESH_MS })
}

function useFleetServersQuery() {
  const api = useTransport()
  return { queryKey: queryKeys.fleetServers(), queryFn: () => api.invoke('fleet:servers', {}) }
}

/**
 * Whether this deployment is a fleet: only then do the views show which server runs an account. Read
 * once a minute at most, never polled: a server does not turn into a fleet while a page is open, and the
 * views that ask (the accounts table, telemetry) keep their request budget.
 */
export function useIsFleet(): boolean {
  const servers = useQuery({ ...useFleetServersQuery(), staleTime: 60_000 })
  return (servers.data?.length ?? 0) > 0
}

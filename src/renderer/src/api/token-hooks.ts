// The named API tokens and the audit trail, for admins (docs/security.md, "Roles" and "The audit trail"):
// who this page signs in as, the tokens with their roles, adding (the token shown once) and revoking,
// and the trail read newest first. No event carries tokens or the trail: both are read on demand.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { CommandInput } from '../../../shared/contract'
import { useTransport } from './ApiProvider'
import { queryKeys } from './query-keys'

export const AUDIT_REFRESH_MS = 5_000

/** The token this page uses: its name, role and accounts (the desktop window is the local admin). */
export function useWhoAmI() {
  const api = useTransport()
  return useQuery({ queryKey: queryKeys.whoami(), queryFn: () => api.invoke('tokens:whoami', {}), staleTime: Infinity })
}

/** True once the page knows its token is an admin's. */
export function useIsAdmin(): boolean {
  return useWhoAmI().data?.role === 'admin'
}

export function useTokens() {
  const api = useTransport()
  return useQuery({ queryKey: queryKeys.tokenList(), queryFn: () => api.invoke('tokens:list', {}) })
}

export function useAddToken() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: CommandInput<'tokens:add'>) => api.invoke('tokens:add', input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokenList() }),
  })
}

export function useRevokeToken() {
  const api = useTransport()
  const client = useQueryClient()
  return useMutation({
    mutationFn: (name: string) => api.invoke('tokens:revoke', { name }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.tokenList() }),
  })
}

export function useAudit(filter: { actor: string; command: string; limit: number }) {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.audit(filter),
    queryFn: () =>
      api.invoke('audit:list', {
        limit: filter.limit,
        ...(filter.actor ? { actor: filter.actor } : {}),
        ...(filter.command ? { command: filter.command } : {}),
      }),
    refetchInterval: AUDIT_REFRESH_MS,
  })
}

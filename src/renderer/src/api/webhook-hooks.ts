// The webhooks view's queries and mutations (docs/webhooks.md). Health and deliveries change with every attempt
// and no event carries them, so both refresh every 2 s while the view is shown.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { CommandInput } from '../../../shared/contract'
import { useTransport } from './ApiProvider'
import { queryKeys } from './query-keys'

export const WEBHOOKS_REFRESH_MS = 2_000

export function useWebhooks() {
  const api = useTransport()
  return useQuery({ queryKey: queryKeys.webhookList(), queryFn: () => api.invoke('webhooks:list', {}), refetchInterval: WEBHOOKS_REFRESH_MS })
}

export function useDeliveries() {
  const api = useTransport()
  return useQuery({
    queryKey: queryKeys.webhookDeliveries(),
    queryFn: () => api.invoke('webhooks:deliveries', { limit: 50 }),
    refetchInterval: WEBHOOKS_REFRESH_MS,
  })
}

/** After any change: the list and the deliveries are read again at once. */
function useWebhookMutation<I, O>(run: (input: I) => Promise<O>) {
  const client = useQueryClient()
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.webhooks }) })
}

export function useAddWebhook() {
  const api = useTransport()
  return useWebhookMutation((input: CommandInput<'webhooks:add'>) => api.invoke('webhooks:add', input))
}

export function useRemoveWebhook() {
  const api = useTransport()
  return useWebhookMutation((id: string) => api.invoke('webhooks:remove', { id }))
}

export function useTestWebhook() {
  const api = useTransport()
  return useWebhookMutation((id: string) => api.invoke('webhooks:test', { id }))
}

export function useRedeliver() {
  const api = useTransport()
  return useWebhookMutation((deliveryId: string) => api.invoke('webhooks:redeliver', { deliveryId }))
}

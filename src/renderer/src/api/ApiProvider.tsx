// Puts the transport and the query client in context, and wires the event stream to the cache (through
// event-cache.ts only). On every (re)open of the event stream, events may have been missed: every query
// is marked stale and the visible ones refetch.

import { notifyManager, QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import type { EventName } from '../../../shared/channels'
import type { EventMessage } from '../../../shared/contract'
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import { applyEvent } from './event-cache'
import type { LinkState, Transport } from './transport'

const TransportContext = createContext<Transport | null>(null)

/**
 * Events are applied in batches, one per this many milliseconds at most: a bulk stop of 445 accounts
 * sends 445 events within a fraction of a second, and applied one by one each would re-render (filter,
 * sort) the whole accounts table. Batched, the page renders a few dozen times instead; each event still
 * applies, in order, at most one frame later.
 */
const EVENT_BATCH_MS = 16

export function ApiProvider({ transport, client, children }: { transport: Transport; client: QueryClient; children: ReactNode }) {
  useEffect(() => {
    const pending: Array<EventMessage<EventName>> = []
    let timer: ReturnType<typeof setTimeout> | null = null
    const flush = (): void => {
      timer = null
      const batch = pending.splice(0)
      // One notification of the query observers for the whole batch, so one render.
      notifyManager.batch(() => {
        for (const message of batch) applyEvent(client, message)
      })
    }
    const unsubscribe = transport.subscribe((message) => {
      pending.push(message)
      timer ??= setTimeout(flush, EVENT_BATCH_MS)
    })
    transport.start()
    return () => {
      unsubscribe()
      if (timer !== null) clearTimeout(timer)
      transport.stop()
    }
  }, [transport, client])

  const { generation, status } = useLinkStateOf(transport)
  useEffect(() => {
    if (generation > 0) void client.invalidateQueries()
  }, [generation, client])
  // Signed out or refused: nothing the server said stays in the page's memory.
  useEffect(() => {
    if (status === 'unauthorized') client.clear()
  }, [status, client])

  return (
    <TransportContext.Provider value={transport}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </TransportContext.Provider>
  )
}

export function useTransport(): Transport {
  const transport = useContext(TransportContext)
  if (!transport) throw new Error('useTransport needs an <ApiProvider> above it.')
  return transport
}

function useLinkStateOf(transport: Transport): LinkState {
  return useSyncExternalStore(transport.onLinkState, transport.getLinkState)
}

export function useLinkState(): LinkState {
  return useLinkStateOf(useTransport())
}

// Puts the transport and the query client in context, and wires the event stream to the cache (through
// event-cache.ts only). On every (re)open of the event stream, events may have been missed: every query
// is marked stale and the visible ones refetch.

import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import { applyEvent } from './event-cache'
import type { LinkState, Transport } from './transport'

const TransportContext = createContext<Transport | null>(null)

export function ApiProvider({ transport, client, children }: { transport: Transport; client: QueryClient; children: ReactNode }) {
  useEffect(() => {
    const unsubscribe = transport.subscribe((message) => applyEvent(client, message))
    transport.start()
    return () => {
      unsubscribe()
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

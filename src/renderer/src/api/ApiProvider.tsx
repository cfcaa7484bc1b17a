// Puts the transport and the query client in context, and wires the event stream to the cache (through
// event-cache.ts only, in batches: event-batcher.ts). Hooks name the events they show (useEventTopics),
// and the stream carries those only. On every (re)open of the event stream, events may have been
// missed: every query is marked stale and the visible ones refetch.

import { notifyManager, QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import type { EventTopic } from '../../../shared/event-topics'
import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react'
import { applyEvent, applyRows } from './event-cache'
import { createEventBatcher } from './event-batcher'
import { createTopicRegistry, type TopicRegistry } from './topic-registry'
import type { LinkState, Transport } from './transport'

const TransportContext = createContext<Transport | null>(null)
const TopicsContext = createContext<TopicRegistry | null>(null)

export function ApiProvider({ transport, client, children }: { transport: Transport; client: QueryClient; children: ReactNode }) {
  // Made before the stream starts, so its first opening already names the page's topics.
  const topics = useMemo(() => createTopicRegistry((list) => transport.setTopics(list)), [transport])
  useEffect(() => {
    const batcher = createEventBatcher({
      // One notification of the query observers per batch, so one render.
      applyEvents: (batch) => notifyManager.batch(() => batch.forEach((message) => applyEvent(client, message, { rows: 'later' }))),
      applyRows: (rows) => applyRows(client, rows),
    })
    const unsubscribe = transport.subscribe(batcher.push)
    transport.start()
    return () => {
      unsubscribe()
      batcher.dispose()
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
      <TopicsContext.Provider value={topics}>
        <QueryClientProvider client={client}>{children}</QueryClientProvider>
      </TopicsContext.Provider>
    </TransportContext.Provider>
  )
}

/**
 * The events this component shows, while it is mounted. Registered in a layout effect, before the
 * queries of the same render fetch (their fetch waits for transport.topicsApplied()).
 */
export function useEventTopics(list: readonly EventTopic[]): void {
  const registry = useContext(TopicsContext)
  if (!registry) throw new Error('useEventTopics needs an <ApiProvider> above it.')
  const key = list.join(',')
  useLayoutEffect(() => registry.add(key === '' ? [] : (key.split(',') as EventTopic[])), [registry, key])
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

// Checks an incoming event against the contract before anything in the UI sees it. The server is
// trusted, but a version skew between a server and a cached page must show up as a dropped event
// (with a warning naming it), not as a crash deep inside a view.

import { events, isEventName, type EventMessage } from '../../../shared/contract'
import type { EventName } from '../../../shared/channels'

export function parseEvent(raw: unknown): EventMessage<EventName> | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { event, payload } = raw as { event?: unknown; payload?: unknown }
  if (!isEventName(event)) return null
  const parsed = events[event].payload.safeParse(payload)
  if (!parsed.success) {
    console.warn(`Dropped a "${event}" event that does not match the contract.`)
    return null
  }
  return { event, payload: parsed.data } as EventMessage<EventName>
}

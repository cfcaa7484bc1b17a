// The core's outgoing event stream, typed by the contract. Transports subscribe; the core emits.
// A listener that throws is logged and never breaks the emitter or the other listeners.

import type { EventMessage, EventName, EventPayload } from '../../shared/contract'
import type { Logger } from './logger'

export type EventListener = (message: EventMessage) => void

export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void
  subscribe(listener: EventListener): () => void
}

export function createEventBus(logger: Logger): EventBus {
  const listeners = new Set<EventListener>()
  return {
    emit(event, payload) {
      const message = { event, payload } as EventMessage
      for (const listener of listeners) {
        try {
          listener(message)
        } catch (error) {
          logger.error({ err: error, event }, 'event listener failed')
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

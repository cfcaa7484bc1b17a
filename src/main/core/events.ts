// The core's outgoing event stream, typed by the contract. Transports subscribe; the core emits.
// A listener that throws is logged and never breaks the emitter or the other listeners.

import type { EventMessage, EventName, EventPayload } from '../../shared/contract'
import type { Logger } from './logger'

export type EventListener = (message: EventMessage) => void

/**
 * What an emit says about recording: nothing (the plain bus), or a promise from a wrapper that records
 * the event durably (the webhook outbox, the fleet's event log), settled with false when a record failed
 * (already logged). It never rejects. Emitting the same event again is safe: every record is idempotent
 * by the event's identity (a message's id).
 */
export type Recorded = void | Promise<boolean>

export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): Recorded
  subscribe(listener: EventListener): () => void
}

/** True when every part was recorded (a plain emit counts as recorded). */
export async function allRecorded(...parts: Recorded[]): Promise<boolean> {
  const results = await Promise.all(parts)
  return results.every((result) => result !== false)
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

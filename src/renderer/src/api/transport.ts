// The transport-neutral API the UI talks to: invoke a command, subscribe to events, watch the link.
// Two implementations: Electron IPC through window.irish (ipc-transport.ts) and HTTP + WebSocket to
// the headless server (http-transport.ts). Nothing above this layer knows which one it has.

import type { CommandName, EventName } from '../../../shared/channels'
import type { CommandInput, CommandOutput, EventMessage } from '../../../shared/contract'
import { wantsEvent, type EventTopic } from '../../../shared/event-topics'
import { parseEvent } from './parse-event'

export type LinkStatus =
  /** First attempt to open the event stream, nothing has failed yet. */
  | 'connecting'
  /** Events are flowing. */
  | 'open'
  /** The event stream broke; a reconnect is scheduled. The UI shows a banner meanwhile. */
  | 'disconnected'
  /** The server wants a (different) token: the UI shows the sign-in prompt. */
  | 'unauthorized'

export interface LinkState {
  status: LinkStatus
  /** When the next reconnect attempt starts (epoch ms), while disconnected. */
  retryAt: number | null
  /** How many attempts in a row failed. */
  failures: number
  /** Bumped each time the event stream (re)opens: missed events mean every query must be refetched. */
  generation: number
}

export type EventListener = (message: EventMessage<EventName>) => void

export interface Transport {
  readonly kind: 'ipc' | 'http'
  /** Runs a command; resolves with its output or rejects with an AppError. */
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>
  /** Every event of the current topics, already checked against the contract. Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void
  /**
   * The events the page shows (docs/event-stream.md): the server sends these only, and the page passes
   * on these only. Replaces the previous topics.
   */
  setTopics(topics: readonly EventTopic[]): void
  /**
   * Resolves once the topics last set apply on the server, so a fetch made after it misses no event
   * of them; at once when the stream is not open (its next opening carries them and refetches).
   */
  topicsApplied(): Promise<void>
  /** For useSyncExternalStore: the link's state and its change notifications. */
  getLinkState(): LinkState
  onLinkState(listener: () => void): () => void
  /** Opens the event stream. Safe to call more than once. */
  start(): void
  /** Closes the event stream and cancels reconnects. */
  stop(): void
}

/**
 * The event listeners of a transport, shared by both: `subscribe` is Transport.subscribe, and `publish`
 * hands an incoming message to every listener once it checks out against the contract (else drops it)
 * and belongs to the topics (an event the server sent before a change of topics applied, or the IPC
 * bridge, which carries every event, is dropped here).
 */
export function createEventHub(): {
  subscribe(listener: EventListener): () => void
  publish(raw: unknown): void
  setTopics(topics: readonly EventTopic[]): void
} {
  const listeners = new Set<EventListener>()
  let topics: ReadonlySet<string> | null = null
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    publish(raw) {
      const parsed = parseEvent(raw)
      if (!parsed || !wantsEvent(topics, parsed.event, parsed.payload)) return
      for (const listener of listeners) listener(parsed)
    },
    setTopics(next) {
      topics = new Set(next)
    },
  }
}

/** A tiny observable for the link state, shared by both transports. */
export function createLinkStore(initial: LinkState): {
  get(): LinkState
  set(patch: Partial<LinkState>): void
  subscribe(listener: () => void): () => void
} {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    set(patch) {
      const next = { ...state, ...patch }
      if (
        next.status === state.status &&
        next.retryAt === state.retryAt &&
        next.failures === state.failures &&
        next.generation === state.generation
      ) {
        return
      }
      state = next
      for (const listener of listeners) listener()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

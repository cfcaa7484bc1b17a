// The browser transport for the headless server: commands through the one API client (POST /api/<command>
// with the bearer token), and a WebSocket at /api/events for events. The WebSocket reconnects with capped,
// jittered exponential backoff, asking to resume after the last event it saw (its `resume` token): when
// the server still holds what was missed it sends it and the UI goes on as it was; otherwise the
// reconnect bumps the link generation so the UI refetches everything.
// A 401 anywhere drops the token and asks the operator to sign in again. The token never goes into a
// URL: a browser WebSocket cannot send headers, so it travels as a `bearer.<token>` subprotocol. The
// page's topics go in the URL when the stream opens, and in a subscribe message when they change.

import { createApiClient } from '../../../shared/api-client'
import { EVENTS_CLOSE_UNAUTHORIZED, EVENTS_PROTOCOL, EVENTS_RESUME_PARAM, TOKEN_PROTOCOL_PREFIX, type CommandName } from '../../../shared/channels'
import type { CommandInput, CommandOutput } from '../../../shared/contract'
import { TOPIC_SEPARATOR, type EventTopic } from '../../../shared/event-topics'
import { AppError } from './api-error'
import { loadStoredToken, storeToken } from './token'
import { createEventHub, createLinkStore, type Transport } from './transport'

const BACKOFF_FIRST_MS = 500
const BACKOFF_MAX_MS = 15_000

export interface HttpTransport extends Transport {
  readonly kind: 'http'
  hasToken(): boolean
  /**
   * Where the token the server last refused came from: the sign-in link, or this tab's saved one.
   * Null when none was refused, or once another is typed. The sign-in prompt says which.
   */
  refusedToken(): 'link' | 'saved' | null
  /** Tries a token with a cheap command; keeps it only if the server accepts it. */
  signIn(token: string): Promise<void>
  signOut(): void
}

export function createHttpTransport(options: { baseUrl: string; initialToken: string | null }): HttpTransport {
  const base = options.baseUrl.replace(/\/+$/, '')
  const eventsUrl = `${base.replace(/^http/, 'ws')}/api/events`
  let token: string | null = options.initialToken ?? loadStoredToken()
  if (token) storeToken(token)
  let tokenSource: 'link' | 'saved' | 'typed' | null = options.initialToken ? 'link' : token ? 'saved' : null
  let refused: 'link' | 'saved' | null = null

  const link = createLinkStore({ status: token ? 'connecting' : 'unauthorized', retryAt: null, failures: 0, generation: 0 })
  const events = createEventHub()
  let socket: WebSocket | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let running = false
  /** The resume token of the last event received (none before the first one). */
  let lastResume: string | null = null
  /** The page's topics (null until the page names them: every event). */
  let topics: readonly EventTopic[] | null = null
  /** What the server applies on the open socket: the topics it acknowledged, and subscribe messages not yet acknowledged. */
  let applied: { key: string | null; sent: string | null; unanswered: number } | null = null
  let appliedWaiters: Array<() => void> = []
  const keyOf = (list: readonly EventTopic[] | null): string | null => (list === null ? null : list.join(TOPIC_SEPARATOR))

  function settleWaiters(): void {
    if (applied !== null && (applied.unanswered > 0 || applied.key !== keyOf(topics))) return
    const waiting = appliedWaiters
    appliedWaiters = []
    for (const resolve of waiting) resolve()
  }

  function sendTopics(ws: WebSocket): void {
    if (!applied || topics === null || applied.sent === keyOf(topics)) return
    applied.sent = keyOf(topics)
    applied.unanswered += 1
    ws.send(JSON.stringify({ type: 'subscribe', topics }))
  }

  /** One command through the one API client (src/shared/api-client.ts): its output, or an AppError. */
  function post<C extends CommandName>(command: C, input: CommandInput<C>, withToken: string): Promise<CommandOutput<C>> {
    return createApiClient({ baseUrl: base, token: withToken, client: 'ui', name: `The server at ${base}` }).call(command, input)
  }

  function rejectToken(): void {
    refused = tokenSource === 'typed' ? null : tokenSource
    tokenSource = null
    token = null
    storeToken(null)
    closeSocket()
    clearRetry()
    link.set({ status: 'unauthorized', retryAt: null })
  }

  function clearRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer)
    retryTimer = null
  }

  function closeSocket(): void {
    const current = socket
    socket = null
    applied = null
    settleWaiters()
    if (current) {
      current.onopen = current.onmessage = current.onclose = current.onerror = null
      current.close(1000, 'closing')
    }
  }

  function connect(): void {
    clearRetry()
    closeSocket()
    if (!running) return
    const current = token
    if (!current) {
      link.set({ status: 'unauthorized', retryAt: null })
      return
    }
    let ws: WebSocket
    let authByMessage = false
    const carried = topics
    const query = new URLSearchParams()
    if (carried !== null) query.set('topics', carried.join(TOPIC_SEPARATOR))
    if (lastResume !== null) query.set(EVENTS_RESUME_PARAM, lastResume)
    const url = query.size === 0 ? eventsUrl : `${eventsUrl}?${query.toString()}`
    try {
      ws = new WebSocket(url, [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${current}`])
    } catch {
      // A token with characters a subprotocol cannot carry: authenticate with the first message instead.
      ws = new WebSocket(url, [EVENTS_PROTOCOL])
      authByMessage = true
    }
    socket = ws
    ws.onopen = () => {
      if (authByMessage) ws.send(JSON.stringify({ type: 'auth', token: current }))
    }
    ws.onmessage = (message: MessageEvent) => {
      let data: unknown
      try {
        data = JSON.parse(String(message.data))
      } catch {
        return
      }
      const type = (data as { type?: unknown } | null)?.type
      if (type === 'ready') {
        // The topics the URL carried apply from the first event on; any set since go now.
        applied = { key: keyOf(carried), sent: keyOf(carried), unanswered: 0 }
        sendTopics(ws)
        settleWaiters()
        const state = link.get()
        // Resumed: the missed events follow, and the UI's data stays good. Otherwise it refetches.
        const resumed = (data as { resumed?: unknown }).resumed === true
        link.set({ status: 'open', retryAt: null, failures: 0, generation: resumed ? state.generation : state.generation + 1 })
        return
      }
      if (type === 'subscribed' || type === 'error') {
        // An error answers a subscribe message too (the page only sends topics it built from the contract).
        if (applied && socket === ws) {
          applied.unanswered = Math.max(0, applied.unanswered - 1)
          if (type === 'subscribed') applied.key = keyOf((data as { topics: EventTopic[] }).topics)
          settleWaiters()
        }
        return
      }
      const resume = (data as { resume?: unknown } | null)?.resume
      if (typeof resume === 'string') lastResume = resume
      events.publish(data)
    }
    ws.onclose = (event: CloseEvent) => {
      if (socket !== ws) return
      socket = null
      applied = null
      settleWaiters()
      if (event.code === EVENTS_CLOSE_UNAUTHORIZED) {
        rejectToken()
        return
      }
      scheduleReconnect()
    }
  }

  function scheduleReconnect(): void {
    if (!running) return
    const failures = link.get().failures + 1
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1))
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
    link.set({ status: 'disconnected', retryAt: Date.now() + delay, failures })
    clearRetry()
    retryTimer = setTimeout(() => {
      retryTimer = null
      void probeThenConnect()
    }, delay)
  }

  /**
   * A browser hides why a WebSocket upgrade failed, so a cheap command tells "wrong token" (401,
   * sign in again) apart from "server down" (keep retrying).
   */
  async function probeThenConnect(): Promise<void> {
    const current = token
    if (!running || !current) return
    try {
      await post('simulator:info', {}, current)
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthorized') {
        if (token === current) rejectToken()
        return
      }
      if (error instanceof AppError && error.code === 'unavailable') {
        scheduleReconnect()
        return
      }
    }
    connect()
  }

  return {
    kind: 'http',
    async invoke(command, input) {
      const current = token
      if (!current) {
        link.set({ status: 'unauthorized', retryAt: null })
        throw new AppError('unauthorized', 'Sign in with the server’s API token first.')
      }
      try {
        return await post(command, input, current)
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthorized' && token === current) rejectToken()
        throw error
      }
    },
    subscribe: events.subscribe,
    setTopics(next) {
      topics = [...next]
      events.setTopics(next)
      if (socket && applied) sendTopics(socket)
    },
    topicsApplied() {
      if (applied === null || (applied.unanswered === 0 && applied.key === keyOf(topics))) return Promise.resolve()
      return new Promise((resolve) => appliedWaiters.push(resolve))
    },
    getLinkState: link.get,
    onLinkState: link.subscribe,
    start() {
      if (running) return
      running = true
      connect()
    },
    stop() {
      running = false
      clearRetry()
      closeSocket()
    },
    hasToken: () => token !== null,
    refusedToken: () => refused,
    async signIn(candidate) {
      await post('simulator:info', {}, candidate)
      refused = null
      tokenSource = 'typed'
      token = candidate
      storeToken(candidate)
      link.set({ status: 'connecting', retryAt: null, failures: 0 })
      connect()
    },
    signOut() {
      rejectToken()
      refused = null
    },
  }
}

// What a client of the event stream asks to receive (docs/event-stream.md): a list of topics, each an
// event name ("accounts:changed": every account's) or an event name and one account
// ("accounts:message@acc-1f2e": that account's only). A client that names no topics gets every event, as
// clients did before subscriptions existed. Shared by the server (which filters what it sends), the
// renderer (which asks, and filters what the IPC bridge hands it) and the tests. No Node, no DOM.

import type { EventName } from './channels'
import { accountOf, EVENT_NAMES, events, isEventName } from './contract'
import { ACCOUNT_ID_PATTERN, type AccountId } from './ids'

/** `event` alone, or `event@account`. */
export type EventTopic = EventName | `${EventName}@${string}`

/** A subscription longer than this is refused: a page asks for a handful. */
export const MAX_TOPICS = 200
/** Separates topics in the `topics` query parameter of GET /api/events. */
export const TOPIC_SEPARATOR = ','

export function topic(event: EventName, account?: AccountId | null): EventTopic {
  return account ? `${event}@${account}` : event
}

/**
 * Checks a list of topics, and says in words what is wrong with the first bad one: an unknown event
 * name, an account id that is not one, or an account named for an event that is about no account.
 */
export function parseTopics(raw: unknown): { ok: true; topics: EventTopic[] } | { ok: false; message: string } {
  if (!Array.isArray(raw)) return { ok: false, message: 'Topics are a list of event names, each optionally followed by @ and an account id.' }
  if (raw.length > MAX_TOPICS) return { ok: false, message: `Subscribe to at most ${MAX_TOPICS} topics at once.` }
  const topics: EventTopic[] = []
  for (const item of raw) {
    if (typeof item !== 'string') return { ok: false, message: 'Each topic is a string such as "accounts:changed" or "accounts:message@acc-1".' }
    const at = item.indexOf('@')
    const name = at === -1 ? item : item.slice(0, at)
    const account = at === -1 ? null : item.slice(at + 1)
    if (!isEventName(name)) {
      return { ok: false, message: `Unknown event name ${JSON.stringify(name.slice(0, 64))}: the stream carries ${EVENT_NAMES.join(', ')}.` }
    }
    if (account !== null) {
      if (!ACCOUNT_ID_PATTERN.test(account)) return { ok: false, message: `${JSON.stringify(item.slice(0, 100))} does not name an account id after the @.` }
      if (events[name].account === null) return { ok: false, message: `${name} is not about one account: subscribe to "${name}" without an account.` }
    }
    topics.push(item as EventTopic)
  }
  return { ok: true, topics }
}

/** The topics of a `topics` query parameter ("a,b@acc-1"), checked as parseTopics does. */
export function parseTopicsParameter(value: string): ReturnType<typeof parseTopics> {
  return parseTopics(value === '' ? [] : value.split(TOPIC_SEPARATOR))
}

/**
 * Whether a message matches a subscription; `null` (no subscription) matches everything. The one rule
 * the live stream and any replay of missed events both apply.
 */
export function wantsEvent(topics: ReadonlySet<string> | null, event: EventName, payload: unknown): boolean {
  return wantsEventOf(topics, event, accountOf(event, payload))
}

/**
 * The same rule when the event was kept as its name and account only (a replay window that holds the
 * events as sent text).
 */
export function wantsEventOf(topics: ReadonlySet<string> | null, event: EventName, account: AccountId | null): boolean {
  if (topics === null || topics.has(event)) return true
  return account !== null && topics.has(`${event}@${account}`)
}

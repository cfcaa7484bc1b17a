// Which events the page shows, from the hooks that show them: each registers its topics while mounted,
// and the transport is told the union whenever it changes (docs/event-stream.md). Every view needs the
// accounts list (the notices watch it too), so its events are always in.

import type { EventTopic } from '../../../shared/event-topics'

export const BASE_TOPICS: readonly EventTopic[] = ['accounts:changed', 'accounts:removed', 'transfer:bundle-opened']

export interface TopicRegistry {
  /** Adds topics until the returned function is called. */
  add(topics: readonly EventTopic[]): () => void
}

export function createTopicRegistry(apply: (topics: EventTopic[]) => void): TopicRegistry {
  const counts = new Map<EventTopic, number>()
  let current = ''
  function publish(): void {
    const union = [...new Set([...BASE_TOPICS, ...counts.keys()])].sort()
    const key = union.join(',')
    if (key === current) return
    current = key
    apply(union)
  }
  publish()
  return {
    add(topics) {
      for (const topic of topics) counts.set(topic, (counts.get(topic) ?? 0) + 1)
      publish()
      let removed = false
      return () => {
        if (removed) return
        removed = true
        for (const topic of topics) {
          const left = (counts.get(topic) ?? 1) - 1
          if (left <= 0) counts.delete(topic)
          else counts.set(topic, left)
        }
        publish()
      }
    },
  }
}

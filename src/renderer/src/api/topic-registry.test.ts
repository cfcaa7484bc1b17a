import { describe, expect, it } from 'vitest'
import type { EventTopic } from '../../../shared/event-topics'
import { BASE_TOPICS, createTopicRegistry } from './topic-registry'

describe('the topic registry', () => {
  it('tells the union of what is mounted, once per change, and always the accounts list', () => {
    const told: EventTopic[][] = []
    const registry = createTopicRegistry((topics) => told.push(topics))
    expect(told).toEqual([[...BASE_TOPICS].sort()])
    const removeA = registry.add(['telemetry:tick'])
    const removeB = registry.add(['telemetry:tick', 'accounts:message@acc-1'])
    expect(told.at(-1)).toEqual([...BASE_TOPICS, 'telemetry:tick', 'accounts:message@acc-1'].sort())
    removeA()
    // telemetry:tick is still wanted by the second: nothing changes.
    expect(told).toHaveLength(3)
    removeB()
    removeB()
    expect(told.at(-1)).toEqual([...BASE_TOPICS].sort())
    expect(told).toHaveLength(4)
  })
})

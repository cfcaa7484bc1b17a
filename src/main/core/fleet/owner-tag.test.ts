// Account events name the server that runs the account (fleet/owner-tag.ts).

import { describe, expect, it } from 'vitest'
import type { EventMessage } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { tagOwner } from './owner-tag'

describe('tagOwner', () => {
  it('presents every accounts:changed as the fleet sees it (its server), as of the emit, and passes other events untouched', () => {
    const bus = createEventBus(silentLogger())
    const seen: EventMessage[] = []
    bus.subscribe((m) => seen.push(m))
    const owners = new Map<string, string>([['acc-a', 'srv-1']])
    const tagged = tagOwner(bus, (summary) => ({ ...summary, server: owners.get(summary.id) ?? null }))
    const summary = accountSummary('acc-a', { status: 'connected' })
    tagged.emit('accounts:changed', summary)
    owners.delete('acc-a')
    tagged.emit('accounts:changed', { ...summary, status: 'stopped' })
    tagged.emit('accounts:removed', { id: 'acc-a' as AccountId })
    expect(seen.map((m) => (m.event === 'accounts:changed' ? m.payload.server : m.event))).toEqual(['srv-1', null, 'accounts:removed'])
    expect(summary.server).toBeUndefined()
  })
})

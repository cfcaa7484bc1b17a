// The behaviour every AccountRepository must have, run against SQLite (sqlite-account-repository.test.ts)
// and PostgreSQL (pg-account-repository.test.ts) alike: records round-trip with every field, tags
// included, survive a reopen, and a tags value edited by hand into something else reads as no tags.
// Test-only.

import { expect, it } from 'vitest'
import type { AccountRecord, AccountRepository } from '../../src/main/core/accounts/account-repository'
import type { AccountId } from '../../src/shared/ids'
import { DEFAULT_SEND_LIMITS } from '../../src/main/core/sends/limits'

export interface RepositoryUnderTest {
  repo: AccountRepository
  /** A new repository over the same database, after every write of the old one landed. */
  reopen(): Promise<AccountRepository>
  /** Writes raw text into the account's tags column, behind the repository's back. */
  writeRawTags(id: AccountId, text: string): Promise<void>
}

export function accountRecord(id: string, patch: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: id as AccountId,
    label: id,
    phone: null,
    name: null,
    status: 'new',
    statusSince: 1,
    lastError: null,
    lastDisconnectCode: null,
    reconnectCount: 0,
    createdAt: 1,
    pairedAt: null,
    lastConnectedAt: null,
    wantRunning: false,
    movedTo: null,
    proxy: null,
    limits: DEFAULT_SEND_LIMITS,
    condition: null,
    tags: [],
    ...patch,
  }
}

export function accountRepositoryContract(open: () => Promise<RepositoryUnderTest>): void {
  it('keeps every field of a record, tags included, across a reopen', async () => {
    const { repo, reopen } = await open()
    const full = accountRecord('acc-full', {
      label: 'Full',
      phone: '15550001',
      name: 'Agent',
      status: 'connected',
      statusSince: 5,
      lastError: 'e',
      lastDisconnectCode: 408,
      reconnectCount: 3,
      createdAt: 2,
      pairedAt: 3,
      lastConnectedAt: 4,
      wantRunning: true,
      movedTo: { target: 'https://b.example', at: 6 },
      tags: ['vip', 'EU west', 'Ünïcode'],
    })
    repo.insert(full)
    repo.insert(accountRecord('acc-bare', { createdAt: 3 }))
    expect(repo.get(full.id)).toEqual(full)
    const again = await reopen()
    expect(again.get(full.id)).toEqual(full)
    expect(again.get('acc-bare' as AccountId)?.tags).toEqual([])
  })

  it('changes tags alone, and tags with other fields, and keeps the order given', async () => {
    const { repo, reopen } = await open()
    repo.insert(accountRecord('acc-t', { label: 'Tagged' }))
    expect(repo.update('acc-t' as AccountId, { tags: ['b', 'a'] })).toMatchObject({ label: 'Tagged', tags: ['b', 'a'] })
    expect(repo.update('acc-t' as AccountId, { tags: ['c'], status: 'stopped', statusSince: 9 })).toMatchObject({ tags: ['c'], status: 'stopped' })
    expect(repo.update('acc-t' as AccountId, { label: 'Renamed' }).tags).toEqual(['c'])
    expect((await reopen()).get('acc-t' as AccountId)).toMatchObject({ label: 'Renamed', tags: ['c'], status: 'stopped' })
  })

  it('reads a tags value that is not a JSON list of strings as no tags (or the strings it holds)', async () => {
    const { repo, reopen, writeRawTags } = await open()
    repo.insert(accountRecord('acc-bad'))
    repo.insert(accountRecord('acc-mixed'))
    await reopen()
    await writeRawTags('acc-bad' as AccountId, 'not json')
    await writeRawTags('acc-mixed' as AccountId, '["ok", 3, null, "fine"]')
    const read = await reopen()
    expect(read.get('acc-bad' as AccountId)?.tags).toEqual([])
    expect(read.get('acc-mixed' as AccountId)?.tags).toEqual(['ok', 'fine'])
  })
}

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { accountRecord as record, accountRepositoryContract } from '../../../../test/support/account-repository-contract'
import type { AccountRepository } from './account-repository'
import { createSqliteAccountRepository as createAccountRepository } from './sqlite-account-repository'
import { openDatabase, type OpenedDatabase } from '../db/open-database'

describe('the SQLite account repository', () => {
  let dir: string
  let opened: OpenedDatabase
  let repo: AccountRepository
  let key: Buffer

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'irish-accounts-'))
    key = randomBytes(32)
    opened = openDatabase({ file: join(dir, 'irish.db'), dataKey: key })
    repo = createAccountRepository(opened.db, opened.batch)
  })
  afterEach(() => {
    opened.close()
    rmSync(dir, { recursive: true, force: true })
  })

  accountRepositoryContract(async () => ({
    repo,
    // What a new repository reads is what was committed: the turn's batch first (write-batch.ts).
    reopen: async () => {
      opened.batch.flush()
      return createAccountRepository(opened.db, opened.batch)
    },
    writeRawTags: async (id, text) => void opened.sqlite.prepare('UPDATE accounts SET tags = ? WHERE id = ?').run(text, id),
  }))

  it('updates each shape of patch through its own prepared statement, column values intact', () => {
    repo.insert(record('acc-a'))
    repo.insert(record('acc-b'))
    expect(repo.update('acc-a' as AccountId, { status: 'connected', statusSince: 7, wantRunning: true })).toMatchObject({ status: 'connected', statusSince: 7, wantRunning: true })
    // The same shape again, for another account: the cached statement binds this call's values.
    expect(repo.update('acc-b' as AccountId, { status: 'stopped', statusSince: 9, wantRunning: false })).toMatchObject({ status: 'stopped', wantRunning: false })
    expect(repo.update('acc-a' as AccountId, { movedTo: { target: 'https://b.example', at: 5 }, lastError: 'x' })).toMatchObject({
      movedTo: { target: 'https://b.example', at: 5 },
      lastError: 'x',
      status: 'connected',
    })
    expect(repo.update('acc-a' as AccountId, { movedTo: null, lastError: null }).movedTo).toBeNull()
    expect(repo.get('acc-a' as AccountId)).toMatchObject({ status: 'connected', wantRunning: true, movedTo: null, lastError: null })
    expect(repo.get('acc-b' as AccountId)).toMatchObject({ status: 'stopped', statusSince: 9, wantRunning: false })
    opened.batch.flush()
    expect(opened.sqlite.prepare("SELECT want_running AS w FROM accounts WHERE id = 'acc-a'").get()).toEqual({ w: 1 })
  })

  it('keeps a turn\'s changes in memory and commits them together when the turn ends; they survive a reopen', async () => {
    repo.insert(record('acc-a'))
    repo.insert(record('acc-b'))
    const status = opened.sqlite.prepare<[string], { status: string; label: string }>('SELECT status, label FROM accounts WHERE id = ?')
    let updates = 0
    opened.sqlite.function('count_update', () => ++updates)
    opened.sqlite.exec('CREATE TEMP TRIGGER count_updates AFTER UPDATE ON accounts BEGIN SELECT count_update(); END')
    repo.update('acc-a' as AccountId, { status: 'connecting' })
    repo.update('acc-a' as AccountId, { status: 'connected', label: 'Alpha' })
    repo.update('acc-b' as AccountId, { status: 'connected' })
    // Read back at once from memory; the table has not seen them yet.
    expect(repo.get('acc-a' as AccountId)).toMatchObject({ status: 'connected', label: 'Alpha' })
    expect(status.get('acc-a')).toEqual({ status: 'new', label: 'acc-a' })
    await new Promise((resolve) => setImmediate(resolve))
    // One UPDATE per account with every column it changed: the two changes of acc-a are one.
    expect(updates).toBe(2)
    expect(status.get('acc-a')).toEqual({ status: 'connected', label: 'Alpha' })
    expect(status.get('acc-b')).toEqual({ status: 'connected', label: 'acc-b' })

    repo.update('acc-b' as AccountId, { status: 'stopped' })
    opened.close()
    opened = openDatabase({ file: join(dir, 'irish.db'), dataKey: key })
    expect(createAccountRepository(opened.db, opened.batch).get('acc-b' as AccountId)).toMatchObject({ status: 'stopped' })
  })

  it('ignores undefined fields, and an empty patch returns the record unchanged', () => {
    repo.insert(record('acc-a', { label: 'Alpha' }))
    expect(repo.update('acc-a' as AccountId, { label: undefined, name: 'N' })).toMatchObject({ label: 'Alpha', name: 'N' })
    expect(repo.update('acc-a' as AccountId, {})).toMatchObject({ label: 'Alpha', name: 'N' })
  })

  it('refuses an update of an account that does not exist, with or without changes', () => {
    expect(() => repo.update('acc-none' as AccountId, { label: 'x' })).toThrow(/There is no account "acc-none"/)
    expect(() => repo.update('acc-none' as AccountId, {})).toThrow(/There is no account "acc-none"/)
    expect(repo.get('acc-none' as AccountId)).toBeUndefined()
  })
})

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../shared/testing/account-summary'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { createActivityLog, describeChange } from './activity-log'
import { commandObserver, watchSessions } from './wiring'

const A = 'acc-a' as AccountId
const B = 'acc-b' as AccountId

const summary = (patch: Partial<AccountSummary> = {}): AccountSummary => accountSummary(A, { label: 'Alpha', ...patch })

let dir: string
let database: OpenedDatabase
let clock = 1000
let key: Buffer

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'irish-activity-'))
  key = randomBytes(32)
  database = openDatabase({ file: join(dir, 'irish.db'), dataKey: Buffer.from(key) })
})
afterEach(() => {
  database.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('activity log', () => {
  it('keeps entries per account, newest first, bounded, and across a reopen', () => {
    const log = createActivityLog({ sqlite: database.sqlite, now: () => clock++, perAccount: 5 })
    for (let i = 1; i <= 8; i++) log.record({ account: A, kind: 'status', message: `a${i}`, actor: 'system' })
    log.record({ account: B, kind: 'command', message: 'b1', actor: 'ui' })
    expect(log.list(A).map((e) => e.message)).toEqual(['a8', 'a7', 'a6', 'a5', 'a4'])
    expect(log.list(A, 2).map((e) => e.message)).toEqual(['a8', 'a7'])
    expect(log.list(B)).toEqual([expect.objectContaining({ message: 'b1', actor: 'ui', kind: 'command', code: null })])

    database.close()
    database = openDatabase({ file: join(dir, 'irish.db'), dataKey: Buffer.from(key) })
    expect(createActivityLog({ sqlite: database.sqlite }).list(A, 1).map((e) => e.message)).toEqual(['a8'])
  })

  it('forgets an account', () => {
    const log = createActivityLog({ sqlite: database.sqlite })
    log.record({ account: A, kind: 'status', message: 'x', actor: 'system' })
    log.forget(A)
    expect(log.list(A)).toEqual([])
  })
})

describe('describeChange', () => {
  it('names a status change with its reason and code when it went wrong', () => {
    const entries = describeChange(
      summary({ status: 'connected' }),
      summary({ status: 'logged-out', lastError: 'WhatsApp logged this device out', lastDisconnectCode: 401 }),
    )
    expect(entries).toEqual([{ kind: 'status', message: 'Logged out: WhatsApp logged this device out', code: 401 }])
  })
  it('notes reconnect attempts, pairing and a move', () => {
    expect(describeChange(summary({ status: 'reconnecting', reconnectCount: 1 }), summary({ status: 'reconnecting', reconnectCount: 2, lastDisconnectCode: 408 }))).toEqual([
      { kind: 'reconnect', message: 'Reconnect attempt 2', code: 408 },
    ])
    expect(describeChange(summary({ status: 'pairing' }), summary({ status: 'connected', pairedAt: 5, phone: '1555' })).map((e) => e.message)).toEqual([
      'Paired as +1555',
      'Connected',
    ])
    expect(describeChange(summary({ status: 'stopped' }), summary({ status: 'moved', movedTo: { target: 'https://b.example', at: 1 } }))[0]).toMatchObject({
      kind: 'transfer',
      message: 'Moved to https://b.example',
    })
  })
  it('says nothing when nothing it tracks changed', () => {
    expect(describeChange(summary({ status: 'connected' }), summary({ status: 'connected', label: 'Renamed' }))).toEqual([])
  })
})

describe('wiring', () => {
  it('records session events as the system, and forgets a removed account', () => {
    const log = createActivityLog({ sqlite: database.sqlite })
    const events = createEventBus(silentLogger())
    const stop = watchSessions(events, log, [summary({ status: 'stopped' })], silentLogger())
    events.emit('accounts:changed', summary({ status: 'connecting' }))
    events.emit('accounts:changed', summary({ status: 'connected' }))
    expect(log.list(A).map((e) => [e.actor, e.message])).toEqual([
      ['system', 'Connected'],
      ['system', 'Connecting'],
    ])
    events.emit('accounts:removed', { id: A })
    expect(log.list(A)).toEqual([])
    stop()
    events.emit('accounts:changed', summary({ status: 'stopped' }))
    expect(log.list(A)).toEqual([])
  })

  it('records account commands with who asked and how they ended; ignores others', () => {
    const log = createActivityLog({ sqlite: database.sqlite })
    const observe = commandObserver(log, silentLogger())
    observe({ command: 'accounts:stop', input: { id: A }, caller: 'ui', result: { ok: true, value: summary() } })
    observe({ command: 'accounts:start', input: { id: A }, caller: 'cli', result: { ok: false, error: { code: 'conflict', message: 'already running' } } })
    observe({ command: 'accounts:add', input: {}, caller: 'api', result: { ok: true, value: summary({ id: B }) } })
    observe({ command: 'accounts:list', input: {}, caller: 'api', result: { ok: true, value: [] } })
    expect(log.list(A).map((e) => [e.actor, e.kind, e.message])).toEqual([
      ['cli', 'error', 'Start: failed (already running)'],
      ['ui', 'command', 'Stop: done'],
    ])
    expect(log.list(B).map((e) => e.message)).toEqual(['Added: done'])
  })
})

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountSummary, PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { accountSummary } from '../../../../test/support/account-summary'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { describeChange } from './activity-log'
import { createSqliteActivityLog as createActivityLog } from './sqlite-activity-log'
import { commandObserver, watchSessions } from './wiring'
import { describeActivityLogContract } from '../../../../test/support/activity-log-contract'

const A = 'acc-a' as AccountId
const B = 'acc-b' as AccountId

const summary = (patch: Partial<AccountSummary> = {}): AccountSummary => accountSummary(A, { label: 'Alpha', ...patch })

let dir: string
let database: OpenedDatabase
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

describeActivityLogContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'irish-activity-contract-'))
  const file = join(dir, 'irish.db')
  const dataKey = randomBytes(32)
  let opened = openDatabase({ file, dataKey: Buffer.from(dataKey) })
  return {
    open: (options) => createActivityLog({ sqlite: opened.sqlite, batch: opened.batch, ...options }),
    async reopen() {
      opened.close()
      opened = openDatabase({ file, dataKey: Buffer.from(dataKey) })
    },
    async cleanup() {
      opened.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
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
  it('says an account that arrives already paired was imported, not paired here', () => {
    const imported = describeChange(undefined, summary({ status: 'stopped', pairedAt: 5, phone: '1555' }))
    expect(imported.map((e) => [e.kind, e.message])).toEqual([
      ['transfer', 'Imported (paired as +1555)'],
      ['status', 'Stopped'],
    ])
    expect(imported.map((e) => e.message).join()).not.toContain('Paired')
  })

  it('says nothing when nothing it tracks changed', () => {
    expect(describeChange(summary({ status: 'connected' }), summary({ status: 'connected', label: 'Renamed' }))).toEqual([])
  })
})

describe('wiring', () => {
  it('records session events as the system, and forgets a removed account', async () => {
    const log = createActivityLog({ sqlite: database.sqlite, batch: database.batch })
    const events = createEventBus(silentLogger())
    const stop = watchSessions(events, log, [summary({ status: 'stopped' })], silentLogger())
    events.emit('accounts:changed', summary({ status: 'connecting' }))
    events.emit('accounts:changed', summary({ status: 'connected' }))
    expect((await log.list(A)).map((e) => [e.actor, e.message])).toEqual([
      ['system', 'Connected'],
      ['system', 'Connecting'],
    ])
    events.emit('accounts:removed', { id: A })
    expect(await log.list(A)).toEqual([])
    stop()
    events.emit('accounts:changed', summary({ status: 'stopped' }))
    expect(await log.list(A)).toEqual([])
  })

  it('says which pairing shows: QR codes, or a linking code (never the code itself)', async () => {
    const log = createActivityLog({ sqlite: database.sqlite, batch: database.batch })
    const events = createEventBus(silentLogger())
    const stop = watchSessions(events, log, [summary({ status: 'new' })], silentLogger())
    const pairing = (patch: Partial<PairingState>): PairingState => ({
      id: A, qr: null, expiresAt: null, status: 'pairing', method: 'qr', code: null, codeExpiresAt: null, phone: null, passkey: null, passkeyError: null, ...patch,
    })
    events.emit('accounts:changed', summary({ status: 'pairing' }))
    events.emit('accounts:qr', pairing({ method: 'code', qr: 'ref-1' }))
    events.emit('accounts:qr', pairing({ method: 'code', qr: 'ref-1', code: 'ABCD-EFGH', phone: '15551234567' }))
    events.emit('accounts:qr', pairing({ method: 'code', qr: 'ref-2', code: 'ABCD-EFGH', phone: '15551234567' }))
    const codeLines = (await log.list(A)).map((e) => e.message)
    expect(codeLines).toEqual(['Showing a linking code to type on the phone +15551234567', 'Waiting to be paired'])
    expect(codeLines.join()).not.toMatch(/QR|ABCD/)

    events.emit('accounts:changed', summary({ status: 'stopped' }))
    events.emit('accounts:changed', summary({ status: 'pairing' }))
    events.emit('accounts:qr', pairing({ qr: 'ref-3' }))
    events.emit('accounts:qr', pairing({ qr: 'ref-4' }))
    expect((await log.list(A)).map((e) => e.message).slice(0, 2)).toEqual(['Showing QR codes to scan', 'Waiting to be paired'])
    stop()
  })

  it('writes only what this process is to record (a fleet server skips relayed events) but keeps following them', async () => {
    const log = createActivityLog({ sqlite: database.sqlite, batch: database.batch })
    const events = createEventBus(silentLogger())
    let relayed = false
    const stop = watchSessions(events, log, [summary({ status: 'stopped' })], silentLogger(), () => !relayed)
    relayed = true
    events.emit('accounts:changed', summary({ status: 'connected' }))
    events.emit('accounts:removed', { id: B })
    relayed = false
    log.record({ account: B, kind: 'status', message: 'kept', actor: 'system' })
    // Compared with the relayed summary, not the initial one: "Stopped", not a second "Connected".
    events.emit('accounts:changed', summary({ status: 'stopped' }))
    expect((await log.list(A)).map((e) => e.message)).toEqual(['Stopped'])
    expect((await log.list(B)).map((e) => e.message)).toEqual(['kept'])
    stop()
  })

  it('records account commands with who asked and how they ended; ignores others', async () => {
    const log = createActivityLog({ sqlite: database.sqlite, batch: database.batch })
    const observe = commandObserver(log, silentLogger())
    observe({ command: 'accounts:stop', input: { id: A }, caller: 'ui', result: { ok: true, value: summary() } })
    observe({ command: 'accounts:start', input: { id: A }, caller: 'cli', result: { ok: false, error: { code: 'conflict', message: 'already running' } } })
    observe({ command: 'accounts:add', input: {}, caller: 'api', result: { ok: true, value: summary({ id: B }) } })
    observe({ command: 'accounts:list', input: {}, caller: 'api', result: { ok: true, value: [] } })
    expect((await log.list(A)).map((e) => [e.actor, e.kind, e.message])).toEqual([
      ['cli', 'error', 'Start: failed (already running)'],
      ['ui', 'command', 'Stop: done'],
    ])
    expect((await log.list(B)).map((e) => e.message)).toEqual(['Added: done'])
  })

  it('records a bulk command once per account it reached, with who asked; none for unknown ids or a refused call', async () => {
    const log = createActivityLog({ sqlite: database.sqlite, batch: database.batch })
    const observe = commandObserver(log, silentLogger())
    const C = 'acc-c' as AccountId
    observe({
      command: 'accounts:bulk',
      input: { ids: [A, B, C], action: 'logout' },
      caller: 'ui',
      result: {
        ok: true,
        value: [
          { id: A, ok: true, account: summary() },
          { id: B, ok: false, error: { code: 'conflict', message: 'busy' } },
          { id: C, ok: false, error: { code: 'not-found', message: 'There is no account "acc-c".' } },
        ],
      },
    })
    observe({ command: 'accounts:bulk', input: { ids: [A], action: 'stop' }, caller: 'api', result: { ok: false, error: { code: 'invalid-input', message: 'no' } } })
    expect((await log.list(A)).map((e) => [e.actor, e.kind, e.message])).toEqual([['ui', 'command', 'Log out (with other selected accounts): done']])
    expect((await log.list(B)).map((e) => [e.actor, e.kind, e.message])).toEqual([['ui', 'error', 'Log out (with other selected accounts): failed (busy)']])
    expect(await log.list(C)).toEqual([])
  })
})

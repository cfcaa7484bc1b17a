// The doctor's derivation, start verdicts and decryption bookkeeping, on a clock the test moves: each
// fact the session code reports, and the condition an account shows for it (docs/session-doctor.md).
// The same facts from real Baileys against the simulator: test/doctor-*.test.ts.

import { describe, expect, it } from 'vitest'
import { CONDITION_CODES, type AccountCondition, type PairingState } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import type { AccountRecord } from '../accounts/account-repository'
import { DEFAULT_SEND_LIMITS } from '../sends/limits'
import { DecryptBook, DEFAULT_DECRYPT_OPTIONS } from './decrypt-book'
import { createDoctor, isNewCondition, passkeyPhase } from './doctor'
import { CONDITION_WORDS, formatUtc } from './words'

const ID = 'acc-doctor' as AccountId

function world(stored: AccountCondition | null = null) {
  let now = 1_000_000
  const doctor = createDoctor({ stored: () => stored, now: () => now, options: { reachOutHoldMs: 60_000 } })
  const record = (patch: Partial<AccountRecord> = {}): AccountRecord => ({
    id: ID,
    label: 'Front desk',
    phone: '15550001111',
    name: null,
    status: 'connected',
    statusSince: 0,
    lastError: null,
    lastDisconnectCode: null,
    reconnectCount: 0,
    createdAt: 0,
    pairedAt: 1,
    lastConnectedAt: 1,
    wantRunning: true,
    movedTo: null,
    proxy: null,
    limits: DEFAULT_SEND_LIMITS,
    condition: null,
    tags: [],
    ...patch,
  })
  return { doctor, record, advance: (ms: number) => (now += ms), now: () => now }
}

describe('the doctor', () => {
  it('has a title and a remedy for every condition code', () => {
    for (const code of CONDITION_CODES) {
      expect(CONDITION_WORDS[code].title.length).toBeGreaterThan(3)
      expect(CONDITION_WORDS[code].remedy.length).toBeGreaterThan(10)
    }
  })

  it('shows a retried close while the account reconnects, keeps its start across attempts, and drops it on open', () => {
    const { doctor, record, advance, now } = world()
    const start = now()
    doctor.closed(ID, 'retry', 503, { attempt: 0, method: 'qr' })
    const first = doctor.derive(record({ status: 'reconnecting' }))
    expect(first).toMatchObject({ code: 'server-error', automatic: 'Reconnecting with backoff (attempt 1)', since: start, until: null })
    advance(5000)
    doctor.closed(ID, 'retry', 503, { attempt: 1, method: 'qr' })
    const second = doctor.derive(record({ status: 'reconnecting', condition: first }))
    expect(second).toMatchObject({ code: 'server-error', automatic: 'Reconnecting with backoff (attempt 2)', since: start })
    // Only the attempt changed: the same condition going on, not news for the log.
    expect(isNewCondition(first, second)).toBe(false)
    doctor.closed(ID, 'retry', 428, { attempt: 2, method: 'qr' })
    expect(doctor.derive(record({ status: 'reconnecting' }))?.code).toBe('unreachable')
    doctor.opened(ID)
    expect(doctor.derive(record({ status: 'connected' }))).toBeNull()
  })

  it('shows a proxy that failed the connection with its host, keeps its start across attempts, and drops it on open, stop or a new proxy', () => {
    const { doctor, record, advance, now } = world()
    const start = now()
    const failure = { host: '127.0.0.1:1080', why: 'ECONNREFUSED', closeCode: 408, attempt: 0 }
    doctor.closed(ID, 'retry', 408, { attempt: 0, method: 'qr' })
    doctor.proxyFailed(ID, { ...failure, retryInMs: 2400 })
    const first = doctor.derive(record({ status: 'reconnecting' }))
    expect(first).toMatchObject({ code: 'proxy-unreachable', title: 'Proxy unreachable', until: null, since: start, automatic: 'Trying the proxy again in 2 s' })
    expect(first!.detail).toBe('The proxy 127.0.0.1:1080 failed the connection: ECONNREFUSED. The account does not connect without it.')
    advance(5000)
    doctor.proxyFailed(ID, { ...failure, attempt: 1, retryInMs: 9000 })
    const second = doctor.derive(record({ status: 'reconnecting', condition: first }))
    expect(second).toMatchObject({ code: 'proxy-unreachable', since: start, automatic: 'Trying the proxy again in 9 s' })
    expect(isNewCondition(first, second)).toBe(false)
    doctor.opened(ID)
    expect(doctor.derive(record({ status: 'connected' }))).toBeNull()

    doctor.proxyFailed(ID, { ...failure, retryInMs: 1000 })
    doctor.stopped(ID)
    expect(doctor.derive(record({ status: 'stopped' }))).toBeNull()

    doctor.proxyFailed(ID, { ...failure, retryInMs: 1000 })
    doctor.proxyChanged(ID)
    expect(doctor.derive(record({ status: 'reconnecting' }))).toBeNull()
  })

  it('never lets a logged-out, banned or replaced account start by itself; re-pair or take back is the way', () => {
    const { doctor, record } = world()
    doctor.closed(ID, 'logged-out', 401, { attempt: 0, method: 'qr' })
    expect(doctor.derive(record({ status: 'logged-out' }))).toMatchObject({ code: 'logged-out', automatic: null })
    expect(doctor.judgeStart(record({ status: 'logged-out' }), { repair: false, takeBack: false })).toEqual({
      ok: false,
      message: expect.stringContaining('repair: true'),
    })
    expect(doctor.judgeStart(record({ status: 'logged-out' }), { repair: true, takeBack: false })).toEqual({ ok: true })
    // Taking back is for a session another client took: it cannot bring back deleted keys.
    expect(doctor.judgeStart(record({ status: 'logged-out' }), { repair: false, takeBack: true }).ok).toBe(false)

    doctor.closed(ID, 'fatal', 403, { attempt: 0, method: 'qr' })
    expect(doctor.derive(record({ status: 'failed' }))?.code).toBe('banned')
    doctor.closed(ID, 'replaced', 440, { attempt: 0, method: 'qr' })
    expect(doctor.judgeStart(record({ status: 'replaced' }), { repair: false, takeBack: true })).toEqual({ ok: true })
    doctor.started(ID)
    expect(doctor.derive(record({ status: 'connecting' }))).toBeNull()
  })

  it('splits "failed": an expired QR code is pairing-expired, in the method’s own words', () => {
    const { doctor, record } = world()
    doctor.closed(ID, 'qr-expired', 408, { attempt: 0, method: 'code' })
    expect(doctor.derive(record({ status: 'failed', pairedAt: null }))).toMatchObject({
      code: 'pairing-expired',
      detail: 'Nobody entered the linking code on the phone before it expired.',
    })
    expect(doctor.judgeStart(record({ status: 'failed' }), { repair: false, takeBack: false })).toEqual({ ok: true })
  })

  it('takes back what outlives a restart from the stored condition: a banned account stays refused', () => {
    const banned: AccountCondition = { code: 'banned', title: 'Banned by WhatsApp', detail: 'x', remedy: 'y', since: 5, until: null, automatic: null }
    const { doctor, record } = world(banned)
    expect(doctor.derive(record({ status: 'failed', condition: banned }))).toEqual(banned)
    expect(doctor.judgeStart(record({ status: 'failed', condition: banned }), { repair: false, takeBack: false }).ok).toBe(false)
  })

  it('shows an announced reach-out limit until its end, and a 463 without one for the hold', () => {
    const { doctor, record, advance, now } = world()
    const until = now() + 30_000
    expect(doctor.reachOutLock(ID, { active: true, until })).toBe(true)
    expect(doctor.reachOutLock(ID, { active: true, until })).toBe(false)
    expect(doctor.derive(record())).toMatchObject({ code: 'reach-out-limited', until, automatic: `Refusing texts to new contacts until ${formatUtc(until)}, without asking WhatsApp` })
    expect(doctor.reachOutRefused(ID)).toEqual({ until, announced: true })
    advance(30_000)
    expect(doctor.reachOut(ID)).toBeNull()
    expect(doctor.derive(record())).toBeNull()

    const refused = doctor.reachOutRefused(ID)
    expect(refused).toEqual({ until: now() + 60_000, announced: false })
    expect(doctor.derive(record())?.detail).toMatch(/did not say for how long/)
    expect(doctor.reachOutLock(ID, { active: false, until: null })).toBe(true)
    expect(doctor.reachOut(ID)).toBeNull()
  })

  it('reads the passkey step of a pairing state, and shows it while it lasts', () => {
    const state: PairingState = { id: ID, qr: null, expiresAt: null, status: 'pairing', method: 'qr', code: null, codeExpiresAt: null, phone: null, passkey: null, passkeyError: null }
    expect(passkeyPhase(state)).toBeNull()
    expect(passkeyPhase({ ...state, method: 'passkey', passkey: { phase: 'confirm', code: '1234-5678' } })).toBe('confirm')
    const { doctor, record } = world()
    expect(doctor.passkey(ID, 'required')).toBe(true)
    expect(doctor.derive(record({ status: 'pairing' }))?.code).toBe('passkey-required')
    expect(doctor.passkey(ID, null)).toBe(true)
    expect(doctor.derive(record({ status: 'pairing' }))).toBeNull()
  })
})

describe('decryption bookkeeping', () => {
  const options = { ...DEFAULT_DECRYPT_OPTIONS, raiseAt: 3, quietMs: 1000, waitMs: 5000, resetAfter: 2 }

  it('raises at the threshold, ends after a quiet spell with nothing waiting, and needs new failures to raise again', () => {
    const book = new DecryptBook(options)
    let now = 0
    book.failed('m1', 's@s.whatsapp.net', null, (now += 10))
    book.failed('m2', 's@s.whatsapp.net', null, (now += 10))
    expect(book.evaluate(now)).toBe(false)
    book.failed('m3', 's@s.whatsapp.net', null, (now += 10))
    expect(book.evaluate(now)).toBe(true)
    expect(book.shown).toMatchObject({ failures: 3, waiting: 3 })
    for (const id of ['m1', 'm2', 'm3']) expect(book.decrypted(id, 's@s.whatsapp.net', now)).toBe(true)
    // The last resend brings the figures up to date at once: nothing waits any more.
    expect(book.shown).toMatchObject({ failures: 3, waiting: 0 })
    expect(book.evaluate((now += 500))).toBe(true)
    expect(book.evaluate((now += 600))).toBe(false)
    // The same three failures are still in the window: they do not raise it a second time.
    expect(book.evaluate((now += 10))).toBe(false)
    expect(book.recovered).toBe(3)
  })

  it('raises for one message still waiting past the wait, and gives it up after the window', () => {
    const book = new DecryptBook(options)
    book.failed('lost', 's@s.whatsapp.net', null, 0)
    expect(book.evaluate(4999)).toBe(false)
    expect(book.evaluate(5000)).toBe(true)
    expect(book.waitingCount()).toBe(1)
    expect(book.evaluate(options.windowMs)).toBe(false)
    expect(book.lost).toBe(1)
  })

  it('resets a sender’s session after failures in a row, once per window; resends do not end the run, a new message does', () => {
    const book = new DecryptBook(options)
    const dev = '1555:1@s.whatsapp.net'
    expect(book.failed('a', 's@s.whatsapp.net', dev, 1)).toEqual([])
    expect(book.decrypted('a', 's@s.whatsapp.net', 1)).toBe(true)
    expect(book.failed('b', 's@s.whatsapp.net', dev, 2)).toEqual([dev])
    expect(book.resets).toBe(1)
    expect(book.failed('c', 's@s.whatsapp.net', dev, 3)).toEqual([])
    expect(book.failed('d', 's@s.whatsapp.net', dev, 4)).toEqual([])
    const other = new DecryptBook(options)
    other.failed('a', 't@lid', dev, 1)
    expect(other.decrypted('fresh', 't@lid', 1)).toBe(false)
    expect(other.failed('b', 't@lid', dev, 2)).toEqual([])
    expect(other.worstSenders(5)).toEqual([{ sender: 't@lid', failures: 2 }])
  })
})

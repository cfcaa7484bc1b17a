// The failed-token limits with a fake clock: per address with doubling waits, per token tried (a stale
// token retrying slows itself, not its address), one server-wide budget that addresses which succeeded
// before are spared, and bounded tables that never drop a record still holding something back.

import { describe, expect, it } from 'vitest'
import { clientKey, DEFAULT_FAILED_AUTH_POLICY, FailedAuthLimiter, type FailedAuthPolicy } from './failed-auth'

function limiter(overrides: Partial<FailedAuthPolicy> = {}) {
  let now = 1_000_000
  const policy = { ...DEFAULT_FAILED_AUTH_POLICY, freeFailures: 5, tokenFreeFailures: 3, serverFreeFailures: 1_000_000, ...overrides }
  const limits = new FailedAuthLimiter(policy, () => now)
  return {
    limits,
    advance: (ms: number) => void (now += ms),
  }
}

let guesses = 0
const guess = (): string => `guess-${(guesses += 1)}`

describe('per address', () => {
  it('allows the free failures, then makes the address wait 1 s, 2 s, 4 s … even with the right token', () => {
    const { limits, advance } = limiter()
    for (let i = 0; i < 5; i += 1) {
      expect(limits.check('10.0.0.1', 'x')).toEqual({ ok: true })
      limits.recordFailure('10.0.0.1', guess())
    }
    expect(limits.check('10.0.0.1', 'right')).toEqual({ ok: true })
    limits.recordFailure('10.0.0.1', guess())
    expect(limits.check('10.0.0.1', 'right')).toEqual({ ok: false, reason: 'address', retryAfterMs: 1_000 })
    advance(1_000)
    limits.recordFailure('10.0.0.1', guess())
    expect(limits.check('10.0.0.1', 'right')).toMatchObject({ ok: false, retryAfterMs: 2_000 })
    advance(2_000)
    limits.recordFailure('10.0.0.1', guess())
    expect(limits.check('10.0.0.1', 'right')).toMatchObject({ ok: false, retryAfterMs: 4_000 })
    // Another address is not held back.
    expect(limits.check('10.0.0.2', 'right')).toEqual({ ok: true })
  })

  it('starts the waits again from 1 s once the address has recovered its free failures', () => {
    const { limits, advance } = limiter()
    for (let i = 0; i < 8; i += 1) limits.recordFailure('10.0.0.1', guess())
    advance(60_000 + 8_000)
    for (let i = 0; i < 6; i += 1) limits.recordFailure('10.0.0.1', guess())
    expect(limits.check('10.0.0.1', null)).toMatchObject({ ok: false, retryAfterMs: 1_000 })
  })

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as the IPv4 one', () => {
    expect(clientKey('2001:db8::1')).toBe(clientKey('2001:db8::ffff:2'))
    expect(clientKey('2001:db8::1')).not.toBe(clientKey('2001:db8:0:1::1'))
    expect(clientKey('::ffff:127.0.0.9')).toBe('127.0.0.9')
    const { limits } = limiter()
    for (let i = 0; i < 6; i += 1) limits.recordFailure(`2001:db8::${i + 1}`, guess())
    expect(limits.check('2001:db8::abcd', 'right')).toMatchObject({ ok: false, reason: 'address' })
  })

  it('never forgets a blocked address because thousands of others failed after it', () => {
    const { limits, advance } = limiter({ maxAddresses: 100 })
    for (let i = 0; i < 6; i += 1) limits.recordFailure('10.9.9.9', guess())
    expect(limits.check('10.9.9.9', 'right')).toMatchObject({ ok: false, reason: 'address' })
    for (let i = 0; i < 20_000; i += 1) {
      limits.recordFailure(`127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, guess())
      if (i % 1000 === 0) advance(1)
    }
    expect(limits.check('10.9.9.9', 'right')).toMatchObject({ ok: false, reason: 'address' })
    expect(limits.tracked.addresses).toBeLessThanOrEqual(100)
  })

  it('puts newcomers into one shared record when every slot holds a waiting address', () => {
    const { limits } = limiter({ maxAddresses: 3 })
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) for (let i = 0; i < 6; i += 1) limits.recordFailure(address, guess())
    // The table is full of waiting addresses: the newcomers share one record and wait together.
    for (let i = 0; i < 6; i += 1) limits.recordFailure(`10.0.1.${i}`, guess())
    expect(limits.check('10.0.2.1', 'right')).toMatchObject({ ok: false, reason: 'address' })
    expect(limits.check('10.0.0.1', 'right')).toMatchObject({ ok: false, reason: 'address' })
    expect(limits.tracked.addresses).toBe(3)
  })

  it('forgets an address that has recovered, when room is needed', () => {
    const { limits, advance } = limiter({ maxAddresses: 2 })
    limits.recordFailure('10.0.0.1', guess())
    limits.recordFailure('10.0.0.2', guess())
    advance(60_000)
    limits.recordFailure('10.0.0.3', guess())
    expect(limits.tracked.addresses).toBe(2)
  })
})

describe('per token tried', () => {
  it('slows a stale token that keeps being sent, and not the other clients behind its address', () => {
    const { limits } = limiter()
    // A client with a revoked token retrying every few seconds, behind the same NAT as everyone else.
    for (let i = 0; i < 50; i += 1) {
      if (limits.check('192.0.2.1', 'revoked-token').ok) limits.recordFailure('192.0.2.1', 'revoked-token')
    }
    expect(limits.check('192.0.2.1', 'revoked-token')).toMatchObject({ ok: false, reason: 'token' })
    expect(limits.check('192.0.2.1', 'the-right-token')).toEqual({ ok: true })
    // Its first failure was counted against the address; its repeats were not.
    for (let i = 0; i < 4; i += 1) limits.recordFailure('192.0.2.1', guess())
    expect(limits.check('192.0.2.1', 'the-right-token')).toEqual({ ok: true })
    limits.recordFailure('192.0.2.1', guess())
    expect(limits.check('192.0.2.1', 'the-right-token')).toMatchObject({ ok: false, reason: 'address' })
  })

  it('gives nothing to a guesser: every new token counts against the address', () => {
    const { limits } = limiter()
    for (let i = 0; i < 6; i += 1) limits.recordFailure('192.0.2.7', guess())
    expect(limits.check('192.0.2.7', guess())).toMatchObject({ ok: false, reason: 'address' })
  })
})

describe('the server-wide budget', () => {
  it('stops comparing tokens from unknown addresses once spent, spares addresses that succeeded, and refills', () => {
    const { limits, advance } = limiter({ serverFreeFailures: 100 })
    limits.recordSuccess('127.0.0.1')
    let compared = 0
    for (let i = 0; i < 78_000; i += 1) {
      const address = `127.${1 + (i % 200)}.${(i >> 8) & 255}.${i & 255}`
      const token = guess()
      if (!limits.check(address, token).ok) continue
      compared += 1
      limits.recordFailure(address, token)
    }
    expect(compared).toBe(100)
    expect(limits.check('127.50.0.1', guess())).toMatchObject({ ok: false, reason: 'server', retryAfterMs: 600 })
    expect(limits.check('127.0.0.1', 'the-right-token')).toEqual({ ok: true })
    advance(600)
    expect(limits.check('127.50.0.1', guess())).toEqual({ ok: true })
  })
})

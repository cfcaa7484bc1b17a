import { describe, expect, it } from 'vitest'
import { backoffDelay, decideOnClose, DEFAULT_BACKOFF, MAX_RETRIES_BEFORE_FIRST_OPEN } from './reconnect-policy'

describe('decideOnClose', () => {
  const paired = { paired: true, attempt: 0, random: () => 0.5 }

  it('restarts at once on 515', () => {
    expect(decideOnClose(515, paired)).toEqual({ kind: 'restart' })
  })

  it('stops for good on 401 and 440', () => {
    expect(decideOnClose(401, paired)).toEqual({ kind: 'logged-out' })
    expect(decideOnClose(440, paired)).toEqual({ kind: 'replaced' })
  })

  it('treats 408 as an expired QR only before pairing', () => {
    expect(decideOnClose(408, { ...paired, paired: false })).toEqual({ kind: 'qr-expired' })
    expect(decideOnClose(408, paired).kind).toBe('retry')
  })

  it('retries transient failures and unknown codes', () => {
    for (const code of [428, 500, 503, undefined, 1006]) {
      expect(decideOnClose(code, paired).kind).toBe('retry')
    }
  })

  it('bounds the retries of a session that never connected here, and fails with the reason', () => {
    const fresh = { ...paired, connectedBefore: false }
    expect(decideOnClose(428, { ...fresh, attempt: MAX_RETRIES_BEFORE_FIRST_OPEN - 1 }).kind).toBe('retry')
    const given = decideOnClose(428, { ...fresh, attempt: MAX_RETRIES_BEFORE_FIRST_OPEN })
    expect(given).toEqual({ kind: 'fatal', message: expect.stringMatching(/not connected once in 7 attempts \(last: status 428\)\. Its credentials may be broken/) })
    expect(decideOnClose(undefined, { ...fresh, attempt: 50 })).toMatchObject({ kind: 'fatal', message: expect.stringContaining('closed without a status') })
    // A session that connected before keeps retrying through any outage.
    expect(decideOnClose(428, { ...paired, connectedBefore: true, attempt: 500 }).kind).toBe('retry')
  })

  it('does not retry 403 and 411', () => {
    expect(decideOnClose(403, paired).kind).toBe('fatal')
    expect(decideOnClose(411, paired).kind).toBe('fatal')
  })
})

describe('backoffDelay', () => {
  it('grows exponentially within the jitter band and is capped', () => {
    const low = (n: number) => backoffDelay(n, DEFAULT_BACKOFF, () => 0)
    const high = (n: number) => backoffDelay(n, DEFAULT_BACKOFF, () => 0.999999)
    expect(low(0)).toBe(500)
    expect(high(0)).toBe(1_000)
    expect(low(3)).toBe(4_000)
    expect(high(3)).toBe(8_000)
    expect(high(20)).toBe(60_000)
    expect(low(20)).toBe(30_000)
  })

  it('spreads retries with jitter', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(4, DEFAULT_BACKOFF, () => i / 20)))
    expect(delays.size).toBe(20)
  })
})

// How a failed command crosses the boundary (dispatch.ts toErrorInfo): an AppError as it is; the fleet's
// database gone or a statement cut off by its session limits as `unavailable` (503 with Retry-After over
// HTTP), never `internal`; anything else as `internal`, with no detail.

import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { silentLogger } from '../logger'
import { toErrorInfo } from './dispatch'

describe('toErrorInfo', () => {
  it('answers unavailable for a database that is down, restarting, or cut a statement off', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' })
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })
    const lock = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })
    const idle = Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), { code: '25P03' })
    const pool = new Error('timeout exceeded when trying to connect')
    const ended = new Error('Connection terminated unexpectedly')
    for (const err of [refused, shutdown, starting, timeout, lock, idle, pool, ended]) {
      expect(toErrorInfo(err, silentLogger(), 'accounts:send-text'), err.message).toEqual({
        code: 'unavailable',
        message: 'The database cannot be reached right now; retry in a few seconds.',
      })
    }
  })

  it('keeps an AppError as it is, and says nothing of an unexpected error', () => {
    expect(toErrorInfo(new AppError('conflict', 'Already running.'), silentLogger(), 'x')).toEqual({ code: 'conflict', message: 'Already running.' })
    const bug = Object.assign(new Error('column "x" does not exist'), { code: '42703' })
    expect(toErrorInfo(bug, silentLogger(), 'x')).toEqual({ code: 'internal', message: 'Something went wrong inside the app. The details are in its log.' })
  })
})

// The fault API itself: `POST /fault` and `DELETE /fault` over HTTP, and the same validation for the
// in-process `injectFault`: a bad body is a 400 naming the field, an unknown phone a 404, and a
// DELETE ends every kind at once.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisconnectReason } from '@whiskeysockets/baileys'
import { isAppError } from '../../shared/errors.js'
import { startSimulatorAdmin, type SimulatorAdmin } from '../admin.js'
import { closeSocket, createTestSocket, pairClient, useSimulator, waitForClose, waitForOpen, type PairedClient } from '../../../test/support/baileys-clients.js'
import type { Fault } from './fault.js'

const suite = useSimulator({ beforeAll, afterEach, afterAll })
let admin: SimulatorAdmin
let alice: PairedClient
const PHONE = '15550013001'

beforeAll(async () => {
  admin = await startSimulatorAdmin(suite.sim)
  // Paired once for the file: validation needs a known phone, and no test here leaves it unusable.
  alice = await pairClient(suite.sim, { phone: PHONE })
})
afterAll(async () => {
  await closeSocket(alice.sock)
  await admin.close()
})

async function call(method: 'POST' | 'DELETE', body: unknown) {
  const res = await fetch(`${admin.url}/fault`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('POST /fault', () => {
  it.each([
    ['not JSON', '{kind', /not valid JSON/],
    ['no kind', { phone: PHONE }, /kind: kind must be one of close, silence, bad-mac, reach-out-limit, lid/],
    ['an unknown kind', { phone: PHONE, kind: 'explode' }, /kind must be one of/],
    ['no phone', { kind: 'silence', seconds: 5 }, /phone: phone is required/],
    ['a phone that is not digits', { phone: '12ab', kind: 'silence', seconds: 5 }, /phone must be 5 to 15 digits/],
    ['a close code WhatsApp does not send', { phone: PHONE, kind: 'close', code: 404 }, /code: code must be one of 401, 403, 408, 428, 440, 500, 503, 515/],
    ['a close without code', { phone: PHONE, kind: 'close' }, /code: code must be one of/],
    ['a silence of 0 seconds', { phone: PHONE, kind: 'silence', seconds: 0 }, /seconds: seconds must be more than 0/],
    ['a silence over an hour', { phone: PHONE, kind: 'silence', seconds: 3601 }, /seconds: seconds must be at most 3600/],
    ['a silence without seconds', { phone: PHONE, kind: 'silence' }, /seconds: seconds is required/],
    ['seconds as text', { phone: PHONE, kind: 'reach-out-limit', seconds: '60' }, /seconds: seconds is required: a number of seconds/],
    ['a bad-mac count of 0', { phone: PHONE, kind: 'bad-mac', count: 0 }, /count: count must be at least 1/],
    ['a fractional bad-mac count', { phone: PHONE, kind: 'bad-mac', count: 1.5 }, /count: count must be a whole number/],
    ['a reach-out limit over a week', { phone: PHONE, kind: 'reach-out-limit', seconds: 7 * 86400 + 1 }, /seconds must be at most 604800/],
    ['a lid fault without on', { phone: PHONE, kind: 'lid' }, /on: on is required/],
    ['a mapping delay with on: false', { phone: PHONE, kind: 'lid', on: false, mappingAfterSeconds: 1 }, /mappingAfterSeconds only applies with on: true/],
    ['a field of another kind', { phone: PHONE, kind: 'silence', seconds: 5, count: 2 }, /Unrecognized key: "count"/],
  ])('answers %s with 400 and a message naming the problem', async (_what, body, message) => {
    const res = await call('POST', body)
    expect(res).toEqual({ status: 400, json: { error: { code: 'invalid-input', message: expect.stringMatching(message) } } })
  })

  it('answers an unknown phone with 404, for POST and DELETE', async () => {
    for (const [method, body] of [
      ['POST', { phone: '19990000001', kind: 'silence', seconds: 5 }],
      ['DELETE', { phone: '19990000001' }],
    ] as const) {
      expect(await call(method, body)).toEqual({ status: 404, json: { error: { code: 'not-found', message: 'No simulated account for +19990000001: pair a device for it first.' } } })
    }
  })

  it('validates the in-process call the same way', async () => {
    const rejection = await suite.sim.injectFault({ phone: PHONE, kind: 'bad-mac', count: -1 } as Fault).catch((err: unknown) => err)
    expect(isAppError(rejection) && rejection.toInfo()).toEqual({ code: 'invalid-input', message: 'count: count must be at least 1' })
    expect(() => suite.sim.clearFaults('nope')).toThrow(/phone must be 5 to 15 digits/)
  })
})

describe('DELETE /fault', () => {
  it('answers 400 without a phone, and lists nothing for a phone without faults', async () => {
    expect(await call('DELETE', {})).toMatchObject({ status: 400, json: { error: { message: expect.stringMatching(/phone: phone is required/) } } })
    expect(await call('DELETE', { phone: '+1 555 001 3001' })).toEqual({ status: 200, json: { phone: PHONE, cleared: [] } })
  })

  it('ends every kind at once, and a banned phone logs in again', async () => {
    const posted = await call('POST', { phone: PHONE, kind: 'silence', seconds: 600 })
    expect(posted).toEqual({ status: 200, json: { phone: PHONE, kind: 'silence', sockets: 1, until: expect.any(String) } })
    for (const body of [
      { kind: 'bad-mac', count: 3 },
      { kind: 'reach-out-limit', seconds: 600 },
      { kind: 'lid', on: true, mappingAfterSeconds: 0 },
      { kind: 'close', code: 403 },
    ]) {
      expect((await call('POST', { phone: PHONE, ...body })).status).toBe(200)
    }
    expect(await waitForClose(suite.track(createTestSocket(suite.sim, alice.store.clone())))).toBe(DisconnectReason.forbidden)

    expect(await call('DELETE', { phone: PHONE })).toEqual({ status: 200, json: { phone: PHONE, cleared: ['close', 'silence', 'bad-mac', 'reach-out-limit', 'lid'] } })
    expect(await call('DELETE', { phone: PHONE })).toEqual({ status: 200, json: { phone: PHONE, cleared: [] } })
    await waitForOpen(suite.track(createTestSocket(suite.sim, alice.store.clone())))
  })
})

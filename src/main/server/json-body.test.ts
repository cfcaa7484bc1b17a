// The JSON body of a command: a command's base64 field arrives as bytes decoded inside the body's own
// buffer; every other shape is parsed as JSON.parse would, for the schema to judge.

import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BodyJsonError, parseJsonBody } from './json-body'

describe('parseJsonBody', () => {
  it('hands over a large base64 field as the bytes it encodes, inside the body buffer', () => {
    const bundle = randomBytes(10 * 1024 * 1024 + 7)
    const body = Buffer.from(JSON.stringify({ passphrase: 'p', bundle: bundle.toString('base64'), start: false }))
    const parsed = parseJsonBody(body, 'bundle') as { bundle: Buffer; passphrase: string; start: boolean }
    expect(parsed.passphrase).toBe('p')
    expect(parsed.start).toBe(false)
    expect(Buffer.isBuffer(parsed.bundle)).toBe(true)
    expect(parsed.bundle.equals(bundle)).toBe(true)
    // No copy: the bytes are a view of the body's memory.
    expect(parsed.bundle.buffer).toBe(body.buffer)
  })

  it('leaves a field that is not plain base64 as the string it is (the command says what is wrong)', () => {
    for (const bundle of ['not base64!', 'abc', 'QUJD\\/A==', '']) {
      const body = Buffer.from(`{"bundle":"${bundle}"}`)
      expect(parseJsonBody(body, 'bundle')).toEqual(JSON.parse(`{"bundle":"${bundle}"}`))
    }
    expect(parseJsonBody(Buffer.from('{"bundle": 42}'), 'bundle')).toEqual({ bundle: 42 })
    expect(parseJsonBody(Buffer.from('[1,2]'), 'bundle')).toEqual([1, 2])
  })

  it('keeps a "__proto__" member as data', () => {
    const parsed = parseJsonBody(Buffer.from('{"__proto__": {"polluted": true}, "bundle": "QUJD"}'), 'bundle') as Record<string, unknown>
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    expect(Object.keys(parsed)).toEqual(['__proto__', 'bundle'])
  })

  it.each(['{"bundle": "QUJD"', '{"bundle" "QUJD"}', 'nope', ''])('refuses %j as not valid JSON, with or without a bytes field', (text) => {
    expect(() => parseJsonBody(Buffer.from(text), 'bundle')).toThrow(BodyJsonError)
    expect(() => parseJsonBody(Buffer.from(text))).toThrow(BodyJsonError)
  })
})

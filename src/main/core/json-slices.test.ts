// The JSON slice scanner: on any JSON object (generated), the members it finds parse to what JSON.parse
// gives, whatever the whitespace and escapes; and what is not JSON is refused.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { documentBounds, JsonSliceError, objectMembers, parseSlice } from './json-slices'

function membersOf(text: string): Array<[string, unknown]> {
  const buf = Buffer.from(text, 'utf8')
  const { start, end } = documentBounds(buf)
  return objectMembers(buf, start, end).map((m) => [m.key, parseSlice(buf, m.start, m.end)])
}

describe('objectMembers', () => {
  it('finds the members JSON.parse finds, in order, for any object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), fc.integer({ min: 0, max: 2 }), (object, indent) => {
        const text = JSON.stringify(object, null, indent)
        expect(membersOf(text)).toEqual(Object.entries(JSON.parse(text) as Record<string, unknown>))
      }),
      { numRuns: 500 },
    )
  })

  it('reads keys and strings with escaped quotes and backslashes', () => {
    expect(membersOf('{"a\\"b": "x\\\\", "c": ["\\"]", {"d": "}"}] }')).toEqual([
      ['a"b', 'x\\'],
      ['c', ['"]', { d: '}' }]],
    ])
  })

  it.each(['', '   ', '{"a": 1', '{"a" 1}', '{"a": 1,}', '{a: 1}', '{"a": "1}', '{"a": 1} x', '{"a": tru}', '{"a": 1 "b": 2}'])('refuses %j', (text) => {
    expect(() => membersOf(text)).toThrow(JsonSliceError)
  })
})

import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { decodeSnapshotJson, encodeSnapshotJson, SnapshotJsonError } from './snapshot-codec'

const roundTrip = (value: unknown): unknown => decodeSnapshotJson(encodeSnapshotJson(value))

describe('snapshot codec', () => {
  it('keeps Buffer and Uint8Array as their own types, views included', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9])
    const back = roundTrip({ b: Buffer.from([1, 2]), u: backing.subarray(2, 5), list: [Buffer.alloc(0)] }) as Record<string, unknown>
    expect(Buffer.isBuffer(back['b'])).toBe(true)
    expect(back['b']).toEqual(Buffer.from([1, 2]))
    expect(Buffer.isBuffer(back['u'])).toBe(false)
    expect(back['u']).toBeInstanceOf(Uint8Array)
    expect([...(back['u'] as Uint8Array)]).toEqual([1, 2, 3])
    expect(Buffer.isBuffer((back['list'] as unknown[])[0])).toBe(true)
  })

  it('reads back plain objects that look like its own tags unchanged', () => {
    const tricky = {
      a: { type: 'Buffer', data: 'AAAA' },
      b: { type: 'Uint8Array', data: 'AAAA' },
      c: { type: 'Object', value: { type: 'Buffer', data: 'AAAA' } },
      d: { type: 'Buffer', data: 'AAAA', extra: 1 },
    }
    expect(roundTrip(tricky)).toStrictEqual(tricky)
  })

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>
    const back = roundTrip(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ polluted: true })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('follows JSON for undefined and non-finite numbers', () => {
    expect(roundTrip({ a: undefined, b: Number.NaN, c: [undefined, 1] })).toStrictEqual({ b: null, c: [null, 1] })
  })

  it('refuses values it cannot carry, naming where', () => {
    for (const bad of [{ n: 1n }, { f: () => 1 }, { s: Symbol('x') }, { f32: new Float32Array(2) }]) {
      const error = (() => {
        try {
          encodeSnapshotJson({ keys: bad })
        } catch (e) {
          return e
        }
        return null
      })()
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).message).toMatch(/snapshot\.keys\./)
    }
  })

  it('stops at a cycle instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    expect(() => encodeSnapshotJson(cyclic)).toThrow(/nested too deeply/)
  })

  it('refuses bytes it did not write', () => {
    for (const text of ['not json', '{"x":{"type":"Buffer","data":"!!"}}', '{"x":{"type":"Object","value":3}}']) {
      expect(() => decodeSnapshotJson(Buffer.from(text))).toThrow(SnapshotJsonError)
    }
  })
})

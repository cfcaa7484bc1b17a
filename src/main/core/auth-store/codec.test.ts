import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { aadFor, credsAad, decodeJson, decodeValue, encodeJson, encodeValue, keyAad } from './codec'
import { expectSameValue, sampleKeys } from '../../../../test/support/auth-store-contract'

describe('codec', () => {
  it('writes exactly what Baileys writes, and reads it back byte-identical', () => {
    const value = { creds: initAuthCreds(), keys: sampleKeys() }
    const text = encodeJson(value, 'test value')
    expect(text).toBe(JSON.stringify(value, BufferJSON.replacer))
    const back = decodeValue(encodeValue(value, 'test value')) as typeof value
    expectSameValue(back, value)
    const u8 = new Uint8Array([0, 1, 2, 255])
    const revived = decodeValue(encodeValue({ u8, buf: Buffer.from(u8) }, 'x')) as { u8: Uint8Array; buf: Buffer }
    expect(Buffer.isBuffer(revived.u8) && Buffer.isBuffer(revived.buf)).toBe(true)
    expect([...revived.u8]).toEqual([0, 1, 2, 255])
  })

  it('matches JSON.stringify(v, BufferJSON.replacer) byte for byte on the odd cases too', () => {
    const bytes = Buffer.from([9, 8, 7, 6, 5])
    const longLike = { low: 1, high: 2, unsigned: false, toJSON: () => '8589934593' }
    const withToJson = { toJSON: (key: string) => ({ key, buf: bytes }) }
    const cases: unknown[] = [
      proto.Message.AppStateSyncKeyData.fromObject({ keyData: bytes, fingerprint: { rawId: 3, deviceIndexes: [1] }, timestamp: 99 }),
      { a: undefined, f: () => 1, s: Symbol('x'), arr: [undefined, () => 1, null, 'x'] },
      { view: new Uint8Array(bytes.buffer, bytes.byteOffset + 1, 3), i16: new Int16Array([1, -2]) },
      { shaped: { type: 'Buffer', data: [1, 2, 3] }, shapedString: { type: 'Buffer', data: 'AQID' } },
      { date: new Date(0), boxed: [new Number(1), new String('s'), new Boolean(false)] },
      { map: new Map([[1, 2]]), set: new Set([1]), nullProto: Object.assign(Object.create(null), { z: bytes }) },
      { longLike, withToJson, nested: [[bytes, [bytes]]], digits: { '0': 1, '1': 2 } },
      bytes,
      'plain string',
      42,
      null,
    ]
    for (const value of cases) expect(encodeJson(value, 'case')).toBe(JSON.stringify(value, BufferJSON.replacer))
  })

  it('reads back what JSON.parse(text, BufferJSON.reviver) reads, on creds, keys and the odd cases', () => {
    const texts = [
      encodeJson({ creds: initAuthCreds(), keys: sampleKeys() }, 'x'),
      '{"digits":{"0":1,"1":2},"notAll":{"0":1,"a":2},"mixed":{"0":1,"1":"x"},"empty":{}}',
      '[{"type":"Buffer","data":"AQID"},{"type":"Buffer","data":[1,2,3]},[[{"type":"Buffer","data":""}]]]',
      '{"__proto__":{"type":"Buffer","data":"AQID"},"other":{"0":4}}',
      '{"type":"Buffer","data":"AQID","extra":true}',
      '"text"',
      '12',
      'null',
    ]
    for (const text of texts) {
      const ours = decodeJson(text)
      const baileys = JSON.parse(text, BufferJSON.reviver) as unknown
      expect(ours).toStrictEqual(baileys)
      if (typeof ours === 'object' && ours !== null) expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(baileys))
    }
  })

  it('writes a lone Buffer or Uint8Array value (the fast path) exactly as Baileys does', () => {
    class Tagged extends Uint8Array {}
    const values: unknown[] = [
      Buffer.alloc(0),
      Buffer.from([1]),
      Buffer.from([1, 2]),
      randomBytes(1200),
      new Uint8Array(randomBytes(33)),
      new Uint8Array(randomBytes(40).buffer, 3, 17),
      new Tagged([5, 6, 7]),
    ]
    for (const value of values) {
      const bytes = encodeValue(value, 'session "x"')
      expect(bytes.toString('utf8')).toBe(JSON.stringify(value, BufferJSON.replacer))
      expect(Buffer.from(decodeValue(bytes) as Uint8Array).equals(Buffer.from(value as Uint8Array))).toBe(true)
    }
  })

  it('rejects values that have no serialized form, naming the place', () => {
    expect(() => encodeJson(1n, 'The session key "x"')).toThrow(/The session key "x" cannot be stored/)
    expect(() => encodeJson(undefined, 'v')).toThrow(expect.objectContaining({ code: 'invalid-input' }))
  })

  it('builds the documented AAD bytes, unambiguous across field boundaries', () => {
    const expected = Buffer.concat([
      Buffer.from('irish-desktop/auth-store/v1'),
      Buffer.from([0, 0, 0, 3]), Buffer.from('key'),
      Buffer.from([0, 0, 0, 1]), Buffer.from('a'),
      Buffer.from([0, 0, 0, 7]), Buffer.from('session'),
      Buffer.from([0, 0, 0, 3]), Buffer.from('x:1'),
    ])
    expect(keyAad('a', 'session', 'x:1').equals(expected)).toBe(true)
    expect(aadFor(['ab', 'c']).equals(aadFor(['a', 'bc']))).toBe(false)
    expect(credsAad('a').equals(keyAad('a', '', ''))).toBe(false)
  })
})

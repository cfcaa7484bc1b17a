import { describe, expect, it } from 'vitest'
import { encodeFrame, FrameReader, FramingError } from './framing.js'

const WA = Buffer.from([0x57, 0x41, 0x06, 0x03])

function ed(routing: Buffer): Buffer {
  const len = Buffer.from([(routing.length >> 16) & 0xff, (routing.length >> 8) & 0xff, routing.length & 0xff])
  return Buffer.concat([Buffer.from('ED'), Buffer.from([0, 1]), len, routing, WA])
}

describe('FrameReader', () => {
  it('strips the WA intro once and splits several frames from one message', () => {
    const r = new FrameReader()
    const frames = r.push(Buffer.concat([WA, encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two'))]))
    expect(frames.map(String)).toEqual(['one', 'two'])
    // A second intro is read as a length prefix (0x574106, ~5.7 MB) and refused.
    expect(() => r.push(WA)).toThrow(/exceeds/)
  })

  it('parses the ED routing preamble and keeps the routing info', () => {
    const r = new FrameReader()
    const frames = r.push(Buffer.concat([ed(Buffer.from('edge-1')), encodeFrame(Buffer.from('hello'))]))
    expect(frames.map(String)).toEqual(['hello'])
    expect(r.routingInfo?.toString()).toBe('edge-1')
  })

  it('reassembles input delivered one byte at a time', () => {
    const r = new FrameReader()
    const all = Buffer.concat([ed(Buffer.from('x')), encodeFrame(Buffer.alloc(300, 1)), encodeFrame(Buffer.from('z'))])
    const got: Buffer[] = []
    for (const byte of all) got.push(...r.push(Buffer.from([byte])))
    expect(got.map((f) => f.length)).toEqual([300, 1])
  })

  it('rejects a bad intro, a bad header after routing info and an oversized prefix', () => {
    expect(() => new FrameReader().push(Buffer.from('GET /'))).toThrow(FramingError)
    expect(() => new FrameReader().push(Buffer.concat([Buffer.from('ED'), Buffer.from([0, 1, 0, 0, 1]), Buffer.from('r'), Buffer.from('XXXX')]))).toThrow(FramingError)
    expect(() => new FrameReader(1024).push(Buffer.concat([WA, Buffer.from([0, 4, 1])]))).toThrow(/exceeds/)
  })

  it('accepts a frame exactly at the limit', () => {
    expect(new FrameReader(16).push(Buffer.concat([WA, encodeFrame(Buffer.alloc(16))]))).toHaveLength(1)
  })
})

// Byte-level framing for the simulator's transport: the one-off intro header (with or without the
// `ED` routing preamble) and the 3-byte big-endian length prefix that wraps every frame.
// Pure and synchronous so hostile input can be unit-tested without a socket.

const WA_HEADER = Buffer.from([0x57, 0x41, 0x06, 0x03])
const ED_MARKER = Buffer.from([0x45, 0x44, 0x00, 0x01])

export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024

export class FramingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FramingError'
  }
}

/** Prefixes a payload with its 3-byte big-endian length. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.byteLength > 0xffffff) throw new FramingError('frame too large to encode')
  const out = Buffer.allocUnsafe(3 + payload.byteLength)
  out[0] = (payload.byteLength >>> 16) & 0xff
  out[1] = (payload.byteLength >>> 8) & 0xff
  out[2] = payload.byteLength & 0xff
  out.set(payload, 3)
  return out
}

/**
 * Accumulates WebSocket messages and yields whole frames. The client sends its intro exactly once,
 * glued to the first frame; routing info from an `ED` preamble is kept for inspection.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0)
  private introDone = false
  routingInfo: Buffer | null = null

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Returns every complete frame now available; throws FramingError on malformed input. */
  push(chunk: Uint8Array): Buffer[] {
    this.buffered = this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk])
    if (!this.introDone && !this.consumeIntro()) return []
    const frames: Buffer[] = []
    while (this.buffered.length >= 3) {
      const size = (this.buffered[0]! << 16) | (this.buffered[1]! << 8) | this.buffered[2]!
      // Checked before buffering the body so a lying prefix cannot make us hold megabytes.
      if (size > this.maxFrameBytes) throw new FramingError(`frame of ${size} bytes exceeds limit ${this.maxFrameBytes}`)
      if (this.buffered.length < 3 + size) break
      frames.push(this.buffered.subarray(3, 3 + size))
      this.buffered = this.buffered.subarray(3 + size)
    }
    return frames
  }

  private consumeIntro(): boolean {
    const b = this.buffered
    if (b.length < 4) {
      if (!isPrefixOf(b, WA_HEADER) && !isPrefixOf(b, ED_MARKER)) throw new FramingError('bad intro header')
      return false
    }
    if (b.subarray(0, 4).equals(WA_HEADER)) {
      this.buffered = b.subarray(4)
      this.introDone = true
      return true
    }
    if (!b.subarray(0, 4).equals(ED_MARKER)) throw new FramingError('bad intro header')
    if (b.length < 7) return false
    const len = (b[4]! << 16) | (b[5]! << 8) | b[6]!
    if (len > this.maxFrameBytes) throw new FramingError('routing info too large')
    if (b.length < 7 + len + 4) return false
    if (!b.subarray(7 + len, 11 + len).equals(WA_HEADER)) throw new FramingError('bad header after routing info')
    this.routingInfo = Buffer.from(b.subarray(7, 7 + len))
    this.buffered = b.subarray(11 + len)
    this.introDone = true
    return true
  }
}

function isPrefixOf(partial: Buffer, full: Buffer): boolean {
  return full.subarray(0, partial.length).equals(partial)
}

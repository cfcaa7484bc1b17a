// Spoils a Signal ciphertext the way a damaged message does: one bit of its MAC flipped, so the
// receiver's libsignal refuses it ("Bad MAC") without any session state being touched. The server
// never decrypts, so this is all it can do, and all a bad MAC needs.
//
// Layouts (libsignal's WhisperTextProtocol, as Baileys 7.0.0-rc14 sends them):
// - `msg`: version byte ‖ WhisperMessage protobuf ‖ 8-byte MAC. The MAC is the last byte.
// - `pkmsg`: version byte ‖ PreKeyWhisperMessage protobuf, whose field 4 (`message`) holds a whole
//   `msg` as above. Its fields are not in a fixed order, so the field is found by walking the protobuf.

/** A copy of `ciphertext` with its MAC spoiled; the input is left alone. */
export function spoilCiphertext(type: string, ciphertext: Uint8Array): Buffer {
  const out = Buffer.from(ciphertext)
  const macEnd = type === 'pkmsg' ? innerMessageEnd(out) : out.length
  if (macEnd <= 1) throw new Error(`cannot spoil a ${type} of ${out.length} bytes`)
  out[macEnd - 1]! ^= 0x01
  return out
}

/** The end offset of field 4 (bytes) of the PreKeyWhisperMessage after the version byte. */
function innerMessageEnd(buf: Buffer): number {
  let at = 1
  while (at < buf.length) {
    const [key, afterKey] = readVarint(buf, at)
    const field = key >>> 3
    const wire = key & 7
    if (wire === 0) {
      at = readVarint(buf, afterKey)[1]
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, afterKey)
      const end = start + length
      if (end > buf.length) break
      if (field === 4) return end
      at = end
    } else {
      break
    }
  }
  throw new Error('pkmsg has no inner message')
}

function readVarint(buf: Buffer, start: number): [value: number, next: number] {
  let value = 0
  let shift = 0
  let at = start
  while (at < buf.length) {
    const byte = buf[at++]!
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return [value, at]
    shift += 7
    if (shift > 49) break
  }
  throw new Error('truncated varint')
}

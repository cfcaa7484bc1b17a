// Reading a large JSON document in slices, so that it never exists whole as a JavaScript string (a 64 MiB
// text is a 64 MiB string, and JSON.parse then builds every value at once next to it). A scanner finds
// where each value of an object begins and ends in the UTF-8 bytes; the caller parses the small values
// with JSON.parse and goes down into the big ones. Used for session bundles (transfer/snapshot-codec.ts)
// and for the HTTP bodies that carry them (server/large-body.ts). Node only, no dependencies.
//
// The scanner only finds boundaries. It checks structure (braces, quotes, colons, commas), and every
// scalar and key is checked by JSON.parse on its slice, so what is accepted is valid JSON.

export class JsonSliceError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'JsonSliceError'
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

export function skipWhitespace(buf: Buffer, at: number, end: number): number {
  let i = at
  while (i < end && isWhitespace(buf[i])) i += 1
  return i
}

/** Just past the closing quote of the string that opens at `at`. */
function stringEnd(buf: Buffer, at: number, end: number): number {
  let quote = at
  for (;;) {
    quote = buf.indexOf(QUOTE, quote + 1)
    if (quote < 0 || quote >= end) throw new JsonSliceError('a string is not closed')
    // Escaped when an odd number of backslashes stands before it.
    let slashes = 0
    while (buf[quote - 1 - slashes] === BACKSLASH) slashes += 1
    if (slashes % 2 === 0) return quote + 1
  }
}

/** Just past the JSON value that starts at `at` (no whitespace before it). */
export function valueEnd(buf: Buffer, at: number, end: number): number {
  const first = buf[at]
  if (first === QUOTE) return stringEnd(buf, at, end)
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0
    for (let i = at; i < end; i += 1) {
      const byte = buf[i]
      if (byte === QUOTE) i = stringEnd(buf, i, end) - 1
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth += 1
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth -= 1
        if (depth === 0) return i + 1
      }
    }
    throw new JsonSliceError('an object or array is not closed')
  }
  let i = at
  while (i < end && !isWhitespace(buf[i]) && buf[i] !== COMMA && buf[i] !== CLOSE_OBJECT && buf[i] !== CLOSE_ARRAY) i += 1
  if (i === at) throw new JsonSliceError('a value is missing')
  return i
}

export interface Member {
  key: string
  /** The value's bytes: [start, end). */
  start: number
  end: number
}

/** The members of the object that spans [start, end) exactly, in order. */
export function objectMembers(buf: Buffer, start: number, end: number): Member[] {
  if (buf[start] !== OPEN_OBJECT || buf[end - 1] !== CLOSE_OBJECT) throw new JsonSliceError('an object was expected')
  const members: Member[] = []
  let i = skipWhitespace(buf, start + 1, end - 1)
  if (i === end - 1) return members
  for (;;) {
    if (buf[i] !== QUOTE) throw new JsonSliceError('a key was expected')
    const keyEnd = stringEnd(buf, i, end - 1)
    const key = parseSlice(buf, i, keyEnd) as string
    i = skipWhitespace(buf, keyEnd, end - 1)
    if (buf[i] !== COLON) throw new JsonSliceError('":" was expected')
    const valueStart = skipWhitespace(buf, i + 1, end - 1)
    const valueStop = valueEnd(buf, valueStart, end - 1)
    members.push({ key, start: valueStart, end: valueStop })
    i = skipWhitespace(buf, valueStop, end - 1)
    if (i === end - 1) return members
    if (buf[i] !== COMMA) throw new JsonSliceError('"," was expected')
    i = skipWhitespace(buf, i + 1, end - 1)
  }
}

/** JSON.parse of the bytes [start, end). */
export function parseSlice(buf: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(buf.toString('utf8', start, end))
  } catch {
    throw new JsonSliceError('not JSON')
  }
}

/** The bounds of the one value a document holds, without the whitespace around it. */
export function documentBounds(buf: Buffer): { start: number; end: number } {
  const start = skipWhitespace(buf, 0, buf.length)
  if (start === buf.length) throw new JsonSliceError('the document is empty')
  const end = valueEnd(buf, start, buf.length)
  if (skipWhitespace(buf, end, buf.length) !== buf.length) throw new JsonSliceError('something follows the value')
  return { start, end }
}

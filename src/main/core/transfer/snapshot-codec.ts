// Lossless JSON for an AuthSnapshot inside a session bundle: Buffers stay Buffers, Uint8Arrays stay
// Uint8Arrays (Baileys' BufferJSON turns both into Buffers and can mistake data for a tag). Bytes are
// base64 in tag objects; a plain object that happens to look like a tag is wrapped so it reads back as is.

import { AppError } from '../../../shared/errors'
import { documentBounds, JsonSliceError, objectMembers, parseSlice } from '../json-slices'

/** Deeper than any Baileys value; stops a cyclic or hostile tree before the stack does. */
const MAX_DEPTH = 64

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const TAG_BUFFER = 'Buffer'
const TAG_BYTES = 'Uint8Array'
const TAG_OBJECT = 'Object'

/** True for objects shaped like one of our tags; those get wrapped on the way in. */
function looksLikeTag(obj: Record<string, unknown>): boolean {
  const keys = Object.keys(obj)
  if (keys.length !== 2 || !keys.includes('type')) return false
  const type = obj['type']
  return (
    ((type === TAG_BUFFER || type === TAG_BYTES) && keys.includes('data')) ||
    (type === TAG_OBJECT && keys.includes('value'))
  )
}

function toJson(value: unknown, path: string, depth: number): Json | undefined {
  if (depth > MAX_DEPTH) {
    throw new AppError('invalid-input', `The account data is nested too deeply to export (at ${path}).`)
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  // Same as JSON: undefined properties disappear, so a snapshot reads back without them.
  if (value === undefined) return undefined
  if (Buffer.isBuffer(value)) return { type: TAG_BUFFER, data: value.toString('base64') }
  if (value instanceof Uint8Array) {
    return { type: TAG_BYTES, data: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => toJson(item, `${path}[${i}]`, depth + 1) ?? null)
  }
  if (typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    // Own enumerable fields, not toJSON(): a protobuf message's toJSON turns bytes into base64
    // strings and enums into names, which Baileys would not read back the same way.
    // No prototype: a "__proto__" key is then stored as data rather than swallowed by the setter.
    const out: Record<string, Json> = Object.create(null) as Record<string, Json>
    for (const [key, item] of Object.entries(value)) {
      const converted = toJson(item, `${path}.${key}`, depth + 1)
      if (converted !== undefined) out[key] = converted
    }
    return looksLikeTag(value as Record<string, unknown>) ? { type: TAG_OBJECT, value: out } : out
  }
  throw new AppError('invalid-input', `The account data holds a value that can't be exported (${typeof value} at ${path}).`)
}

/** Serializes a snapshot to UTF-8 JSON bytes. Throws invalid-input for values JSON can't carry. */
export function encodeSnapshotJson(snapshot: unknown): Buffer {
  return Buffer.from(JSON.stringify(toJson(snapshot, 'snapshot', 0)), 'utf8')
}

/** Raised for JSON that this codec did not write; the bundle reader turns it into a clear message. */
export class SnapshotJsonError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'SnapshotJsonError'
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function fromJson(value: Json, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SnapshotJsonError('nested too deeply')
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => fromJson(item, depth + 1))
  if (looksLikeTag(value)) {
    if (value['type'] === TAG_OBJECT) {
      const inner = value['value']
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
        throw new SnapshotJsonError('bad object wrapper')
      }
      return fromEntries(inner, depth)
    }
    const data = value['data']
    if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) {
      throw new SnapshotJsonError('bad byte string')
    }
    const bytes = Buffer.from(data, 'base64')
    return value['type'] === TAG_BUFFER ? bytes : new Uint8Array(bytes)
  }
  return fromEntries(value, depth)
}

function fromEntries(obj: { [key: string]: Json }, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(obj)) {
    // defineProperty, not assignment: a "__proto__" key stays data instead of changing the prototype.
    Object.defineProperty(out, key, { value: fromJson(item, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/**
 * How many levels of objects are read member by member rather than parsed whole: the snapshot, its
 * `keys`, and each key type. Below that every value (one key, one creds field) is small.
 */
const SLICED_LEVELS = 3

/**
 * Parses bytes written by encodeSnapshotJson. Throws SnapshotJsonError for anything else. The text is
 * read in slices (json-slices.ts): the large outer objects member by member, each small value with
 * JSON.parse, so a bundle's 60 MB of JSON never becomes one string and one tree beside the result.
 */
export function decodeSnapshotJson(bytes: Uint8Array): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  try {
    const { start, end } = documentBounds(buf)
    return decodeSlice(buf, start, end, SLICED_LEVELS, 0)
  } catch (error) {
    if (error instanceof JsonSliceError) throw new SnapshotJsonError(error.message)
    throw error
  }
}

function decodeSlice(buf: Buffer, start: number, end: number, sliced: number, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SnapshotJsonError('nested too deeply')
  if (sliced > 0 && buf[start] === 0x7b) {
    const members = objectMembers(buf, start, end)
    const keys = members.map((m) => m.key)
    // What may be a tag is small: fromJson reads it whole and decides what it is.
    const mayBeTag = keys.length === 2 && keys.includes('type') && (keys.includes('data') || keys.includes('value'))
    if (!mayBeTag) {
      const out: Record<string, unknown> = {}
      for (const member of members) {
        // defineProperty, not assignment: a "__proto__" key stays data instead of changing the prototype.
        const value = decodeSlice(buf, member.start, member.end, sliced - 1, depth + 1)
        Object.defineProperty(out, member.key, { value, enumerable: true, writable: true, configurable: true })
      }
      return out
    }
  }
  return fromJson(parseSlice(buf, start, end) as Json, depth)
}

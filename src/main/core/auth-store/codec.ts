// How auth values become bytes and back, and the AAD that binds a sealed value to its place.
// Main process, Electron-free. Shared by every built-in store so they all keep the same semantics.

import { BufferJSON } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'

/**
 * Serialization is Baileys' BufferJSON format, byte for byte what useMultiFileAuthState writes, so a value
 * moves between the file layout, the database and a snapshot without conversion. Consequences a caller
 * should know (they are Baileys' behaviour, kept on purpose):
 * - Buffers and Uint8Arrays both come back as Buffer (a Uint8Array subclass: same bytes, same indexes).
 * - Objects with a toJSON (protobuf messages, Long) are stored as what toJSON returns; the Baileys adapter
 *   rebuilds app-state-sync-key messages with fromObject, as useMultiFileAuthState does.
 * - BigInt, functions, symbols and circular structures cannot be stored: `encodeValue` rejects them.
 * - A plain object whose keys are all digits and values all numbers is revived as a Buffer.
 */
export function encodeJson(value: unknown, place: string): string {
  let text: string | undefined
  try {
    text = JSON.stringify(toBufferJsonShape(value, '', []))
  } catch (err) {
    throw new AppError('invalid-input', `${place} cannot be stored: ${(err as Error).message}.`, { cause: err })
  }
  if (typeof text !== 'string') {
    throw new AppError('invalid-input', `${place} cannot be stored: a ${typeof value} has no serialized form.`)
  }
  return text
}

/**
 * Produces what `JSON.stringify(value, BufferJSON.replacer)` would serialize, without its slow path:
 * JSON.stringify calls Buffer#toJSON first, which builds an array of one number per byte that the
 * replacer then turns back into a Buffer to base64 it (~3x slower on a 1.2 kB session, and garbage).
 * Here a Uint8Array goes straight to base64. Everything else follows JSON.stringify's order exactly:
 * toJSON(key) first, then Baileys' replacer test, then recursion; primitives, undefined, functions,
 * symbols and BigInt are left for JSON.stringify itself to handle (or to reject). codec.test.ts checks
 * the output is byte-identical to Baileys' on creds, every key shape and the odd cases.
 */
function toBufferJsonShape(value: unknown, key: string, ancestors: object[]): unknown {
  if (isPlainBytes(value)) return { type: 'Buffer', data: base64Of(value) }
  let v = value
  if ((typeof v === 'object' && v !== null) || typeof v === 'function' || typeof v === 'bigint') {
    const toJSON = (v as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') v = toJSON.call(v, key) as unknown
  }
  if (typeof v !== 'object' || v === null) return v
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return v
  // Baileys' replacer, kept verbatim in effect (including its treatment of Buffer-shaped objects).
  const shaped = v as { type?: unknown; data?: unknown }
  if (v instanceof Uint8Array || shaped.type === 'Buffer') {
    return { type: 'Buffer', data: Buffer.from((shaped.data || v) as Uint8Array).toString('base64') }
  }
  if (ancestors.includes(v)) throw new TypeError('Converting circular structure to JSON')
  ancestors.push(v)
  let out: unknown
  if (Array.isArray(v)) {
    out = v.map((item, i) => toBufferJsonShape(item, String(i), ancestors))
  } else {
    const obj: Record<string, unknown> = {}
    for (const k of Object.keys(v)) obj[k] = toBufferJsonShape((v as Record<string, unknown>)[k], k, ancestors)
    out = obj
  }
  ancestors.pop()
  return out
}

/** A Uint8Array (Buffer included) that JSON.stringify would serialize through Buffer#toJSON or not at all. */
function isPlainBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && (!('toJSON' in value) || value.toJSON === Buffer.prototype.toJSON)
}

const base64Of = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

export function decodeJson(text: string): unknown {
  if (typeof text !== 'string') throw new AppError('invalid-input', 'decodeJson needs the stored text of a value.')
  return JSON.parse(text, BufferJSON.reviver) as unknown
}

// What encodeJson produces for a lone Buffer, around its base64 (which never needs JSON escaping).
const BYTES_JSON_HEAD = Buffer.from('{"type":"Buffer","data":"', 'latin1')
const BYTES_JSON_TAIL = Buffer.from('"}', 'latin1')

export function encodeValue(value: unknown, place: string): Buffer {
  // Fast path for the commonest value (a serialized session or sender key is one Buffer): the same bytes
  // as Buffer.from(encodeJson(value), 'utf8'), i.e. as Baileys' JSON.stringify(value, BufferJSON.replacer),
  // assembled directly instead of building an object, running JSON.stringify over ~1.6 kB of base64 and
  // re-encoding that string as UTF-8 (4.7 µs -> 1.3 µs on a 1.2 kB session). Base64 never needs escaping.
  if (isPlainBytes(value)) {
    const b64 = base64Of(value)
    const out = Buffer.allocUnsafe(BYTES_JSON_HEAD.length + b64.length + BYTES_JSON_TAIL.length)
    BYTES_JSON_HEAD.copy(out, 0)
    out.write(b64, BYTES_JSON_HEAD.length, 'latin1')
    BYTES_JSON_TAIL.copy(out, BYTES_JSON_HEAD.length + b64.length)
    return out
  }
  return Buffer.from(encodeJson(value, place), 'utf8')
}

export function decodeValue(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new AppError('invalid-input', 'decodeValue needs the stored bytes of a value.')
  return decodeJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
}

/**
 * The additional authenticated data of a sealed value, exactly:
 *
 *   utf8("irish-desktop/auth-store/v1") || for each field: uint32-big-endian(byteLength(utf8(field))) || utf8(field)
 *
 * with fields
 *   a key:       "key",   account id, key type, key id
 *   creds:       "creds", account id
 *   key check:   "key-check"
 *
 * Length prefixes make the encoding unambiguous for any type or id (a NUL or a separator inside an id
 * cannot make two places share an AAD). The leading kind keeps a creds blob from opening as a key.
 */
const AAD_PREFIX = Buffer.from('irish-desktop/auth-store/v1', 'utf8')

export function aadFor(fields: readonly string[]): Buffer {
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) {
    throw new AppError('invalid-input', 'AAD fields must be an array of strings.')
  }
  return buildAad(fields)
}

/** The AAD bytes of string fields, in one allocation (this runs on every key read and write). */
function buildAad(fields: readonly string[]): Buffer {
  let size = AAD_PREFIX.length
  for (const field of fields) size += 4 + Buffer.byteLength(field, 'utf8')
  const out = Buffer.allocUnsafe(size)
  AAD_PREFIX.copy(out, 0)
  let at = AAD_PREFIX.length
  for (const field of fields) {
    const written = out.write(field, at + 4, 'utf8')
    out.writeUInt32BE(written, at)
    at += 4 + written
  }
  return out
}

function assertAadField(field: unknown): asserts field is string {
  if (typeof field !== 'string') throw new AppError('invalid-input', 'AAD fields must be an array of strings.')
}

export function keyAad(account: string, type: string, id: string): Buffer {
  assertAadField(account)
  assertAadField(type)
  assertAadField(id)
  return buildAad(['key', account, type, id])
}

export function credsAad(account: string): Buffer {
  assertAadField(account)
  return buildAad(['creds', account])
}
export const keyCheckAad = (): Buffer => aadFor(['key-check'])

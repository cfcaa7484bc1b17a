// How auth values become bytes and back (the AAD that binds a sealed value to its place is crypto/aad.ts).
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
  return revive(JSON.parse(text) as unknown)
}

/**
 * What `JSON.parse(text, BufferJSON.reviver)` gives, from the plain parse: Baileys' reviver applied to
 * every object and array after its children, as JSON.parse applies a reviver. A reviver makes V8 call back
 * into JavaScript for every value, primitives included; walking the objects alone afterwards is 3x faster
 * on a creds value (110 -> 34 µs), which every connect decodes. codec.test.ts compares the two.
 */
function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i])
  } else {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const child = record[key]
      const revived = revive(child)
      if (revived === child) continue
      // A parsed "__proto__" is an own property; plain assignment would set the prototype instead.
      if (key === '__proto__') Object.defineProperty(record, key, { value: revived, writable: true, enumerable: true, configurable: true })
      else record[key] = revived
    }
  }
  return BufferJSON.reviver('', value) as unknown
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

// The AAD of each sealed value (its place: account, type, id) is defined in crypto/aad.ts.
export { aadFor, credsAad, keyAad, keyCheckAad } from '../crypto/aad'

// The JSON body of a command. Node only. For a command that carries a file as base64 (a session bundle:
// up to 86 MB of text), that one field is decoded into bytes inside the body's own buffer, a few MiB at a
// time, and handed to the command as bytes: the body is never turned into a string, parsed into a second
// string, and decoded into a third copy (three times the body at once, before the import even began).

import { documentBounds, JsonSliceError, objectMembers, parseSlice } from '../core/json-slices'

/** Base64 characters turned into bytes per step (a multiple of 4): the most held twice at once. */
const STEP_CHARS = 4 * 1024 * 1024
const BASE64_RUN = /^[A-Za-z0-9+/]*$/
const BASE64_END = /^[A-Za-z0-9+/]*={0,2}$/
const QUOTE = 0x22

export class BodyJsonError extends Error {}

/**
 * Parses `body`. When `bytesField` is given and the body is an object whose member of that name is a
 * plain base64 string, that member becomes a Buffer over `body`'s own memory (which is overwritten). Any
 * other shape is parsed as it is, for the command's schema to judge.
 */
export function parseJsonBody(body: Buffer, bytesField?: string): unknown {
  try {
    if (bytesField === undefined) return JSON.parse(body.toString('utf8'))
    const { start, end } = documentBounds(body)
    if (body[start] !== 0x7b) return parseSlice(body, start, end)
    const out: Record<string, unknown> = {}
    // Decoding overwrites only the bytes field's own text (bytes are shorter than their base64).
    for (const member of objectMembers(body, start, end)) {
      const isBytes = member.key === bytesField && body[member.start] === QUOTE && isPlainBase64(body, member.start + 1, member.end - 1)
      const value = isBytes ? decodeBase64InPlace(body, member.start + 1, member.end - 1) : parseSlice(body, member.start, member.end)
      // defineProperty: a "__proto__" member stays data.
      Object.defineProperty(out, member.key, { value, enumerable: true, writable: true, configurable: true })
    }
    return out
  } catch (error) {
    if (error instanceof JsonSliceError || error instanceof SyntaxError) throw new BodyJsonError('The request body is not valid JSON.')
    throw error
  }
}

/** True for standard base64 with its padding, nothing escaped: what decodes with no surprise. */
function isPlainBase64(buf: Buffer, from: number, to: number): boolean {
  if (to === from || (to - from) % 4 !== 0) return false
  for (let at = from; at < to; at += STEP_CHARS) {
    const stop = Math.min(to, at + STEP_CHARS)
    if (!(stop === to ? BASE64_END : BASE64_RUN).test(buf.toString('latin1', at, stop))) return false
  }
  return true
}

/** Decodes the base64 in [from, to) over itself (bytes are shorter than their text); the bytes' view. */
function decodeBase64InPlace(buf: Buffer, from: number, to: number): Buffer {
  let written = from
  for (let at = from; at < to; at += STEP_CHARS) {
    const bytes = Buffer.from(buf.toString('latin1', at, Math.min(to, at + STEP_CHARS)), 'base64')
    bytes.copy(buf, written)
    written += bytes.length
  }
  return buf.subarray(from, written)
}

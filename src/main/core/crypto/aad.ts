// Where a sealed value belongs, as the additional authenticated data it is sealed under: an auth key, an
// account's creds, the data key's check value, a webhook's secret, address or outbox payload. Main
// process, Electron-free. One home for every AAD: the stores that seal the values use them, and so does
// a key rotation, which re-seals every value in place (db/sealed-columns.ts), so it sits with the sealer.

import { AppError } from '../../../shared/errors'

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

/** A webhook's secret: a sealed secret copied to another endpoint's row does not open. */
export function webhookSecretAad(id: string): Buffer {
  return Buffer.from(`webhook-secret:${id}`)
}

/** A webhook's address (it can carry the receiver's credentials in its query string). */
export function webhookUrlAad(id: string): Buffer {
  return Buffer.from(`webhook-url:${id}`)
}

/** An account's proxy URL (it holds the proxy's password), bound to the account. */
export function accountProxyAad(account: string): Buffer {
  return Buffer.from(`account-proxy:${account}`, 'utf8')
}

/** The default proxy URL, kept in the settings. */
export function defaultProxyAad(): Buffer {
  return Buffer.from('default-proxy', 'utf8')
}

/** A queued send's text, bound to its message id. */
export function sendPayloadAad(messageId: string): Buffer {
  return Buffer.from(`send:${messageId}`, 'utf8')
}

/** A fleet event's payload (it may hold message text), bound to its id: PostgreSQL's fleet_events. */
export function fleetEventAad(id: string): Buffer {
  return Buffer.from(`fleet-event:${id}`)
}

/** An outbox row's payload (it holds message text), bound to its delivery id. */
export function webhookPayloadAad(deliveryId: string): Buffer {
  return Buffer.from(`webhook-payload:${deliveryId}`)
}

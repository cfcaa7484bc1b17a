// Session bundle, format version 1: one file that carries an account's creds and keys between apps.
// Readable, authenticated metadata up front; the AuthSnapshot sealed with AES-256-GCM under a scrypt
// key from a passphrase. Byte layout, bounds and error rules: docs/bundle-format.md. Main process only.

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { MAX_BUNDLE_BYTES } from '../../../shared/channels'
import { KDF_GATE } from './kdf-gate'
import { AppError, type ErrorCode } from '../../../shared/errors'
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/passphrase'
import { proxyUrlProblem } from '../../../shared/proxy'
import { ACCOUNT_ID_PATTERN } from '../../../shared/ids'
import type { AuthSnapshot } from '../auth-store/types'
import { decodeSnapshotJson, encodeSnapshotJson, SnapshotJsonError } from './snapshot-codec'

// ---- Constants (each one is part of the v1 format; changing any of them needs a new version) ----

export const BUNDLE_MAGIC = Buffer.from('IRISHBDL', 'ascii')
export const BUNDLE_VERSION = 1
export const BUNDLE_FORMAT = 'irish-session-bundle'
/** Largest bundle written or read (shared with the UI). The import endpoint refuses a bigger body before buffering it. */
export { MAX_BUNDLE_BYTES }
/** Metadata is a few hundred bytes; the cap keeps a hostile length field from mattering. */
export const MAX_METADATA_BYTES = 64 * 1024

const VERSION_OFFSET = BUNDLE_MAGIC.length // 8
const META_LENGTH_OFFSET = VERSION_OFFSET + 1 // 9
const META_OFFSET = META_LENGTH_OFFSET + 4 // 13
const CHECK_BYTES = 32
const NONCE_BYTES = 12
const CIPHERTEXT_LENGTH_BYTES = 4
const TAG_BYTES = 16
const DIGEST_BYTES = 32
/** Bytes besides metadata and ciphertext: header, check value, nonce, length, tag, digest. */
const FIXED_BYTES = META_OFFSET + CHECK_BYTES + NONCE_BYTES + CIPHERTEXT_LENGTH_BYTES + TAG_BYTES + DIGEST_BYTES

const ENC_KEY_BYTES = 32
const CHECK_KEY_BYTES = 32
/** Sealed under the check key; proves the passphrase before the payload is touched. */
const CHECK_LABEL = Buffer.from('IRISHBDL v1 passphrase check', 'ascii')

const MAX_PASSPHRASE_LENGTH = 1024

// ---- Key derivation parameters ----

export interface ScryptParams {
  N: number
  r: number
  p: number
}

/** Production default: about 128 MiB and a few hundred ms per derivation on a laptop. */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 })
export const SALT_BYTES = 32

/**
 * What a reader agrees to compute. The parameters come from the file, so without bounds a hostile
 * bundle could ask for gigabytes or minutes. The floor is low so tests can run fast; writers use the default.
 */
export const SCRYPT_BOUNDS = Object.freeze({
  minN: 2 ** 10,
  maxN: 2 ** 20,
  maxR: 16,
  maxP: 4,
  /** 128 * N * r: the memory scrypt needs. Default is 128 MiB. */
  maxMemoryBytes: 256 * 1024 * 1024,
  /** N * r * p: the work. Default is 2^20. */
  maxWork: 2 ** 22,
  minSaltBytes: 16,
  maxSaltBytes: 64,
})

function scryptMemory({ N, r }: ScryptParams): number {
  return 128 * N * r
}

/** Null when acceptable, else why not (no secrets in it: these are public parameters). */
function scryptParamsProblem(params: ScryptParams): string | null {
  const { N, r, p } = params
  const b = SCRYPT_BOUNDS
  if (!Number.isSafeInteger(N) || N < b.minN || N > b.maxN || (N & (N - 1)) !== 0) {
    return `N must be a power of two from ${b.minN} to ${b.maxN}`
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > b.maxR) return `r must be from 1 to ${b.maxR}`
  if (!Number.isSafeInteger(p) || p < 1 || p > b.maxP) return `p must be from 1 to ${b.maxP}`
  if (scryptMemory(params) > b.maxMemoryBytes) return `128*N*r must be at most ${b.maxMemoryBytes / 2 ** 20} MiB`
  if (N * r * p > b.maxWork) return `N*r*p must be at most ${b.maxWork}`
  return null
}

// ---- Errors ----

export type BundleErrorReason =
  | 'not-a-bundle'
  | 'unsupported-version'
  | 'too-large'
  | 'truncated'
  | 'damaged'
  | 'unsupported-kdf'
  | 'bad-passphrase-input'
  | 'wrong-passphrase'

/** An AppError that also says which bundle problem it is, for the UI and tests; toInfo() is unchanged. */
export class BundleError extends AppError {
  readonly reason: BundleErrorReason

  constructor(reason: BundleErrorReason, code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'BundleError'
    this.reason = reason
  }
}

const DAMAGED_MESSAGE =
  'The session bundle was changed or damaged after it was exported, so it cannot be trusted. Export it again from the app that holds the account.'

function damaged(cause?: unknown): BundleError {
  return new BundleError('damaged', 'bad-bundle', DAMAGED_MESSAGE, cause === undefined ? undefined : { cause })
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

// ---- Metadata ----

const kdfSchema = z.object({
  name: z.literal('scrypt'),
  N: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  salt: z.base64(),
})

const metaSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  accountPhone: z.string().min(1).max(64).optional(),
  accountName: z.string().max(256).optional(),
  /** How it was exported: a copy leaves the account running where it came from. Absent before v0.2. */
  exportMode: z.enum(['copy', 'move']).optional(),
  /** The account's id where it was exported: an import keeps it (docs/moving-sessions.md). Absent before v0.3. */
  accountId: z.string().regex(ACCOUNT_ID_PATTERN).optional(),
  /** The linked device the creds belong to ("15550001111:12"). Absent before v0.3. */
  device: z.string().min(1).max(128).optional(),
  /** How many times the creds were written where they were exported: older state is refused on import. Absent before v0.3. */
  writes: z.number().int().nonnegative().optional(),
  exportedAt: z.iso.datetime(),
  appVersion: z.string().min(1).max(64),
  keyCounts: z.record(z.string().min(1).max(128), z.number().int().nonnegative()),
  cipher: z.literal('aes-256-gcm'),
  kdf: kdfSchema,
})

/** The readable part of a bundle. Authenticated only by decodeBundle: before that, treat it as a claim. */
export type BundleMeta = z.infer<typeof metaSchema>

export interface EncodeBundleInput {
  snapshot: AuthSnapshot
  meta: { accountPhone?: string; accountName?: string; exportMode?: 'copy' | 'move'; appVersion: string; accountId?: string; device?: string; writes?: number }
  passphrase: string
  /** The account's whole proxy URL, carried inside the encrypted payload only when the operator asked. */
  proxy?: string
}

export interface EncodeBundleOptions {
  /** Only for tests, which use cheap parameters; production uses DEFAULT_SCRYPT. Must be within SCRYPT_BOUNDS. */
  scrypt?: ScryptParams
}

// ---- Parsing (shared by readBundleMetadata and decodeBundle) ----

interface ParsedBundle {
  bytes: Buffer
  meta: BundleMeta
  salt: Buffer
  check: Buffer
  nonce: Buffer
  ciphertext: Buffer
  tag: Buffer
  /** Everything before the ciphertext: the AAD of the GCM seal. */
  aad: Buffer
}

function asBuffer(buf: unknown): Buffer {
  if (!(buf instanceof Uint8Array)) throw new AppError('invalid-input', 'A session bundle must be given as bytes.')
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
}

/** True when the bytes start with the bundle magic, whatever the version. */
export function isBundle(buf: Uint8Array): boolean {
  return buf instanceof Uint8Array && buf.length >= BUNDLE_MAGIC.length && BUNDLE_MAGIC.equals(buf.subarray(0, BUNDLE_MAGIC.length))
}

function truncated(have: number, need: number): BundleError {
  return new BundleError(
    'truncated',
    'bad-bundle',
    `The session bundle is incomplete: it ends after ${have} bytes but should be at least ${need}. It was probably cut off while copying or downloading; copy or export it again.`,
  )
}

function parseBundle(input: Uint8Array): ParsedBundle {
  const bytes = asBuffer(input)
  const magicLength = BUNDLE_MAGIC.length
  const notABundle = new BundleError('not-a-bundle', 'invalid-input', 'This file is not an Irish Desktop session bundle. Choose a file exported with "Export session".')

  if (bytes.length === 0) throw notABundle
  // A short prefix of the magic is a bundle cut off very early, not some other file.
  if (bytes.length < magicLength) {
    if (BUNDLE_MAGIC.subarray(0, bytes.length).equals(bytes)) throw truncated(bytes.length, FIXED_BYTES)
    throw notABundle
  }
  if (!isBundle(bytes)) throw notABundle
  if (bytes.length <= VERSION_OFFSET) throw truncated(bytes.length, FIXED_BYTES)

  const version = bytes[VERSION_OFFSET] as number
  if (version !== BUNDLE_VERSION) {
    throw new BundleError(
      'unsupported-version',
      'invalid-input',
      `This session bundle uses format version ${version}, which this version of Irish Desktop cannot read (it reads version ${BUNDLE_VERSION}). Update the app and try again.`,
    )
  }
  if (bytes.length > MAX_BUNDLE_BYTES) {
    throw new BundleError(
      'too-large',
      'payload-too-large',
      `The file is ${mib(bytes.length)}; a session bundle can be at most ${mib(MAX_BUNDLE_BYTES)}.`,
    )
  }

  if (bytes.length < META_OFFSET) throw truncated(bytes.length, FIXED_BYTES)
  const metaLength = bytes.readUInt32BE(META_LENGTH_OFFSET)
  if (metaLength < 2 || metaLength > MAX_METADATA_BYTES) throw damaged()
  const checkOffset = META_OFFSET + metaLength
  const nonceOffset = checkOffset + CHECK_BYTES
  const ciphertextLengthOffset = nonceOffset + NONCE_BYTES
  const ciphertextOffset = ciphertextLengthOffset + CIPHERTEXT_LENGTH_BYTES
  if (bytes.length < ciphertextOffset) throw truncated(bytes.length, ciphertextOffset + TAG_BYTES + DIGEST_BYTES)
  const ciphertextLength = bytes.readUInt32BE(ciphertextLengthOffset)
  const tagOffset = ciphertextOffset + ciphertextLength
  const digestOffset = tagOffset + TAG_BYTES
  const end = digestOffset + DIGEST_BYTES
  if (end > MAX_BUNDLE_BYTES) throw damaged()
  if (bytes.length < end) throw truncated(bytes.length, end)
  // Extra bytes after the end: not a cut-off file, and not something we wrote.
  if (bytes.length > end) throw damaged()

  // Unkeyed digest: tells accidental damage (and naive edits) apart from a wrong passphrase, and lets
  // readBundleMetadata notice damage without one. Deliberate edits are caught by the GCM tag instead.
  const digest = createHash('sha256').update(bytes.subarray(0, digestOffset)).digest()
  if (!timingSafeEqual(digest, bytes.subarray(digestOffset, end))) throw damaged()

  const meta = parseMeta(bytes.subarray(META_OFFSET, checkOffset))
  const salt = Buffer.from(meta.kdf.salt, 'base64')
  if (salt.length < SCRYPT_BOUNDS.minSaltBytes || salt.length > SCRYPT_BOUNDS.maxSaltBytes) {
    throw unsupportedKdf(`the salt must be ${SCRYPT_BOUNDS.minSaltBytes} to ${SCRYPT_BOUNDS.maxSaltBytes} bytes`)
  }
  const problem = scryptParamsProblem(meta.kdf)
  if (problem !== null) throw unsupportedKdf(problem)

  return {
    bytes,
    meta,
    salt,
    check: bytes.subarray(checkOffset, nonceOffset),
    nonce: bytes.subarray(nonceOffset, ciphertextLengthOffset),
    ciphertext: bytes.subarray(ciphertextOffset, tagOffset),
    tag: bytes.subarray(tagOffset, digestOffset),
    aad: bytes.subarray(0, ciphertextOffset),
  }
}

function unsupportedKdf(problem: string): BundleError {
  return new BundleError(
    'unsupported-kdf',
    'invalid-input',
    `The session bundle asks for key-derivation settings this app refuses (${problem}). It was not made by Irish Desktop, or it was changed.`,
  )
}

function parseMeta(raw: Buffer): BundleMeta {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw))
  } catch (error) {
    throw damaged(error)
  }
  const result = metaSchema.safeParse(json)
  if (!result.success) throw damaged(result.error)
  return result.data
}

/** Validates the whole file's structure and returns its metadata. Needs no passphrase. */
export function readBundleMetadata(buf: Uint8Array): BundleMeta {
  return parseBundle(buf).meta
}

// ---- Keys ----

interface DerivedKeys {
  encKey: Buffer
  checkKey: Buffer
}

function normalizePassphrase(passphrase: string): Buffer {
  // NFC: the same passphrase typed on macOS (often NFD) and Windows derives the same key.
  return Buffer.from(passphrase.normalize('NFC'), 'utf8')
}

function deriveKeys(passphrase: string, salt: Buffer, params: ScryptParams): Promise<DerivedKeys> {
  return KDF_GATE.run(() => deriveKeysNow(passphrase, salt, params))
}

function deriveKeysNow(passphrase: string, salt: Buffer, params: ScryptParams): Promise<DerivedKeys> {
  const secret = normalizePassphrase(passphrase)
  // OpenSSL needs 128*r*(N+p) plus bookkeeping; the bounds above keep this at a few hundred MiB at most.
  const maxmem = 128 * params.r * (params.N + params.p + 2) + 1024 * 1024
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, ENC_KEY_BYTES + CHECK_KEY_BYTES, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => {
      secret.fill(0)
      if (error) {
        reject(new AppError('internal', 'Could not derive the bundle key from the passphrase.', { cause: error }))
        return
      }
      resolve({ encKey: key.subarray(0, ENC_KEY_BYTES), checkKey: key.subarray(ENC_KEY_BYTES) })
    })
  })
}

function wipe(keys: DerivedKeys): void {
  keys.encKey.fill(0)
  keys.checkKey.fill(0)
}

function checkValue(checkKey: Buffer): Buffer {
  return createHmac('sha256', checkKey).update(CHECK_LABEL).digest()
}

// ---- Input validation ----

function passphraseCodePoints(passphrase: unknown): number {
  if (typeof passphrase !== 'string') {
    throw new BundleError('bad-passphrase-input', 'invalid-input', 'Enter a passphrase for the session bundle.')
  }
  const length = [...passphrase.normalize('NFC')].length
  if (length > MAX_PASSPHRASE_LENGTH) {
    throw new BundleError('bad-passphrase-input', 'invalid-input', `The passphrase is too long; use at most ${MAX_PASSPHRASE_LENGTH} characters.`)
  }
  return length
}

function countKeys(keys: AuthSnapshot['keys']): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const [type, byId] of Object.entries(keys)) {
    // undefined values vanish on the way through JSON, so they are not counted.
    counts[type] = Object.values(byId).filter((value) => value !== undefined).length
  }
  return counts
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
}

function assertSnapshotShape(snapshot: unknown): asserts snapshot is AuthSnapshot {
  if (!isRecord(snapshot) || !isRecord(snapshot['creds']) || !isRecord(snapshot['keys'])) {
    throw new AppError('invalid-input', 'The account has no saved session to export (creds or keys missing).')
  }
  for (const [type, byId] of Object.entries(snapshot['keys'])) {
    if (!isRecord(byId)) throw new AppError('invalid-input', `The account's "${type}" keys are not a map of id to value.`)
  }
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  // An account with no push name yet has '' from Baileys; that is the same as no name.
  if (value === undefined || value === null || value === '') return undefined
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new AppError('invalid-input', `The bundle's ${field} must be text of 1 to ${max} characters without control characters.`)
  }
  return value
}

// ---- Encode / decode ----

/** Builds a bundle. The result is at most MAX_BUNDLE_BYTES; larger accounts fail with payload-too-large. */
export async function encodeBundle(input: EncodeBundleInput, options: EncodeBundleOptions = {}): Promise<Buffer> {
  const { snapshot, meta, passphrase, proxy } = input ?? ({} as EncodeBundleInput)
  if (passphraseCodePoints(passphrase) < MIN_PASSPHRASE_LENGTH) {
    throw new BundleError('bad-passphrase-input', 'invalid-input', `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`)
  }
  assertSnapshotShape(snapshot)
  if (!isRecord(meta)) throw new AppError('invalid-input', 'Bundle metadata is missing.')
  const accountPhone = optionalText(meta.accountPhone, 'account phone', 64)
  const accountName = optionalText(meta.accountName, 'account name', 256)
  const appVersion = optionalText(meta.appVersion, 'app version', 64)
  if (appVersion === undefined) throw new AppError('invalid-input', "The bundle's app version is required.")

  const params: ScryptParams = options.scrypt ? { N: options.scrypt.N, r: options.scrypt.r, p: options.scrypt.p } : { ...DEFAULT_SCRYPT }
  const problem = scryptParamsProblem(params)
  if (problem !== null) throw new AppError('invalid-input', `Unsupported scrypt parameters: ${problem}.`)

  if (proxy !== undefined && proxyUrlProblem(proxy) !== null) throw new AppError('invalid-input', "The account's proxy URL cannot be carried: it is not one this app takes.")
  const plaintext = encodeSnapshotJson({ creds: snapshot.creds, keys: snapshot.keys, ...(proxy !== undefined ? { proxy } : {}) })
  const salt = randomBytes(SALT_BYTES)
  const metadata: BundleMeta = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    ...(accountPhone !== undefined ? { accountPhone } : {}),
    ...(accountName !== undefined ? { accountName } : {}),
    ...(meta.exportMode !== undefined ? { exportMode: meta.exportMode } : {}),
    ...(meta.accountId !== undefined ? { accountId: meta.accountId } : {}),
    ...(meta.device !== undefined ? { device: meta.device } : {}),
    ...(meta.writes !== undefined ? { writes: meta.writes } : {}),
    exportedAt: new Date().toISOString(),
    appVersion,
    keyCounts: countKeys(snapshot.keys),
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64') },
  }
  const metaBytes = Buffer.from(JSON.stringify(metadata), 'utf8')
  if (metaBytes.length > MAX_METADATA_BYTES) {
    throw new AppError('invalid-input', 'The bundle metadata is too large (too many key types or a very long name).')
  }
  const total = FIXED_BYTES + metaBytes.length + plaintext.length // GCM adds no padding
  if (total > MAX_BUNDLE_BYTES) {
    throw new BundleError(
      'too-large',
      'payload-too-large',
      `This account's data would make a ${mib(total)} bundle; the limit is ${mib(MAX_BUNDLE_BYTES)}.`,
    )
  }

  const keys = await deriveKeys(passphrase, salt, params)
  try {
    const out = Buffer.alloc(total)
    let at = BUNDLE_MAGIC.copy(out, 0)
    at = out.writeUInt8(BUNDLE_VERSION, at)
    at = out.writeUInt32BE(metaBytes.length, at)
    at += metaBytes.copy(out, at)
    at += checkValue(keys.checkKey).copy(out, at)
    const nonce = randomBytes(NONCE_BYTES)
    at += nonce.copy(out, at)
    at = out.writeUInt32BE(plaintext.length, at)
    const cipher = createCipheriv('aes-256-gcm', keys.encKey, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(out.subarray(0, at))
    at += cipher.update(plaintext).copy(out, at)
    at += cipher.final().copy(out, at)
    at += cipher.getAuthTag().copy(out, at)
    createHash('sha256').update(out.subarray(0, at)).digest().copy(out, at)
    return out
  } finally {
    wipe(keys)
    plaintext.fill(0)
  }
}

/** Ciphertext decrypted per step when decrypting in place: the most a step holds twice. */
const IN_PLACE_STEP_BYTES = 1024 * 1024

export interface DecodeBundleOptions {
  /**
   * The caller gives `buf` up: the payload is decrypted over its own ciphertext, so a 60 MB bundle needs
   * no second 60 MB for its plaintext, and `buf` holds zeros there afterwards (and on failure).
   */
  consume?: boolean
}

/**
 * Verifies and opens a bundle. All or nothing: it returns only after the passphrase check, the GCM
 * tag (which also covers the metadata) and the snapshot's shape all pass; otherwise it throws.
 */
export async function decodeBundle(buf: Uint8Array, passphrase: string, options: DecodeBundleOptions = {}): Promise<{ meta: BundleMeta; snapshot: AuthSnapshot; proxy: string | null }> {
  // Structure first: a wrong file should say so whatever passphrase was typed.
  const parsed = parseBundle(buf)
  if (passphraseCodePoints(passphrase) === 0) {
    throw new BundleError('bad-passphrase-input', 'invalid-input', 'Enter the passphrase the bundle was exported with.')
  }
  const keys = await deriveKeys(passphrase, parsed.salt, parsed.meta.kdf)
  let plaintext: Buffer
  try {
    if (!timingSafeEqual(checkValue(keys.checkKey), parsed.check)) {
      throw new BundleError('wrong-passphrase', 'invalid-input', 'Wrong passphrase for this session bundle. Check it and try again.')
    }
    const decipher = createDecipheriv('aes-256-gcm', keys.encKey, parsed.nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(parsed.aad)
    decipher.setAuthTag(parsed.tag)
    plaintext = options.consume ? decryptInPlace(decipher, parsed.ciphertext) : decipher.update(parsed.ciphertext)
    try {
      // GCM is a stream cipher: final() adds no bytes, it checks the tag.
      decipher.final()
    } catch (error) {
      plaintext.fill(0)
      // The passphrase proved right, so a failing tag means the bytes were edited.
      throw damaged(error)
    }
  } finally {
    wipe(keys)
  }

  try {
    const decoded = decodeSnapshotJson(plaintext)
    const proxy = carriedProxy(decoded)
    assertDecodedSnapshot(decoded, parsed.meta.keyCounts)
    const snapshot: AuthSnapshot = { creds: decoded.creds, keys: decoded.keys }
    // The write count travels in the (authenticated) metadata, beside the snapshot it describes.
    return { meta: parsed.meta, snapshot: parsed.meta.writes !== undefined ? { ...snapshot, writes: parsed.meta.writes } : snapshot, proxy }
  } catch (error) {
    if (error instanceof SnapshotJsonError || error instanceof AppError) throw damaged(error)
    throw error
  } finally {
    plaintext.fill(0)
  }
}

/** The payload's optional proxy URL (docs/bundle-format.md); one this app does not take is damage. */
function carriedProxy(decoded: unknown): string | null {
  const proxy = isRecord(decoded) ? decoded['proxy'] : undefined
  if (proxy === undefined) return null
  if (typeof proxy !== 'string' || proxyUrlProblem(proxy) !== null) throw new SnapshotJsonError('the proxy URL is not one this app takes')
  return proxy
}

/** Decrypts `ciphertext` step by step, each step's plaintext written over the bytes it came from. */
function decryptInPlace(decipher: ReturnType<typeof createDecipheriv>, ciphertext: Buffer): Buffer {
  for (let at = 0; at < ciphertext.length; at += IN_PLACE_STEP_BYTES) {
    const step = decipher.update(ciphertext.subarray(at, at + IN_PLACE_STEP_BYTES))
    step.copy(ciphertext, at)
    step.fill(0)
  }
  return ciphertext
}

/** The plaintext authenticated, so a mismatch here means a faulty writer; still refuse it. */
function assertDecodedSnapshot(snapshot: unknown, keyCounts: Record<string, number>): asserts snapshot is AuthSnapshot {
  assertSnapshotShape(snapshot)
  const actual = countKeys(snapshot.keys)
  const types = new Set([...Object.keys(actual), ...Object.keys(keyCounts)])
  for (const type of types) {
    if (actual[type] !== keyCounts[type]) throw new SnapshotJsonError('key counts differ from the metadata')
  }
}

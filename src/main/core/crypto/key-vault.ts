// Where the 32-byte data key comes from: the OS keychain (keytar), the IRISH_DATA_KEY environment
// variable, or a key file with mode 0600. Main process, Electron-free. Importing this module reads no
// environment and never loads keytar's native addon; callers pass everything in. Never put a key, or a
// value that might be one, in an error message or a log line.

import { randomBytes } from 'node:crypto'
import { constants as fsConstants } from 'node:fs'
import { link, open, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { DATA_KEY_BYTES } from './sealer'

/** Hands out the data key. A port: the core never talks to keytar, files or the environment itself. */
export interface KeyVault {
  /** The data key (a fresh copy each call). Creates it on first use where the source allows that. */
  getDataKey(): Promise<Buffer>
  /** Where the key lives, for logs and the UI. Never contains key material. */
  describe(): string
}

/** The keychain entry the desktop app uses: service "irish-desktop", account "data-key". */
export const KEYCHAIN_SERVICE = 'irish-desktop'
export const KEYCHAIN_ACCOUNT = 'data-key'
/** The environment variable a server without a keychain sets to the base64 of 32 bytes. */
export const DATA_KEY_ENV = 'IRISH_DATA_KEY'
/** The environment variable naming a key file, when no key file is passed explicitly. */
export const DATA_KEY_FILE_ENV = 'IRISH_DATA_KEY_FILE'

const HOW_TO_MAKE_A_KEY = 'for example the output of `openssl rand -base64 32`'

/** The part of keytar this module uses, so a test or another backend can stand in for it. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword?(service: string, account: string): Promise<boolean>
}

/** A key that may be absent: the previous data key exists only while a rotation is underway. */
export interface OptionalKeyVault {
  getDataKey(): Promise<Buffer | null>
  describe(): string
}

/** The environment variable holding the previous data key (base64) while a rotation re-seals the store. */
export const PREVIOUS_DATA_KEY_ENV = 'IRISH_PREVIOUS_DATA_KEY'
/** The environment variable naming the previous key's file. */
export const PREVIOUS_DATA_KEY_FILE_ENV = 'IRISH_PREVIOUS_DATA_KEY_FILE'
/** The keychain entry holding the previous data key while a rotation is underway. */
export const KEYCHAIN_PREVIOUS_ACCOUNT = 'data-key-previous'

/**
 * Decodes a stored or supplied key. Strict: exactly the canonical base64 (with padding) of 32 bytes,
 * surrounding whitespace ignored (files and env vars often end with a newline). Returns null otherwise.
 */
export function decodeDataKey(text: string): Buffer | null {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null
  const key = Buffer.from(trimmed, 'base64')
  // Re-encoding catches non-canonical forms that Buffer.from silently accepts (stray bits, bad padding).
  if (key.length !== DATA_KEY_BYTES || key.toString('base64') !== trimmed) return null
  return key
}

/** A new random data key, base64-encoded as every source stores it. */
export function generateEncodedDataKey(): string {
  return randomBytes(DATA_KEY_BYTES).toString('base64')
}

/**
 * A vault that loads its key once. One in-flight lookup per vault: two concurrent first calls must not
 * each create a different key. A failed load is forgotten, so the next call tries again. Each call gets
 * a fresh copy of the key.
 */
function memoizedVault(load: () => Promise<Buffer>, where: string): KeyVault {
  let pending: Promise<Buffer> | null = null
  return {
    async getDataKey() {
      pending ??= load()
      try {
        return Buffer.from(await pending)
      } catch (error) {
        pending = null
        throw error
      }
    },
    describe: () => where,
  }
}

// ---------------------------------------------------------------------------------------------------
// OS keychain

export interface KeychainVaultOptions {
  /** Default "irish-desktop". */
  service?: string
  /** Default "data-key". */
  account?: string
  /** A keytar module or a loader for one. Default: keytar itself, loaded on the first getDataKey(). */
  keytar?: KeytarLike | (() => Promise<KeytarLike>)
  /** Create the key when the entry is missing. Default true (the desktop app's first start). */
  create?: boolean
}

export function keychainVault(options: KeychainVaultOptions = {}): KeyVault {
  const service = options.service ?? KEYCHAIN_SERVICE
  const account = options.account ?? KEYCHAIN_ACCOUNT
  const create = options.create ?? true
  const where = `OS keychain (service ${service}, account ${account})`

  const loadKeytar = (): Promise<KeytarLike> => loadKeytarModule(options.keytar, where)

  async function readOrCreate(): Promise<Buffer> {
    const keytar = await loadKeytar()
    let stored: string | null
    try {
      stored = await keytar.getPassword(service, account)
    } catch (cause) {
      throw keychainError(cause, where, 'read')
    }
    if (stored !== null) return decodeStored(stored)
    if (!create) {
      throw new AppError(
        'key-unavailable',
        `There is no data key in the ${where}. Restore the entry, or supply the key by ${DATA_KEY_ENV} or a key file.`,
      )
    }
    try {
      await keytar.setPassword(service, account, generateEncodedDataKey())
      // Read back rather than trusting our own value: if another process created the entry at the same
      // moment, the keychain holds one winner and every process must use that one.
      stored = await keytar.getPassword(service, account)
    } catch (cause) {
      throw keychainError(cause, where, 'write')
    }
    if (stored === null) {
      throw new AppError('key-unavailable', `The ${where} accepted a new data key but did not return it. Check that the keyring is unlocked and writable.`)
    }
    return decodeStored(stored)
  }

  function decodeStored(stored: string): Buffer {
    const key = decodeDataKey(stored)
    // Never replaced: the database was sealed under whatever key was there, and a new one would orphan it.
    if (!key) {
      throw new AppError(
        'key-unavailable',
        `The entry in the ${where} is not a valid data key (it must be the base64 of ${DATA_KEY_BYTES} bytes). ` +
          `It was left untouched, because replacing it would make the existing database unreadable. ` +
          `Restore the original value; only if the database is to be discarded, delete the entry so a new key is created.`,
      )
    }
    return key
  }

  // A failure is forgotten, so a retry after the user unlocks the keyring can succeed.
  return memoizedVault(readOrCreate, where)
}

/** keytar itself, loaded on first use (its native addon and libsecret load only when a keychain key is wanted), or the one given. */
async function loadKeytarModule(given: KeychainVaultOptions['keytar'], where: string): Promise<KeytarLike> {
  if (typeof given === 'function') return given()
  if (given) return given
  try {
    const mod = (await import('keytar')) as unknown as KeytarLike & { default?: KeytarLike }
    return mod.default ?? mod
  } catch (cause) {
    throw new AppError(
      'key-unavailable',
      `The OS keychain module (keytar) could not be loaded, so the data key cannot be read from the ${where}. ` +
        'To use the keychain, install its system package (Debian/Ubuntu: libsecret-1-dev; Fedora: libsecret-devel; ' +
        'Arch: libsecret; macOS and Windows need nothing), then run `npm install keytar` in the project folder (or `npm ci` again): ' +
        'npm left keytar out when its build failed, so a rebuild finds nothing to build. ' +
        `Or give the key another way: --key-file <file> (mode 0600) or ${DATA_KEY_ENV} (base64 of 32 bytes: openssl rand -base64 32).`,
      { cause },
    )
  }
}

/**
 * Turns libsecret's messages (seen on Debian 12 with gnome-keyring) into errors that name the fix.
 * The messages are matched loosely: libsecret and GLib word them slightly differently between versions.
 */
export function keychainError(cause: unknown, where: string, action: 'read' | 'write'): AppError {
  const raw = cause instanceof Error ? cause.message : String(cause)
  const alternatives = `or supply the key by ${DATA_KEY_ENV} or a key file`
  let message: string
  if (/autolaunch D-Bus|Could not connect|DBUS_SESSION_BUS_ADDRESS|Failed to connect to socket|dbus-launch/i.test(raw)) {
    message =
      `No D-Bus session bus, so the ${where} cannot be reached. Run inside a desktop session or under ` +
      `\`dbus-run-session\` with a Secret Service running, ${alternatives}.`
  } else if (/org\.freedesktop\.secrets.*not provided|not provided by any \.service files|ServiceUnknown/i.test(raw)) {
    message =
      `No Secret Service on the D-Bus session, so the ${where} cannot be reached. Install and start gnome-keyring ` +
      `(or another Secret Service such as KeePassXC), ${alternatives}.`
  } else if (/Object does not exist at path.*collection|locked|IsLocked|prompt/i.test(raw)) {
    message =
      `The keyring is locked or has no login collection, so the ${where} cannot be ${action === 'read' ? 'read' : 'written'}. ` +
      `Unlock it (log in to the desktop, or start gnome-keyring-daemon with --unlock), ${alternatives}.`
  } else {
    // libsecret's own text carries no secret and is the best hint left.
    message = `The ${where} could not be ${action === 'read' ? 'read' : 'written'} (${raw}). Check the keyring, ${alternatives}.`
  }
  return new AppError('key-unavailable', message, { cause })
}

// ---------------------------------------------------------------------------------------------------
// Environment variable

/** A key supplied by value, normally `env.IRISH_DATA_KEY`. `name` only labels messages. */
export function envVault(value: string, name = DATA_KEY_ENV): KeyVault {
  // Validated up front so a bad value fails at start-up, not at the first database open.
  const key = decodeDataKey(value)
  if (!key) {
    // The value is never echoed: a near-miss key is still mostly a key.
    throw new AppError(
      'invalid-input',
      `${name} is not a valid data key: it must be the base64 of exactly ${DATA_KEY_BYTES} bytes (${HOW_TO_MAKE_A_KEY}).`,
    )
  }
  return {
    getDataKey: async () => Buffer.from(key),
    describe: () => `environment variable ${name}`,
  }
}

// ---------------------------------------------------------------------------------------------------
// Key file

export interface FileVaultOptions {
  /** Create the file (mode 0600, a new random key) when it does not exist. Default false. */
  create?: boolean
}

export function fileVault(path: string, options: FileVaultOptions = {}): KeyVault {
  const where = `key file ${path}`

  async function readKeyFile(): Promise<Buffer | null> {
    let handle
    try {
      // O_NOFOLLOW is not used: a symlink to a protected file is a legitimate setup (secrets mounts).
      handle = await open(path, fsConstants.O_RDONLY)
    } catch (cause) {
      if (isErrno(cause, 'ENOENT')) return null
      throw new AppError('key-unavailable', `The ${where} could not be opened (${errnoCode(cause)}). Check the path and its permissions.`, { cause })
    }
    try {
      // fstat on the open handle: the mode checked is the mode of the file actually read.
      const stat = await handle.stat()
      if (!stat.isFile()) throw new AppError('key-unavailable', `The ${where} is not a regular file.`)
      if ((stat.mode & 0o077) !== 0) {
        const mode = (stat.mode & 0o777).toString(8).padStart(4, '0')
        throw new AppError(
          'key-unavailable',
          `The ${where} is accessible by group or others (mode ${mode}); it must be readable by its owner only. Run \`chmod 600 ${path}\`.`,
        )
      }
      const key = decodeDataKey(await handle.readFile('utf8'))
      if (!key) {
        throw new AppError(
          'key-unavailable',
          `The ${where} does not hold a valid data key: it must contain the base64 of exactly ${DATA_KEY_BYTES} bytes (${HOW_TO_MAKE_A_KEY}).`,
        )
      }
      return key
    } finally {
      await handle.close()
    }
  }

  async function createKeyFile(): Promise<void> {
    // Written under a temporary name, then hard-linked into place: readers never see a partial file, and
    // link() fails with EEXIST instead of overwriting a key another process created meanwhile.
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    const handle = await open(temp, 'wx', 0o600)
    try {
      // The umask can only remove bits from 0600, but set it exactly so the check above always passes.
      await handle.chmod(0o600)
      await handle.writeFile(`${generateEncodedDataKey()}\n`, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await link(temp, path)
    } catch (cause) {
      if (!isErrno(cause, 'EEXIST')) throw cause
    } finally {
      await unlink(temp).catch(() => undefined)
    }
    await syncDirectory(dirname(path))
  }

  async function load(): Promise<Buffer> {
    const existing = await readKeyFile()
    if (existing) return existing
    if (!options.create) {
      throw new AppError(
        'key-unavailable',
        `The ${where} does not exist. Create it with \`(umask 077; openssl rand -base64 32 > ${path})\`, or let the app create it.`,
      )
    }
    try {
      await createKeyFile()
    } catch (cause) {
      throw new AppError('key-unavailable', `The ${where} could not be created (${errnoCode(cause)}). Check that its folder exists and is writable.`, { cause })
    }
    const created = await readKeyFile()
    if (!created) throw new AppError('key-unavailable', `The ${where} disappeared right after it was created.`)
    return created
  }

  return memoizedVault(load, where)
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the new directory entry durable; some filesystems refuse fsync on a directory, which is fine.
  const handle = await open(dir, fsConstants.O_RDONLY).catch(() => null)
  if (!handle) return
  await handle.sync().catch(() => undefined)
  await handle.close()
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}

function errnoCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'unknown error'
}

// ---------------------------------------------------------------------------------------------------
// Choosing a source

export interface ResolveKeyVaultOptions {
  /** The environment to read IRISH_DATA_KEY and IRISH_DATA_KEY_FILE from (pass process.env). */
  env: Readonly<Record<string, string | undefined>>
  /** A key file path (e.g. from --key-file); wins over IRISH_DATA_KEY_FILE. */
  keyFile?: string
  /** Create the key file when missing. Default false. */
  createKeyFile?: boolean
  /** Use the OS keychain when neither an env key nor a key file is given (the desktop app: true). */
  preferKeychain: boolean
  /** Options for the keychain vault (tests pass their own service name). */
  keychain?: KeychainVaultOptions
}

/**
 * Precedence: IRISH_DATA_KEY, then a key file (`keyFile`, else IRISH_DATA_KEY_FILE), then the OS
 * keychain when `preferKeychain`. An explicit source wins over the keychain so a server or a test can
 * override a desktop's key. A source that is given but broken is an error, never a reason to try the
 * next one, and there is no plaintext fallback: with no source at all this throws.
 */
export function resolveKeyVault(options: ResolveKeyVaultOptions): KeyVault {
  const { env } = options
  // Set but empty counts as set: falling through to another key would only fail later, less clearly.
  const fromEnv = env[DATA_KEY_ENV]
  if (fromEnv !== undefined) return envVault(fromEnv)
  const keyFile = options.keyFile ?? nonEmpty(env[DATA_KEY_FILE_ENV])
  if (keyFile !== undefined) return fileVault(keyFile, { create: options.createKeyFile ?? false })
  if (options.preferKeychain) return keychainVault(options.keychain)
  throw new AppError(
    'key-unavailable',
    `No data key source: set ${DATA_KEY_ENV} to the base64 of ${DATA_KEY_BYTES} bytes (${HOW_TO_MAKE_A_KEY}), ` +
      `or give a key file with mode 0600 (${DATA_KEY_FILE_ENV}). The database is never stored unencrypted.`,
  )
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

// ---------------------------------------------------------------------------------------------------
// The previous key, while a rotation re-seals the store under a new one (docs/security.md)

export interface ResolvePreviousKeyOptions {
  env: Readonly<Record<string, string | undefined>>
  /** A key file path (--previous-key-file); wins over IRISH_PREVIOUS_DATA_KEY_FILE. */
  keyFile?: string
  /** Also look in the keychain's data-key-previous entry (the desktop app, a keychain rotation). */
  keychain?: KeychainVaultOptions | null
}

/** True when resolveKeyVault would take the key from the keychain (no key in the environment or a file). */
export function keyFromKeychain(env: Readonly<Record<string, string | undefined>>, keyFile?: string): boolean {
  return env[DATA_KEY_ENV] === undefined && keyFile === undefined && nonEmpty(env[DATA_KEY_FILE_ENV]) === undefined
}

/**
 * The old key a process also reads with while a rotation is underway: IRISH_PREVIOUS_DATA_KEY, then a
 * key file, then (when asked) the keychain entry data-key-previous. Null when none is given: the usual
 * case, with one key.
 */
export function resolvePreviousKeyVault(options: ResolvePreviousKeyOptions): OptionalKeyVault | null {
  const fromEnv = options.env[PREVIOUS_DATA_KEY_ENV]
  if (fromEnv !== undefined) return envVault(fromEnv, PREVIOUS_DATA_KEY_ENV)
  const keyFile = options.keyFile ?? nonEmpty(options.env[PREVIOUS_DATA_KEY_FILE_ENV])
  if (keyFile !== undefined) return fileVault(keyFile)
  if (!options.keychain) return null
  const service = options.keychain.service ?? KEYCHAIN_SERVICE
  const where = `OS keychain (service ${service}, account ${KEYCHAIN_PREVIOUS_ACCOUNT})`
  const given = options.keychain.keytar
  return {
    describe: () => where,
    async getDataKey() {
      let stored: string | null
      try {
        stored = await (await loadKeytarModule(given, where)).getPassword(service, KEYCHAIN_PREVIOUS_ACCOUNT)
      } catch {
        // No keychain here: then there is no previous key in it either.
        return null
      }
      if (stored === null) return null
      const key = decodeDataKey(stored)
      if (!key) throw new AppError('key-unavailable', `The entry in the ${where} is not a valid data key (the base64 of ${DATA_KEY_BYTES} bytes).`)
      return key
    },
  }
}

/**
 * The keychain's side of a rotation of the desktop's key (irish rotate-key --new-key-in-keychain), in
 * steps that a rerun after a crash completes: the current key is kept as data-key-previous first, then a
 * new one takes data-key's place. Answers nothing: the keys are read back through the usual vaults.
 */
export async function prepareKeychainRotation(options: KeychainVaultOptions = {}): Promise<void> {
  const service = options.service ?? KEYCHAIN_SERVICE
  const account = options.account ?? KEYCHAIN_ACCOUNT
  const where = `OS keychain (service ${service})`
  const keytar = await loadKeytarModule(options.keytar, where)
  try {
    const current = await keytar.getPassword(service, account)
    if (current === null) throw new AppError('key-unavailable', `There is no data key in the ${where}, account ${account}: there is nothing to rotate.`)
    let previous = await keytar.getPassword(service, KEYCHAIN_PREVIOUS_ACCOUNT)
    if (previous === null) {
      await keytar.setPassword(service, KEYCHAIN_PREVIOUS_ACCOUNT, current)
      previous = current
    }
    // A new key only where the current one is still the previous one: a rerun keeps the new key it made.
    if (previous.trim() === current.trim()) await keytar.setPassword(service, account, generateEncodedDataKey())
  } catch (cause) {
    if (cause instanceof AppError) throw cause
    throw keychainError(cause, where, 'write')
  }
}

/** Removes data-key-previous once the store no longer needs it (the old key is retired). */
export async function retireKeychainPrevious(options: KeychainVaultOptions = {}): Promise<void> {
  const service = options.service ?? KEYCHAIN_SERVICE
  const where = `OS keychain (service ${service})`
  const keytar = await loadKeytarModule(options.keytar, where)
  try {
    await keytar.deletePassword?.(service, KEYCHAIN_PREVIOUS_ACCOUNT)
  } catch (cause) {
    throw keychainError(cause, where, 'write')
  }
}

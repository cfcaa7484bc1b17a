// A file auth store with exactly Baileys' useMultiFileAuthState layout: one folder per account under a
// root, `creds.json` and `<type>-<id>.json` in BufferJSON, so folders move both ways between plain Baileys
// and this app. Main process, Electron-free. Values are NOT encrypted here: it exists to import and export.
//
// Layout limits (Baileys' own): file names are `<type>-<id>.json` with `/` -> `__` and `:` -> `-`. That
// mapping is lossy: ids "a:b" and "a-b" (or "a/b" and "a__b") share one file, and type "pre" + id "key-1"
// shares "pre-key-1.json" with type "pre-key" + id "1". Within one `set`, the last colliding entry wins.
// Listing (counts, exportSnapshot) has to guess type and id back from a name: it takes the longest known
// Baileys type that prefixes the name (else the text before the first `-`) and undoes the fix-ups only
// where an id's shape makes that certain (see decodeKeyFileName).

import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { decodeJson, encodeJson } from './codec'
import type { AuthSnapshot, AuthStoreFactory, AuthenticationCreds, KeyData, KeyValue, ManagedAuthStore } from './types'
import { assertAccountId, assertCreds, assertIds, assertKeyId, assertKeyType, assertSnapshot, flattenKeyData } from './validate'
import { keyedQueue } from '../keyed-queue'

const CREDS_FILE = 'creds.json'
/** Longest first, so "sender-key-memory" wins over "sender-key" and "app-state-sync-key" over shorter ones. */
const KNOWN_TYPES = [
  'app-state-sync-version',
  'app-state-sync-key',
  'sender-key-memory',
  'identity-key',
  'device-list',
  'lid-mapping',
  'sender-key',
  'pre-key',
  'session',
  'tctoken',
]
/** Most file systems cap a name at 255 bytes. */
const MAX_FILE_NAME_BYTES = 255

/** Baileys' fix-up, reproduced so both sides name a key's file the same way. */
export function keyFileName(type: string, id: string): string {
  assertKeyType(type)
  assertKeyId(id, type)
  return `${type}-${id}.json`.replace(/\//g, '__').replace(/:/g, '-')
}

/** Best-effort inverse of keyFileName for listing; null for files that are not keys. */
export function decodeKeyFileName(name: string): { type: string; id: string } | null {
  if (typeof name !== 'string') throw new AppError('invalid-input', 'decodeKeyFileName needs a file name.')
  if (!name.endsWith('.json') || name.startsWith('.') || name === CREDS_FILE) return null
  const stem = name.slice(0, -'.json'.length)
  const known = KNOWN_TYPES.find((t) => stem.startsWith(`${t}-`) && stem.length > t.length + 1)
  const dash = stem.indexOf('-')
  if (!known && dash <= 0) return null
  const type = known ?? stem.slice(0, dash)
  let id = stem.slice(type.length + 1)
  // App-state key ids are standard base64 (no `_`), so `__` can only have been `/`.
  if (type === 'app-state-sync-key') id = id.replace(/__/g, '/')
  // Sender-key ids are `<group jid>::<user>::<device>`; signal user ids hold no `-`, so the two
  // separators are the `--` after the group's `@server` and before the trailing device number.
  if (type === 'sender-key') id = id.replace(/^(.+@[a-z.]+)--([^-@]+)--(\d+)$/, '$1::$2::$3')
  return { type, id }
}

export interface FileAuthStoreOptions {
  /** Folder holding one sub-folder per account (the account id is the sub-folder's name). */
  root: string
}

interface FileWrite {
  name: string
  text: string | null
}

export function createFileAuthStoreFactory(options: FileAuthStoreOptions): AuthStoreFactory {
  if (typeof options !== 'object' || options === null || typeof options.root !== 'string' || options.root.length === 0) {
    throw new AppError('invalid-input', 'The file store needs { root }: the folder that holds one folder per account.')
  }
  const root = options.root
  // One queue per account: a set is several files, and a get must not see half of one.
  const queue = keyedQueue()
  const withLock = queue.run

  function open(account: AccountId): ManagedAuthStore {
    assertAccountId(account)
    const dir = join(root, account)

    function plan(data: unknown): FileWrite[] {
      // Keyed by file name: colliding ids (see header) collapse to the last one, deterministically.
      const byName = new Map<string, FileWrite>()
      for (const w of flattenKeyData(data)) {
        const name = checkedName(w.type, w.id)
        byName.set(name, {
          name,
          text: w.value === null ? null : encodeJson(w.value, `The ${w.type} key "${w.id}" of account ${account}`),
        })
      }
      return [...byName.values()]
    }

    return {
      account,

      async loadCreds() {
        return withLock(account, async () => {
          const text = await readText(join(dir, CREDS_FILE))
          return text === null ? null : (parseFile(text, account, CREDS_FILE) as AuthenticationCreds)
        })
      },

      async saveCreds(creds) {
        assertCreds(creds)
        const text = encodeJson(creds, `The creds of account ${account}`)
        await withLock(account, () => commitFiles(dir, account, [{ name: CREDS_FILE, text }]))
      },

      async get(type, ids) {
        assertKeyType(type)
        assertIds(ids, type)
        const names = ids.map((id) => keyFileName(type, id))
        return withLock(account, async () => {
          const texts = await Promise.all(names.map((name) => readText(join(dir, name))))
          const out: Record<string, KeyValue> = {}
          texts.forEach((text, i) => {
            if (text !== null) out[ids[i] as string] = parseFile(text, account, names[i] as string)
          })
          return out
        })
      },

      async set(data: KeyData) {
        const writes = plan(data)
        if (writes.length === 0) return
        await withLock(account, () => commitFiles(dir, account, writes))
      },

      async counts() {
        return withLock(account, async () => {
          const out: Record<string, number> = {}
          for (const name of await listDir(dir)) {
            const key = decodeKeyFileName(name)
            if (key) out[key.type] = (out[key.type] ?? 0) + 1
          }
          return out
        })
      },

      async clear() {
        await withLock(account, async () => {
          // Renaming first makes the clear all-or-nothing as seen by readers; the rm after is cleanup.
          const trash = join(root, `.${account}.trash-${randomBytes(6).toString('hex')}`)
          try {
            await rename(dir, trash)
          } catch (err) {
            if (isNotFound(err)) return
            throw ioError(`Clearing account ${account}`, err)
          }
          await rm(trash, { recursive: true, force: true })
        })
      },

      async exportSnapshot(): Promise<AuthSnapshot | null> {
        return withLock(account, async () => {
          const credsText = await readText(join(dir, CREDS_FILE))
          if (credsText === null) return null
          const keys: Record<string, Record<string, KeyValue>> = {}
          for (const name of await listDir(dir)) {
            const key = decodeKeyFileName(name)
            if (!key) continue
            const text = await readText(join(dir, name))
            if (text === null) continue
            ;(keys[key.type] ??= {})[key.id] = parseFile(text, account, name)
          }
          return { creds: parseFile(credsText, account, CREDS_FILE) as AuthenticationCreds, keys }
        })
      },

      async importSnapshot(snapshot) {
        assertSnapshot(snapshot)
        const files = [{ name: CREDS_FILE, text: encodeJson(snapshot.creds, `The creds of account ${account}`) }, ...plan(snapshot.keys)]
        await withLock(account, () => replaceFolder(root, account, files))
      },
    }
  }

  return {
    open,
    async close() {
      // Nothing to release: files are opened per call. Waiting for queued writes keeps close a flush.
      await queue.settled()
    },
  }
}

function checkedName(type: string, id: string): string {
  const name = keyFileName(type, id)
  if (name.includes('\\') || name.includes('\0') || Buffer.byteLength(name) > MAX_FILE_NAME_BYTES) {
    throw new AppError(
      'invalid-input',
      `The ${type} key "${id}" cannot be stored in the file layout (a backslash, NUL or a name over ${MAX_FILE_NAME_BYTES} bytes); use the SQLite store.`,
    )
  }
  return name
}

/**
 * Writes every new file to a temp file (fsynced) before renaming any of them into place, then deletes,
 * then fsyncs the folder. A failure while writing temp files changes nothing. What remains: a crash or an
 * error during the rename/unlink phase leaves part of the set applied; there is no cross-file atomicity
 * in a plain folder. (Values that cannot be serialized are rejected before this runs.)
 */
async function commitFiles(dir: string, account: string, writes: FileWrite[]): Promise<void> {
  await ensureDir(dir, account)
  const tag = randomBytes(6).toString('hex')
  const staged: { temp: string; final: string }[] = []
  try {
    for (const w of writes) {
      if (w.text === null) continue
      const temp = join(dir, `.${w.name}.${tag}.tmp`)
      staged.push({ temp, final: join(dir, w.name) })
      await writeDurably(temp, w.text)
    }
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })))
    throw ioError(`Writing keys for account ${account} (nothing was changed)`, err)
  }
  try {
    for (const s of staged) await rename(s.temp, s.final)
    for (const w of writes) {
      if (w.text !== null) continue
      await unlink(join(dir, w.name)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err
      })
    }
    await syncDir(dir)
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })))
    throw ioError(`Writing keys for account ${account} (it may be partly applied; reconnecting lets Baileys repair sessions)`, err)
  }
}

/**
 * Builds the whole account in a staging folder, then swaps folders with two renames. A crash between
 * the renames leaves the old state in `.<account>.old-*` and no account folder: move it back by hand.
 */
async function replaceFolder(root: string, account: string, files: FileWrite[]): Promise<void> {
  const tag = randomBytes(6).toString('hex')
  const staging = join(root, `.${account}.import-${tag}`)
  const old = join(root, `.${account}.old-${tag}`)
  const dir = join(root, account)
  try {
    await mkdir(staging, { recursive: true })
    for (const f of files) if (f.text !== null) await writeDurably(join(staging, f.name), f.text)
    await syncDir(staging)
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw ioError(`Importing account ${account} (nothing was changed)`, err)
  }
  let movedOld = false
  try {
    await rename(dir, old)
    movedOld = true
  } catch (err) {
    if (!isNotFound(err)) {
      await rm(staging, { recursive: true, force: true })
      throw ioError(`Importing account ${account} (nothing was changed)`, err)
    }
  }
  await rename(staging, dir)
  await syncDir(root)
  if (movedOld) await rm(old, { recursive: true, force: true })
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function ensureDir(dir: string, account: string): Promise<void> {
  const info = await stat(dir).catch((err: unknown) => {
    if (isNotFound(err)) return null
    throw ioError(`Opening the folder of account ${account}`, err)
  })
  if (info && !info.isDirectory()) {
    throw new AppError('conflict', `Something that is not a folder is in the way of account ${account}'s folder; move it away.`)
  }
  if (!info) await mkdir(dir, { recursive: true, mode: 0o700 })
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    throw ioError('Reading the auth folder', err)
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isNotFound(err)) return []
    throw ioError('Listing the auth folder', err)
  }
}

function parseFile(text: string, account: string, name: string): unknown {
  try {
    return decodeJson(text)
  } catch (err) {
    throw new AppError(
      'storage-corrupt',
      `The file ${name} of account ${account} is not valid JSON. Delete that file (or restore the folder from a backup) and reconnect.`,
      { cause: err },
    )
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT'
}

function ioError(what: string, err: unknown): AppError {
  const code = (err as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' ? code : 'an I/O error'
  return new AppError('unavailable', `${what} failed with ${reason}; check disk space and permissions.`, { cause: err })
}

// Reads a folder written by Baileys' useMultiFileAuthState (creds.json + <type>-<id>.json in BufferJSON)
// into an AuthSnapshot, for "import a Baileys folder". Main process, Electron-free. Read only: the folder is
// never changed. Names and values are decoded exactly as the file auth store does (file-store.ts, codec.ts),
// but straight from the folder, so its name need not be an account id and no secret is copied anywhere.

import type { Dirent } from 'node:fs'
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { decodeJson } from '../auth-store/codec'
import { decodeKeyFileName } from '../auth-store/file-store'
import type { AuthSnapshot, AuthenticationCreds, KeyValue } from '../auth-store/types'
import { isPlainObject } from '../auth-store/validate'
import { MAX_BUNDLE_BYTES } from './bundle'

const CREDS_FILE = 'creds.json'
/** A real account has a few thousand files; far more means the wrong folder (a home directory, say). */
export const MAX_FOLDER_FILES = 100_000
/** The same ceiling as a bundle: what does not fit in one could not be exported again either. */
export const MAX_FOLDER_BYTES = MAX_BUNDLE_BYTES

export async function readBaileysFolder(path: string): Promise<AuthSnapshot> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new AppError('invalid-input', 'Give the path of a Baileys auth folder.')
  }
  // A relative path would resolve against wherever the core runs (a server's working directory), which
  // is never what the person typing it meant.
  if (!isAbsolute(path)) {
    throw new AppError('invalid-input', `"${path}" is not an absolute path. Give the folder's full path on the machine that runs Irish.`)
  }
  let dir: string
  try {
    // The folder itself may be reached through a link (a home-directory alias); its files may not (below).
    dir = await realpath(path)
  } catch (error) {
    throw fsError(error, path)
  }
  const info = await stat(dir)
  if (!info.isDirectory()) throw new AppError('invalid-input', `"${path}" is a file, not a folder. Choose the folder that holds creds.json.`)

  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    throw fsError(error, path)
  }
  if (entries.length > MAX_FOLDER_FILES) {
    throw new AppError('payload-too-large', `"${path}" holds ${entries.length} entries; a Baileys auth folder has far fewer. Choose the account's own folder.`)
  }
  const credsEntry = entries.find((e) => e.name === CREDS_FILE)
  if (!credsEntry) {
    throw new AppError('invalid-input', `"${path}" has no creds.json, so it is not a Baileys auth folder (the folder given to useMultiFileAuthState).`)
  }

  // Only regular files are read. A symbolic link inside could point anywhere on this machine (another
  // account's folder, a system file); refusing is clearer than following or silently skipping it.
  const files = entries.filter((e) => e.name === CREDS_FILE || decodeKeyFileName(e.name) !== null)
  const links = files.filter((e) => e.isSymbolicLink()).map((e) => e.name)
  if (links.length > 0) {
    throw new AppError(
      'invalid-input',
      `"${path}" contains symbolic links (${links.slice(0, 3).join(', ')}${links.length > 3 ? ', …' : ''}). Copy the real files into one folder and import that.`,
    )
  }
  let total = 0
  for (const entry of files) {
    if (!entry.isFile()) continue
    total += (await lstat(join(dir, entry.name))).size
    if (total > MAX_FOLDER_BYTES) {
      throw new AppError('payload-too-large', `The files in "${path}" exceed ${MAX_FOLDER_BYTES / 2 ** 20} MiB, the most one account may hold.`)
    }
  }
  if (!credsEntry.isFile()) throw new AppError('invalid-input', `creds.json in "${path}" is not a regular file.`)

  const creds = parseFile(await readFile(join(dir, CREDS_FILE), 'utf8'), CREDS_FILE, path)
  if (!isPlainObject(creds) || !isPlainObject(creds['me']) || typeof creds['me']['id'] !== 'string') {
    throw new AppError(
      'invalid-input',
      `creds.json in "${path}" has no paired account ("me" is missing): this folder was never linked to a phone. Pair it with Baileys first.`,
    )
  }

  const keys: Record<string, Record<string, KeyValue>> = {}
  for (const entry of files) {
    if (entry.name === CREDS_FILE || !entry.isFile()) continue
    const key = decodeKeyFileName(entry.name)
    if (!key) continue
    ;(keys[key.type] ??= {})[key.id] = parseFile(await readFile(join(dir, entry.name), 'utf8'), entry.name, path)
  }
  return { creds: creds as unknown as AuthenticationCreds, keys }
}

function parseFile(text: string, name: string, folder: string): unknown {
  try {
    return decodeJson(text)
  } catch (error) {
    throw new AppError(
      'invalid-input',
      `${name} in "${folder}" is not valid JSON (the folder is damaged or was copied while Baileys was writing it). Stop the program using it and copy it again.`,
      { cause: error },
    )
  }
}

function fsError(error: unknown, path: string): AppError {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return new AppError('not-found', `There is no folder at "${path}" on the machine that runs Irish.`, { cause: error })
  if (code === 'EACCES' || code === 'EPERM') {
    return new AppError('forbidden', `Irish may not read "${path}"; check the folder's permissions.`, { cause: error })
  }
  if (code === 'ENOTDIR') return new AppError('invalid-input', `"${path}" is not a folder.`, { cause: error })
  return new AppError('unavailable', `Reading "${path}" failed with ${typeof code === 'string' ? code : 'an I/O error'}.`, { cause: error })
}

// Opening a session bundle from the OS (double-click, "Open with", a drop on the dock icon): which
// command-line entry is the bundle, and reading it for the renderer's import dialog. Electron-free so it
// is tested under Node; index.ts wires it to argv (first start and second-instance on Windows/Linux) and
// to macOS's open-file event.

import { readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute, resolve } from 'node:path'
import { MAX_BUNDLE_BYTES } from '../../shared/channels'
import type { EventPayload } from '../../shared/contract'
import { BUNDLE_EXTENSION } from '../../shared/domain'
import { AppError } from '../../shared/errors'

/**
 * The bundle named on a command line, resolved against the directory the command ran in (a second
 * instance's argv is relative to its own working directory, not ours), or null when there is none.
 * Switches are skipped (Chromium's and ours start with '-'), and so is argv[0], the executable; in
 * development argv[1] is the main script, which never ends in the bundle extension. The last bundle
 * wins: the import dialog takes one file.
 */
export function bundlePathFromArgv(argv: readonly string[], workingDirectory: string): string | null {
  for (let i = argv.length - 1; i >= 1; i--) {
    const entry = argv[i] ?? ''
    if (entry.startsWith('-')) continue
    if (!entry.toLowerCase().endsWith(BUNDLE_EXTENSION)) continue
    return isAbsolute(entry) ? entry : resolve(workingDirectory, entry)
  }
  return null
}

/** The opened file as the 'transfer:bundle-opened' event carries it; the same size limit as the page's. */
export async function readOpenedBundle(path: string): Promise<EventPayload<'transfer:bundle-opened'>> {
  const name = basename(path)
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a file')
    size = info.size
  } catch (err) {
    throw new AppError('invalid-input', `${name} could not be opened: it is not a readable file.`, { cause: err })
  }
  if (size === 0) throw new AppError('invalid-input', `${name} is empty: it is not a session bundle.`)
  if (size > MAX_BUNDLE_BYTES) {
    throw new AppError('invalid-input', `${name} is too large for a session bundle (at most ${MAX_BUNDLE_BYTES / (1024 * 1024)} MB).`)
  }
  const bytes = await readFile(path)
  return { name, base64: bytes.toString('base64') }
}

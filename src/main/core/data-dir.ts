// Where the app keeps its data when no --data-dir is given: the platform's data directory (XDG on
// Linux), then the app's folder. One home for the server, the irish CLI and anything else that needs
// it, so they all find the same accounts without flags. Main process, Electron-free.

import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { DATA_FOLDER_NAME } from '../../shared/domain'

export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, DATA_FOLDER_NAME)
}

/** Why `dir` cannot be the data dir, checked without creating or changing anything, or null. */
export function dataDirProblem(dir: string): { kind: 'not-a-directory' | 'not-writable'; message: string } | null {
  let existing = resolve(dir)
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  const target = existing === resolve(dir)
  if (!statSync(existing).isDirectory()) {
    return {
      kind: 'not-a-directory',
      message: target ? `${dir} is a file, not a directory` : `${dir} cannot be created: ${existing} is a file, not a directory`,
    }
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK)
  } catch {
    return {
      kind: 'not-writable',
      message: target ? `${dir} is not writable by this user` : `${dir} cannot be created: ${existing} is not writable by this user`,
    }
  }
  return null
}

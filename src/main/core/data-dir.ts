// Where the app keeps its data when no --data-dir is given: the platform's data directory (XDG on
// Linux), then the app's folder. One home for the server, the irish CLI and anything else that needs
// it, so they all find the same accounts without flags. Main process, Electron-free.

import { homedir } from 'node:os'
import { join } from 'node:path'
import { DATA_FOLDER_NAME } from '../../shared/domain'

export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, DATA_FOLDER_NAME)
}

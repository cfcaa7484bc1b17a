// A stable id for this data dir's installation, so a server can tell that an "other server" it was
// given is itself (export to self would stop the account and then wait on its own import). Kept in
// <data-dir>/instance-id, created on first start. A data dir restored from a backup elsewhere keeps the
// same id, which is right: it holds the same accounts.

import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const INSTANCE_ID_FILE = 'instance-id'
const PATTERN = /^[0-9a-f-]{36}$/

export function loadInstanceId(dataDir: string): string {
  const file = join(dataDir, INSTANCE_ID_FILE)
  try {
    const stored = readFileSync(file, 'utf8').trim()
    if (PATTERN.test(stored)) return stored
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // Missing or damaged: a new one. Only self-detection depends on it, and the data-dir lock is held.
  const id = randomUUID()
  writeFileSync(file, `${id}\n`, { mode: 0o600 })
  return id
}

// The data-dir lock in one process: a second taker is refused with the holder's pid, a release lets the
// next one in, a leftover owner note or PID file from a dead process does not block anyone. The
// cross-process cases (kill -9, PID 1, simultaneous starts) are in test/data-dir-lock.test.ts.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireDataDirLock, LOCK_OWNER_FILE } from './data-dir-lock'

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irish-lock-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('data-dir lock', () => {
  it('refuses a second taker, naming the holder, until the first releases', () => {
    const dir = dataDir()
    const first = acquireDataDirLock(dir, { pid: 4242 })
    expect(() => acquireDataDirLock(dir)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/Another Irish Desktop process \(pid 4242, since /) }))
    first.release()
    first.release()
    const second = acquireDataDirLock(dir)
    second.release()
  })

  it('is not fooled by an owner note naming a live process (PID 1) when nobody holds the lock', () => {
    const dir = dataDir()
    writeFileSync(join(dir, LOCK_OWNER_FILE), JSON.stringify({ pid: 1, host: 'x', since: '2026-01-01T00:00:00.000Z' }))
    writeFileSync(join(dir, 'irish.lock'), '1')
    const lock = acquireDataDirLock(dir)
    lock.release()
  })

  it('says the data dir cannot be locked when it does not exist', () => {
    expect(() => acquireDataDirLock(join(dataDir(), 'missing', 'deeper'))).toThrow(expect.objectContaining({ code: 'unavailable' }))
  })
})

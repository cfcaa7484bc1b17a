// The data-dir lock in one process: a second taker is refused with the holder's pid, a release lets the
// next one in, a leftover owner note or PID file from a dead process does not block anyone. The
// cross-process cases (kill -9, PID 1, simultaneous starts) are in test/data-dir-lock.test.ts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireDataDirLock, LOCK_DATABASE, LOCK_OWNER_FILE } from './data-dir-lock'

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

  it.each([
    ['garbage', Buffer.from('this is not a database, it was overwritten by something else\n'.repeat(100))],
    ['a damaged header', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xff)])],
  ])('says a lock file holding %s is damaged and what to do, and leaves it in place', (_what, bytes) => {
    const dir = dataDir()
    writeFileSync(join(dir, LOCK_DATABASE), bytes)
    expect(() => acquireDataDirLock(dir)).toThrow(
      expect.objectContaining({
        code: 'storage-corrupt',
        message: expect.stringMatching(/The lock file irish\.lock\.db in the data dir is damaged.*delete irish\.lock\.db, and start again/),
      }),
    )
    expect(() => acquireDataDirLock(dir)).not.toThrow(/exists and is writable/)
    expect(readFileSync(join(dir, LOCK_DATABASE))).toEqual(bytes)
    // Deleted, as the message says: the next start takes the lock.
    rmSync(join(dir, LOCK_DATABASE))
    acquireDataDirLock(dir).release()
  })

  it('says the data dir cannot be locked when it does not exist', () => {
    expect(() => acquireDataDirLock(join(dataDir(), 'missing', 'deeper'))).toThrow(expect.objectContaining({ code: 'unavailable' }))
  })
})

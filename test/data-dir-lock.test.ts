// The data-dir lock across processes: the kernel releases it when its holder is killed with SIGKILL,
// as PID 1 of a PID namespace too (a container), and of two processes starting at the same moment over
// a stale lock exactly one wins. `npm run soak:lock` runs the race 100 times.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { raceTwo, startHolder } from './support/lock-race'

const root = mkdtempSync(join(tmpdir(), 'irish-lock-race-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-pf', '--mount-proc', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const unshareWorks = canUnshare()
if (!unshareWorks) console.warn('skipping the PID-1 test: `unshare -pf --mount-proc` needs root (CI runs as root)')

describe('data-dir lock across processes', () => {
  it('is free again after its holder is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    const first = await startHolder(dir)
    expect(await first.attempt()).toMatchObject({ held: true })
    const blocked = await startHolder(dir)
    expect(await blocked.attempt()).toMatchObject({ held: false, message: expect.stringMatching(new RegExp(`pid ${first.child.pid}`)) })
    await blocked.kill()
    await first.kill()
    const next = await startHolder(dir)
    expect(await next.attempt()).toMatchObject({ held: true })
    await next.release()
  }, 30_000)

  it.skipIf(!unshareWorks)('restarts as PID 1 of a PID namespace after a kill -9 of PID 1', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    const first = await startHolder(dir, { asPid1: true })
    expect(await first.attempt()).toEqual({ held: true, pid: 1 })
    await first.kill()
    for (let restart = 0; restart < 3; restart += 1) {
      const again = await startHolder(dir, { asPid1: true })
      expect(await again.attempt()).toEqual({ held: true, pid: 1 })
      await again.kill()
    }
  }, 60_000)

  it('lets exactly one of two simultaneous starts win, over a stale lock, in every trial', async () => {
    const dir = mkdtempSync(join(root, 'd-'))
    const stale = await startHolder(dir)
    expect(await stale.attempt()).toMatchObject({ held: true })
    await stale.kill()
    for (let trial = 0; trial < 4; trial += 1) {
      const { winners, messages } = await raceTwo(dir)
      expect(winners).toBe(1)
      expect(messages).toEqual([expect.stringMatching(/Another Irish Desktop process/)])
    }
  }, 60_000)
})

import { execFileSync } from 'node:child_process'
import { totalmem } from 'node:os'
import { getHeapSpaceStatistics } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { collectStartGarbage, HEAP_LIMIT_FLAG, heapLimitFlag, heapLimitLine } from './heap-limit'

const MB = 1024 * 1024
/** What V8 adds to the old generation's limit for the young one (three semi-spaces of 64 MB), at most. */
const YOUNG_GENERATION_AT_MOST = 192 * MB
const machine = { execArgv: [], nodeOptions: undefined, totalMemory: 24_000 * MB, currentLimit: 4_288 * MB }

describe('the server heap limit', () => {
  it('raises V8 default to three quarters of the machine memory', () => {
    expect(heapLimitFlag(machine)).toBe(HEAP_LIMIT_FLAG)
    // The flag is node's own share of the memory: this node, given it, runs with three quarters of this machine's.
    const limit = Number(execFileSync(process.execPath, [HEAP_LIMIT_FLAG, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'], { encoding: 'utf8' }))
    expect(limit).toBeGreaterThanOrEqual(0.75 * totalmem() - MB)
    expect(limit).toBeLessThanOrEqual(0.75 * totalmem() + YOUNG_GENERATION_AT_MOST)
  })

  it('leaves a limit the operator gave node alone, as a flag or in NODE_OPTIONS, in either spelling', () => {
    expect(heapLimitFlag({ ...machine, execArgv: ['--max-old-space-size=2048'] })).toBeNull()
    expect(heapLimitFlag({ ...machine, execArgv: ['--max_old_space_size=2048'] })).toBeNull()
    expect(heapLimitFlag({ ...machine, nodeOptions: '--enable-source-maps --max-old-space-size-percentage=50' })).toBeNull()
  })

  it('never lowers the limit: on a small machine V8 default stays', () => {
    expect(heapLimitFlag({ ...machine, totalMemory: 2_000 * MB, currentLimit: 2_048 * MB })).toBeNull()
  })

  it('says the limit and where it came from', () => {
    expect(heapLimitLine([HEAP_LIMIT_FLAG], 24_000 * MB)).toMatch(/^heap limit \d+ MB of 24000 MB memory \(--max-old-space-size-percentage=75\)$/)
    expect(heapLimitLine(['--max-old-space-size=18000'], 24_000 * MB)).toMatch(/^heap limit \d+ MB of 24000 MB memory \(--max-old-space-size=18000\)$/)
    expect(heapLimitLine([], 24_000 * MB)).toMatch(/V8's default/)
  })
})

describe('the collection after start', () => {
  const newSpace = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size

  it('gives back the young generation a start grew, and leaves gc unexposed', () => {
    // What loading the modules does: many short-lived objects, some kept, until the new space is large.
    let kept: object[] = []
    for (let i = 0; i < 2_000_000; i++) kept.push({ i })
    kept = []
    const grown = newSpace()
    expect(grown).toBeGreaterThan(8 * 1024 * 1024)
    collectStartGarbage()
    expect(newSpace()).toBeLessThan(grown / 4)
    expect(kept).toEqual([])
    expect(runInNewContext('typeof gc')).toBe('undefined')
  })
})

import { getHeapSpaceStatistics } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { collectStartGarbage, heapLimitFlag, heapLimitLine } from './heap-limit'

const MB = 1024 * 1024
const machine = { execArgv: [], nodeOptions: undefined, totalMemory: 24_000 * MB, currentLimit: 4_288 * MB }

describe('the server heap limit', () => {
  it('raises V8 default to three quarters of the machine memory', () => {
    expect(heapLimitFlag(machine)).toBe('--max-old-space-size=18000')
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

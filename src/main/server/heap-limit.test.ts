import { describe, expect, it } from 'vitest'
import { heapLimitFlag, heapLimitLine } from './heap-limit'

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

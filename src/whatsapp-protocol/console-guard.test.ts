import { afterEach, describe, expect, it } from 'vitest'
import { guardConsoleAgainstSessionDumps, type PhraseLogger } from './console-guard'

const secret = Buffer.from('ratchet-private-key-material')

/** Like the app's logger: whatever level the guard used would be captured. */
interface CapturingLogger extends PhraseLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(): CapturingLogger
}

function capturingLogger(lines: string[]): CapturingLogger {
  const logger: CapturingLogger = {
    debug: (_obj, msg) => void lines.push(msg ?? ''),
    info: (_obj, msg) => void lines.push(msg ?? ''),
    warn: (_obj, msg) => void lines.push(msg ?? ''),
    error: (_obj, msg) => void lines.push(msg ?? ''),
    child: () => logger,
  }
  return logger
}

describe('console guard', () => {
  let restore: (() => void) | null = null
  const saved = { info: console.info, warn: console.warn, log: console.log }
  afterEach(() => {
    restore?.()
    Object.assign(console, saved)
  })

  it('drops libsignal session dumps and keeps everything else', () => {
    const printed: unknown[][] = []
    console.info = (...args: unknown[]) => void printed.push(args)
    console.warn = (...args: unknown[]) => void printed.push(args)
    const logged: string[] = []
    restore = guardConsoleAgainstSessionDumps(capturingLogger(logged))

    console.info('Closing session:', { privKey: secret })
    console.warn('Session already closed', { privKey: secret })
    console.info('an ordinary line', 42)

    expect(printed).toEqual([['an ordinary line', 42]])
    expect(logged).toEqual(['Closing session', 'Session already closed'])
    expect(JSON.stringify(logged)).not.toContain('ratchet')
  })

  it('is removed by its restore function', () => {
    const printed: unknown[][] = []
    console.info = (...args: unknown[]) => void printed.push(args)
    guardConsoleAgainstSessionDumps()()
    console.info('Closing session:', 1)
    expect(printed).toHaveLength(1)
  })
})

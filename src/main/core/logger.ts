// The logger port the core writes to. pino satisfies it; tests pass a silent or capturing one.
// Never log key material, passphrases, tokens or decrypted values.

import pino from 'pino'

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
}

/**
 * Logs go to stderr: stdout carries the lines a person or a script reads (the ready line, the sign-in
 * link), and a secret printed there must never share a stream with log records that get shipped away.
 * Synchronous, so the records before a crash are not lost in a buffer.
 */
export function createLogger(level: string = 'info'): Logger {
  return pino(
    {
      level,
      // Defence in depth: even if a token or key lands in a logged object by mistake, it is masked.
      redact: { paths: ['token', '*.token', 'passphrase', '*.passphrase', 'dataKey', '*.dataKey', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  )
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

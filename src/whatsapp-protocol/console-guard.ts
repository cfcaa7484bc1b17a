// Keeps libsignal's session dumps out of the console. libsignal (under Baileys) logs whole session
// records, ratchet private keys included, with console.info/warn/error ("Closing session:", session).
// In a desktop app or a server that console is a log file. This guard drops every argument after a
// known libsignal phrase and forwards the phrase alone to the app's logger at debug level.
// Process-wide by nature; installed once by createCore (and by the test harness and the benchmarks).

/** Where the phrases go: the app's logger, or anything with its debug method. */
export interface PhraseLogger {
  debug(obj: object, msg?: string): void
}

/** The messages libsignal 6 writes to the console (libsignal/src/*.js). */
const LIBSIGNAL_PHRASES = [
  'Closing session',
  'Opening session',
  'Removing old closed session',
  'Session already closed',
  'Session already open',
  'Migrating session',
  'Closing open session in favor of incoming prekey bundle',
  'Decrypted message with closed session',
  'Failed to decrypt message with any known session',
  'Session error',
  'V1 session storage migration error',
  'Unhandled bucket type',
  'WARNING: Expected pubkey of length 33',
]

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const
type Method = (typeof METHODS)[number]

let installed: { restore: () => void; setLogger: (logger: PhraseLogger | null) => void } | null = null

/** True when a console call is one of libsignal's, judged by its first argument. */
export function isLibsignalMessage(first: unknown): first is string {
  return typeof first === 'string' && LIBSIGNAL_PHRASES.some((phrase) => first.startsWith(phrase))
}

/**
 * Installs the guard (idempotent) and routes the phrases to `logger`. Returns a function that
 * removes it (tests).
 */
export function guardConsoleAgainstSessionDumps(logger: PhraseLogger | null = null): () => void {
  if (installed) {
    installed.setLogger(logger)
    return installed.restore
  }
  let target = logger
  const originals = new Map<Method, (...args: unknown[]) => void>()
  for (const method of METHODS) {
    const original = console[method] as (...args: unknown[]) => void
    originals.set(method, original)
    console[method] = function guardedConsole(...args: unknown[]) {
      const first = args[0]
      if (isLibsignalMessage(first)) {
        // The phrase only: what follows it is key material.
        target?.debug({ source: 'libsignal' }, first.replace(/[:\s]+$/, ''))
        return
      }
      original.apply(console, args)
    }
  }
  installed = {
    setLogger(next) {
      target = next
    },
    restore() {
      for (const [method, original] of originals) console[method] = original as never
      installed = null
    },
  }
  return installed.restore
}

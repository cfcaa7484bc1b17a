// The simulator's injectable logger. The default stays quiet except for warnings and errors, so a
// test run is not flooded; pass your own to see every unknown IQ and dropped connection.

export type LogData = Record<string, unknown>

export interface SimulatorLogger {
  debug(msg: string, data?: LogData): void
  info(msg: string, data?: LogData): void
  warn(msg: string, data?: LogData): void
  error(msg: string, data?: LogData): void
}

function noop(): void {}

export function createDefaultLogger(): SimulatorLogger {
  return {
    debug: noop,
    info: noop,
    warn: function warn(msg, data) {
      console.error(`[simulator] ${msg}`, data ?? '')
    },
    error: function error(msg, data) {
      console.error(`[simulator] ${msg}`, data ?? '')
    },
  }
}

export const silentLogger: SimulatorLogger = { debug: noop, info: noop, warn: noop, error: noop }

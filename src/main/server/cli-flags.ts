// The server's flags, parsed in one place for two readers: the entry, which reads the data dir and the
// chosen tokens before the server's modules load (token-estimates.ts), and cli.ts, which reads them all.
// It imports none of the server's modules, so the entry can read the flags before they load.

import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { defaultDataDir } from '../core/data-dir'

export class UsageError extends Error {}

const OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '7420' },
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'public-url': { type: 'string' },
  capacity: { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'key-file': { type: 'string' },
  'previous-key-file': { type: 'string' },
  'ui-dir': { type: 'string' },
  simulator: { type: 'boolean', default: false },
  'simulator-port': { type: 'string' },
  'simulator-admin-port': { type: 'string' },
  'webhooks-allow-private': { type: 'boolean', default: false },
  'log-level': { type: 'string', default: 'info' },
  'allowed-host': { type: 'string', multiple: true, default: [] },
  'trusted-proxy': { type: 'string', multiple: true, default: [] },
  'metrics-token': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options']

/** process.argv's flags, with parseArgs' complaints (an unknown flag, a missing value) as usage errors. */
export function parseServerFlags(args: string[] = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export type ServerFlags = ReturnType<typeof parseServerFlags>

export function dataDirOf(flags: ServerFlags): string {
  return resolve(flags['data-dir'] ?? defaultDataDir())
}

/** The metrics token and where it came from (named in a refusal), or null. */
export function metricsTokenOf(flags: ServerFlags, env: NodeJS.ProcessEnv): { name: string; token: string } | null {
  if (flags['metrics-token'] !== undefined) return { name: '--metrics-token', token: flags['metrics-token'] }
  return env.IRISH_METRICS_TOKEN ? { name: 'IRISH_METRICS_TOKEN', token: env.IRISH_METRICS_TOKEN } : null
}

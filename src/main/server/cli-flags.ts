// The server's flags, its usage text and its exit codes, in one place for two readers: the entry, which
// parses the flags, answers --help or refuses them, and reads the data dir and the chosen tokens before
// the server's modules load (token-estimates.ts); and cli.ts, which reads them all.
// It imports none of the server's modules, so the entry can read the flags before they load.

import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { defaultDataDir } from '../core/data-dir'

export class UsageError extends Error {}

/** sysexits.h: a bad flag or setting (EX_USAGE), a service that cannot be had (EX_UNAVAILABLE), no permission (EX_NOPERM). */
export const EXIT = { usage: 64, unavailable: 69, noPermission: 77 } as const

/** Ends the process on a usage error: its message, then the usage, on stderr, and EX_USAGE. */
export function refuseUsage(error: UsageError): never {
  console.error(`${error.message}\n\n${SERVER_USAGE}`)
  process.exit(EXIT.usage)
}

/** What `--help` prints, and a usage error after its message. */
export const SERVER_USAGE = `Usage: npm run serve -- [options]

  --host <address>     Address to bind (default 127.0.0.1). Anything else exposes the API to the network.
  --port <n>           Port (default 7420; 0 picks a free one).
  --data-dir <dir>     Where the database, the token and the lock live
                       (default $XDG_DATA_HOME/irish-desktop or ~/.local/share/irish-desktop).
  --database <url>     postgres://user:password@host:5432/db: keep accounts, settings and the auth store in
                       PostgreSQL (a fleet shares one) instead of <data-dir>/irish.db. Or IRISH_DATABASE_URL.
  --public-url <url>   With --database: where the other servers of the fleet reach this one
                       (default http://<host>:<port>). Put the address they can route to.
  --capacity <n>       With --database: run at most n accounts here (default: a fair share).
  --connect-concurrency <n>  Handshakes with WhatsApp in flight at most when many accounts start at
                       once (default 16). Or IRISH_CONNECT_CONCURRENCY.
  --key-file <file>    Data key file (mode 0600), when there is no OS keychain and no IRISH_DATA_KEY.
  --previous-key-file <file>  While the data key is rotated: the old key's file (or IRISH_PREVIOUS_DATA_KEY),
                       read with beside the new one (docs/security.md, "Rotating the data key").
  --ui-dir <dir>       The renderer build to serve (default out/renderer).
  --webhooks-allow-private  Let webhooks target private and link-local addresses (10.x, 192.168.x, 169.254.x …).
  --simulator          Start the local WhatsApp simulator in this process and trust it (tests, demos).
                       Without IRISH_DATA_KEY or a key file, the data key is kept in <data-dir>/data-key.
  --simulator-port <n> With --simulator: its WebSocket port (default: the one the last start of this
                       data dir took, else a free one; 0 picks a new free one).
  --simulator-admin-port <n>  With --simulator: its admin API's port (kept the same way).
  --log-level <level>  pino level (default info); logs go to stderr as JSON.
  --allowed-host <name>  A Host name this server answers besides loopback and the bound address
                       (the name a reverse proxy or another server uses); repeatable.
  --trusted-proxy <ip> A reverse proxy whose X-Forwarded-For is believed; repeatable.
  --metrics-token <t>  A read-only token for GET /metrics alone (Prometheus); the API token opens it
                       too. Or IRISH_METRICS_TOKEN. Same rule as IRISH_API_TOKEN (128 bits; openssl rand -hex 32).
  -h, --help           This help.

Environment: IRISH_API_TOKEN (the API token; else generated and kept in the data dir),
IRISH_DATA_KEY (base64 of 32 bytes) or IRISH_DATA_KEY_FILE, when no OS keychain is available,
IRISH_PREVIOUS_DATA_KEY or IRISH_PREVIOUS_DATA_KEY_FILE (the old key, while the data key is rotated),
IRISH_DATABASE_URL (as --database; every server of a fleet needs the same data key and API token),
IRISH_LEASE_TTL_MS (fleet lease expiry, default 15000),
IRISH_WHATSAPP_URL with IRISH_WHATSAPP_ROOT_KEY to use another WhatsApp endpoint (a simulator),
IRISH_SIMULATOR_ADMIN (its admin URL) and IRISH_SIMULATOR_ADMIN_TOKEN to play its phone from the UI.

Exit codes: 64 a bad flag or a data dir that is not a directory, 69 a busy port, an address this
machine does not have or an unreachable database, 77 a data dir this user may not write, 78 a Node
older than 24, 1 any other failure (its message on stderr).`

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

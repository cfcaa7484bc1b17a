// The headless server: `npm run serve -- [--host 127.0.0.1] [--port <n>] [--data-dir <dir>] [--simulator]`.
// Node only, never Electron. Builds the same core as the desktop app and serves the same contract over
// HTTP + WebSocket, and the renderer build at /. Prints "listening on http://<host>:<port>" when ready.
// Never prints a secret except the API token: once, on the start that generated it, or on every start
// of a demo (a server whose accounts live on a simulator), as the sign-in link.

import { existsSync, mkdirSync } from 'node:fs'
import { isIP } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAppError } from '../../shared/errors'
import type { AccountId } from '../../shared/ids'
import { serverOrigin } from '../../shared/passkey-ceremony'
import { createCore, type SimulatorPort } from '../core/create-core'
import { isPostgresUrl } from '../core/db/postgres/url'
import { fileVault, keyFromKeychain, resolveKeyVault, resolvePreviousKeyVault, type KeyVault } from '../core/crypto/key-vault'
import { createLogger } from '../core/logger'
import { createMetrics } from '../core/metrics/metrics'
import { whatsappOverrideFromEnv } from '../core/whatsapp/endpoint'
import { embeddedSimulatorPort } from '../embedded-simulator'
import { CRASH_POINTS, type CrashPoint } from '../core/transfer/hand-off-protocol'
import { startSimulator, startSimulatorAdmin } from '../../simulator/index'
import { remoteSimulator, savedSimulatorPorts, startEmbeddedSimulator, type EmbeddedSimulator } from './demo-simulator'
import { hostnameOf } from './host-policy'
import { keepCompileCache } from './compile-cache'
import { collectStartGarbage, heapLimitLine } from './heap-limit'
import { startApiServer } from './http-server'
import { checkCanListen, checkDatabase, checkDataDir, listenError, StartupError } from './preflight'
import { dataDirOf, metricsTokenOf, refuseUsage, UsageError } from './cli-flags'
import { checkChosenToken, resolveApiToken } from './token'
import type { EarlyStart } from './token-estimates'

async function main(early: EarlyStart): Promise<void> {
  // Parsed by the entry (server-entry.ts), which answers --help and refuses flags it cannot parse before
  // any of this loads.
  const { flags: values, estimates } = early
  const port = portFlag('--port', values.port) ?? 0
  const host = values.host
  for (const name of values['allowed-host']) {
    if (hostnameOf(name) === null) throw new UsageError(`--allowed-host ${JSON.stringify(name)} is not a host name or address.`)
  }
  for (const address of values['trusted-proxy']) {
    if (isIP(address) === 0) throw new UsageError(`--trusted-proxy ${JSON.stringify(address)} is not an IP address.`)
  }
  const dataDir = dataDirOf(values)
  const databaseUrl = values.database ?? (process.env.IRISH_DATABASE_URL || undefined)
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    throw new UsageError('--database (or IRISH_DATABASE_URL) must be a postgres:// URL.')
  }
  const publicUrl = values['public-url']
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(publicUrl)) {
    throw new UsageError('--public-url must be http(s)://host[:port], the address other servers reach this one at.')
  }
  const capacity = values.capacity === undefined ? undefined : Number(values.capacity)
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 0)) throw new UsageError('--capacity must be a whole number.')
  const concurrencyText = values['connect-concurrency'] ?? (process.env.IRISH_CONNECT_CONCURRENCY || undefined)
  const connectConcurrency = concurrencyText === undefined ? undefined : Number(concurrencyText)
  if (connectConcurrency !== undefined && (!Number.isInteger(connectConcurrency) || connectConcurrency < 1)) {
    throw new UsageError('--connect-concurrency (or IRISH_CONNECT_CONCURRENCY) must be a whole number of at least 1.')
  }
  const chosenMetricsToken = metricsTokenOf(values, process.env)
  const metricsToken = chosenMetricsToken?.token
  // Read once, by the entry: both tokens' verdicts are in one file.
  const tokenVerdicts = early.verdicts
  if (chosenMetricsToken) await checkChosenToken(chosenMetricsToken.name, chosenMetricsToken.token, tokenVerdicts, estimates)
  const leaseTtlMs = process.env.IRISH_LEASE_TTL_MS ? Number(process.env.IRISH_LEASE_TTL_MS) : undefined
  if (leaseTtlMs !== undefined && (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 1000)) {
    throw new UsageError('IRISH_LEASE_TTL_MS must be a whole number of milliseconds, at least 1000.')
  }
  const flaggedSimulatorPorts = { port: portFlag('--simulator-port', values['simulator-port']), adminPort: portFlag('--simulator-admin-port', values['simulator-admin-port']) }
  if (!values.simulator && (flaggedSimulatorPorts.port !== undefined || flaggedSimulatorPorts.adminPort !== undefined)) {
    throw new UsageError('--simulator-port and --simulator-admin-port go with --simulator.')
  }

  // Before anything is created or started: the data dir, this server's address, the embedded
  // simulator's ports, the database.
  checkDataDir(dataDir)
  await checkCanListen(host, port, '--port')
  const saved = values.simulator ? savedSimulatorPorts(dataDir) : null
  const simulatorPorts = { port: flaggedSimulatorPorts.port ?? saved?.port ?? 0, adminPort: flaggedSimulatorPorts.adminPort ?? saved?.adminPort ?? 0 }
  if (values.simulator) {
    const kept = saved ? "It is the port this demo's simulator had before, kept so a second server's line stays valid." : undefined
    await checkCanListen('127.0.0.1', simulatorPorts.port, '--simulator-port', kept)
    await checkCanListen('127.0.0.1', simulatorPorts.adminPort, '--simulator-admin-port', kept)
  }
  if (databaseUrl) await checkDatabase(databaseUrl)

  let listeningUrl = ''
  const logger = createLogger(values['log-level'])
  // Last guards: a fault in one request or one account's callback is logged, and the other accounts
  // keep running. Startup failures still end the process through main().catch.
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception; the server keeps running'))
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection; the server keeps running'))
  // Logs go to stderr as JSON; stdout carries the few lines a person or a test reads.
  const say = (line: string): void => void process.stdout.write(`${line}\n`)

  if (!isLoopback(host)) {
    say(`warning: binding ${host} exposes the API beyond this machine; put it behind TLS (a reverse proxy) and keep the token secret.`)
  }

  const token = await resolveApiToken(ensureDir(dataDir), process.env.IRISH_API_TOKEN, tokenVerdicts, estimates)
  let embedded: EmbeddedSimulator | null = null
  if (values.simulator) {
    embedded = await startEmbeddedSimulator(ensureDir(dataDir), simulatorPorts, token.token, { startSimulator, startSimulatorAdmin, portOf: embeddedSimulatorPort }).catch((error: unknown) => {
      // Taken between the check and now.
      throw listenError(error, '127.0.0.1', simulatorPorts.port, '--simulator-port') ?? error
    })
    say(`simulator: ${embedded.port.url} (admin ${embedded.port.adminUrl}); this server trusts it instead of real WhatsApp`)
    say(`a second server on this simulator (to try "Export to a server"), in another terminal (valid across restarts of this one):`)
    say(`  ${embedded.secondServerLine}`)
  }

  const whatsappOverride = embedded
    ? { url: embedded.port.url, trustedRootKey: embedded.port.rootKeyHex }
    : whatsappOverrideFromEnv(process.env)
  const simulatorPort: SimulatorPort | null = embedded?.port ?? remoteSimulator(process.env, whatsappOverride ?? null)
  const explicitKey = process.env.IRISH_DATA_KEY !== undefined || Boolean(values['key-file'] || process.env.IRISH_DATA_KEY_FILE)
  // A demo: this server's accounts live on a simulator, its own (--simulator) or another server's
  // (IRISH_WHATSAPP_URL with the simulator's root key), never on real WhatsApp.
  const demo = whatsappOverride !== null && whatsappOverride !== undefined
  let keyVault: KeyVault
  if (demo && !explicitKey) {
    // Demo mode holds only accounts paired with the simulator: its key lives in the data dir (0600), so
    // `npm start` works on a machine without a keychain and never touches the desktop's real key.
    const keyFile = join(ensureDir(dataDir), DEMO_KEY_FILE)
    keyVault = fileVault(keyFile, { create: true })
    say(`demo mode: the data key for this simulator-only data dir is kept in ${keyFile} (mode 0600)`)
  } else {
    keyVault = resolveKeyVault({
      env: process.env,
      ...(values['key-file'] ? { keyFile: values['key-file'] } : {}),
      preferKeychain: true,
    })
  }
  const previousKeyVault = resolvePreviousKeyVault({
    env: process.env,
    ...(values['previous-key-file'] ? { keyFile: values['previous-key-file'] } : {}),
    keychain: !demo && keyFromKeychain(process.env, values['key-file']) ? {} : null,
  })
  const core = await createCore({
    dataDir,
    keyVault,
    previousKeyVault,
    logger,
    appVersion: process.env.npm_package_version ?? '0.0.0',
    // The admin token named `default`; named tokens live in the database (irish tokens add).
    apiToken: token.token,
    ...(databaseUrl
      ? {
          databaseUrl,
          fleet: {
            url: () => publicUrl?.replace(/\/$/, '') ?? listeningUrl,
            token: token.token,
            ...(capacity !== undefined ? { capacity } : {}),
            ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}),
            ...holdKeyWriteFromEnv(process.env.IRISH_TEST_HOLD_KEY_WRITE, say),
          },
        }
      : {}),
    ...(simulatorPort ? { simulator: simulatorPort } : {}),
    ...(connectConcurrency !== undefined ? { connectConcurrency } : {}),
    ...(whatsappOverride ? { whatsappOverride } : {}),
    // The passkey helper in a person's browser talks to this origin (the UI names its own instead).
    ceremonyServer: () => serverOrigin(publicUrl ?? listeningUrl),
    ...crashPointFromEnv(process.env.IRISH_TEST_CRASH_AT),
    webhooks: { allowPrivate: values['webhooks-allow-private'], ...webhookTestTimingFromEnv(process.env.IRISH_TEST_WEBHOOK_RETRY_MS) },
  })

  const metrics = createMetrics({
    events: core.events,
    accounts: () => core.sessions.list(),
    leases: core.fleet?.leases ?? null,
    queueDepth: async () => (await core.sessions.sendStats()).reduce((n, s) => n + s.queued, 0),
  })
  const uiDir = values['ui-dir'] ? resolve(values['ui-dir']) : findRendererBuild()
  if (!uiDir) say('note: no renderer build found (run `npm run build`); the API works, the UI at / does not.')
  const server = await startApiServer({
    host,
    port,
    tokens: core.tokens,
    dispatch: core.dispatch,
    events: core.events,
    logger,
    // The other servers of a fleet reach this one by its advertised URL: its host must be answered.
    allowedHosts: [...values['allowed-host'], ...(publicUrl ? [new URL(publicUrl).hostname] : [])],
    trustedProxies: values['trusted-proxy'],
    ...(uiDir ? { staticDir: uiDir } : {}),
    metrics: { contentType: metrics.contentType, render: () => metrics.render(), token: metricsToken ?? null },
    version: process.env.npm_package_version ?? '0.0.0',
    ceremony: core.ceremony,
  }).catch((error: unknown) => {
    // Taken between the check and now.
    throw listenError(error, host, port, '--port') ?? error
  })

  listeningUrl = server.url
  // Registered before the ready line: whoever reads it may signal at once.
  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    // Pending writes get time to land; a shutdown that hangs longer than this is a bug, not a reason
    // to keep a server the operator asked to stop.
    setTimeout(() => {
      console.error('error: shutdown took longer than 20 s; exiting without finishing it')
      process.exit(1)
    }, 20_000).unref()
    await server.close()
    metrics.dispose()
    await core.close()
    await embedded?.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))

  if (token.generated) {
    say(`API token (shown once; it is kept in ${join(dataDir, 'api-token')}): ${token.token}`)
    say(`open the UI at ${server.url}/#token=${token.token}`)
  } else if (demo) {
    // A demo is restarted often and holds only simulator accounts: the link comes back every time.
    say(`open the UI at ${server.url}/#token=${token.token}`)
  } else {
    say(token.source === 'env' ? 'API token: the one in IRISH_API_TOKEN' : `API token: in ${join(dataDir, 'api-token')} (printed only on the start that made it)`)
  }
  // In fleet:servers before the ready line: whoever reads that line may ask the fleet for this server.
  await core.fleet?.leases.register()
  say(heapLimitLine())
  say(`listening on ${server.url}`)
  collectStartGarbage()
  keepCompileCache()

  await core.startAccounts()
}

function portFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a number from 0 to 65535.`)
  return port
}

/** Tests of hand-off recovery only: the server kills itself at that step (see hand-off-protocol.ts). */
function crashPointFromEnv(value: string | undefined): { crashAt?: CrashPoint } {
  if (!value) return {}
  const point = CRASH_POINTS.find((p) => p === value)
  if (!point) throw new UsageError(`IRISH_TEST_CRASH_AT must be one of ${CRASH_POINTS.join(', ')}.`)
  return { crashAt: point }
}

/**
 * Fleet fault tests only: while the file this names exists, every key write holds inside its
 * transaction (after its fence check), says so on stdout, and goes on once the file is removed. The
 * test then pauses the process (SIGSTOP) with a transaction open, deterministically.
 */
function holdKeyWriteFromEnv(path: string | undefined, say: (line: string) => void): { holdKeyWrite?: (account: AccountId, what: string) => Promise<void> } {
  if (!path) return {}
  return {
    async holdKeyWrite(account, what) {
      if (what !== 'Writing keys' || !existsSync(path)) return
      say(`test hook: holding a key write of ${account}`)
      while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 20))
    },
  }
}

/** Tests only: a first retry after this many ms instead of 1 s, so a crash test does not wait. */
function webhookTestTimingFromEnv(value: string | undefined): { retry?: { baseMs: number; maxMs: number } } {
  if (!value) return {}
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms < 1) throw new UsageError('IRISH_TEST_WEBHOOK_RETRY_MS must be a whole number of milliseconds.')
  return { retry: { baseMs: ms, maxMs: ms * 8 } }
}

const DEMO_KEY_FILE = 'data-key'

function ensureDir(dir: string): string {
  // createCore makes it too; the token is resolved first so a bad token fails before the database opens.
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

function findRendererBuild(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'out', 'renderer')
    if (existsSync(join(candidate, 'index.html'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** Starts the server with what the entry read and started early. */
export function runServer(early: EarlyStart): void {
  main(early).catch(failed)
}

function failed(error: unknown): void {
  if (error instanceof UsageError) refuseUsage(error)
  if (error instanceof StartupError) {
    console.error(`error: ${error.message}`)
    process.exit(error.exitCode)
  }
  // An AppError's message is written for a person; anything else is a bug and gets its stack.
  console.error(isAppError(error) ? `error: ${error.message}` : error)
  process.exit(1)
}

// Node process entry for the simulator: `tsx src/simulator/cli.ts --port <n> [--state <file>
// [--state-read-only]] [--admin-port <n>] [--verbose] [--accept-duplicate-messages]`. Prints one JSON line with the
// WebSocket URL, the root key to
// trust and the admin URL, then serves until SIGINT/SIGTERM. Loopback only; for tests and demos.

import '../../scripts/require-node24.mjs'
import { parseArgs } from 'node:util'
import { startSimulatorAdmin } from './admin.js'
import { createDefaultLogger, type SimulatorLogger } from './logger.js'
import { startSimulator } from './simulator.js'

const USAGE = `Usage: npm run simulator -- [options]

A local WhatsApp simulator that real Baileys pairs with and messages through (tests and demos only).
Prints one JSON line: {"url": <WebSocket URL>, "rootKey": <hex root key to trust>, "admin": <admin URL>},
then serves until Ctrl+C. Binds 127.0.0.1 only.

  --port <n>          WebSocket port (default 0: a free one).
  --admin-port <n>    Admin HTTP port (default 0: a free one).
  --state <file>      Keep accounts across restarts in this JSON file.
  --state-read-only   Start from --state but never write it (a benchmark's seeded accounts).
  --verbose           Log every frame's summary to stderr.
  -h, --help          This help.

To run a server against it:
  IRISH_WHATSAPP_URL=<url> IRISH_WHATSAPP_ROOT_KEY=<rootKey> npm run serve -- --data-dir <dir>`

function parsePort(value: string | undefined, flag: string): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} must be a port number (0-65535)`)
  return port
}

function verboseLogger(): SimulatorLogger {
  const write = (level: string) => (msg: string, data?: Record<string, unknown>) =>
    console.error(JSON.stringify({ level, msg, ...(data ?? {}) }))
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      state: { type: 'string' },
      'state-read-only': { type: 'boolean', default: false },
      'admin-port': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      // Deliver a stanza that carries one message twice for a device instead of answering 479.
      'accept-duplicate-messages': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const sim = await startSimulator({
    port: parsePort(values.port, '--port'),
    statePath: values.state,
    stateReadOnly: values['state-read-only'],
    logger: values.verbose ? verboseLogger() : createDefaultLogger(),
    rejectDuplicateMessages: !values['accept-duplicate-messages'],
  })
  const admin = await startSimulatorAdmin(sim, { port: parsePort(values['admin-port'], '--admin-port') })
  process.stdout.write(`${JSON.stringify({ url: sim.url, rootKey: sim.rootKeyHex, admin: admin.url })}\n`)

  let stopping = false
  async function stop(signal: string): Promise<void> {
    if (stopping) return
    stopping = true
    try {
      await admin.close()
      await sim.close()
      process.exit(0)
    } catch (err) {
      console.error(`[simulator] failed to stop cleanly after ${signal}`, err)
      process.exit(1)
    }
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((err: unknown) => {
  // A mistyped option gets the usage, like every other command of this project.
  if (typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    process.exit(64)
  }
  console.error('[simulator]', err instanceof Error ? err.message : err)
  process.exit(1)
})

// Node process entry for the simulator: `tsx src/simulator/cli.ts --port <n> [--state <file>]
// [--admin-port <n>] [--verbose] [--accept-duplicate-messages]`. Prints one JSON line with the
// WebSocket URL, the root key to
// trust and the admin URL, then serves until SIGINT/SIGTERM. Loopback only; for tests and demos.

import { parseArgs } from 'node:util'
import { startSimulatorAdmin } from './admin.js'
import { createDefaultLogger, type SimulatorLogger } from './logger.js'
import { startSimulator } from './simulator.js'

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
      'admin-port': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      // Deliver a stanza that carries one message twice for a device instead of answering 479.
      'accept-duplicate-messages': { type: 'boolean', default: false },
    },
    strict: true,
  })
  const sim = await startSimulator({
    port: parsePort(values.port, '--port'),
    statePath: values.state,
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
  console.error('[simulator]', err instanceof Error ? err.message : err)
  process.exit(1)
})

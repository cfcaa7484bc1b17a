// The simulator a headless server plays the phone with ("Simulate scan", "Simulate typing the code"):
// its own (--simulator, started in this process) or one it is joined to through that simulator's admin
// API (IRISH_SIMULATOR_ADMIN, with IRISH_SIMULATOR_ADMIN_TOKEN when the admin API asks for one).
// Tests and demos only. The embedded one keeps its ports, its root key (in its state file) and its admin
// token in the data dir, so the line printed for a second server stays valid across restarts.

import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { AppError } from '../../shared/errors'
import type { SimulatedLink, SimulatorPort } from '../core/whatsapp/simulator-port'

const PORTS_FILE = 'simulator-ports.json'
const ADMIN_TOKEN_FILE = 'simulator-admin-token'
const STATE_FILE = 'simulator-state.json'
const PortsSchema = z.object({ port: z.number().int().min(1).max(65535), adminPort: z.number().int().min(1).max(65535) })

export interface SimulatorPorts {
  port: number
  adminPort: number
}

/** The ports the last start of this data dir's simulator took, or null on a first start. Reads only. */
export function savedSimulatorPorts(dataDir: string): SimulatorPorts | null {
  try {
    return PortsSchema.parse(JSON.parse(readFileSync(join(dataDir, PORTS_FILE), 'utf8')))
  } catch {
    // Missing (a first start) or damaged: new ports, saved again after this start.
    return null
  }
}

export interface EmbeddedSimulator {
  port: SimulatorPort
  /** The line that starts a second server on this simulator. */
  secondServerLine: string
  close(): Promise<void>
}

/** What this file uses of a running simulator (src/simulator's Simulator). */
interface EmbeddableSimulator {
  url: string
  rootKeyHex: string
  close(): Promise<void>
}

/**
 * The simulator's own starters and the core's port over it (embedded-simulator.ts), passed in: only the
 * shells that embed it (cli.ts) import the simulator.
 */
export interface SimulatorStarters<S extends EmbeddableSimulator> {
  startSimulator(options: { port: number; statePath: string }): Promise<S>
  startSimulatorAdmin(simulator: S, options: { port: number; token: string[] }): Promise<{ url: string; close(): Promise<void> }>
  portOf(simulator: S, adminUrl: string): SimulatorPort
}

/** `apiToken`: the server's, which opens the admin API too (as it opens everything of this server). */
export async function startEmbeddedSimulator<S extends EmbeddableSimulator>(
  dataDir: string,
  ports: SimulatorPorts,
  apiToken: string,
  start: SimulatorStarters<S>,
): Promise<EmbeddedSimulator> {
  const simulator = await start.startSimulator({ port: ports.port, statePath: join(dataDir, STATE_FILE) })
  const adminToken = embeddedAdminToken(dataDir)
  let admin: Awaited<ReturnType<SimulatorStarters<S>["startSimulatorAdmin"]>>
  try {
    // The admin API can log accounts out: it takes a token, the server's or one of its own that the
    // second server's line carries (so that server never holds this one's API token).
    admin = await start.startSimulatorAdmin(simulator, { port: ports.adminPort, token: [apiToken, adminToken] })
  } catch (error) {
    await simulator.close()
    throw error
  }
  writeFileSync(join(dataDir, PORTS_FILE), `${JSON.stringify({ port: portOf(simulator.url), adminPort: portOf(admin.url) })}\n`, { mode: 0o600 })
  return {
    port: start.portOf(simulator, admin.url),
    secondServerLine:
      `IRISH_WHATSAPP_URL=${simulator.url} IRISH_WHATSAPP_ROOT_KEY=${simulator.rootKeyHex} ` +
      `IRISH_SIMULATOR_ADMIN=${admin.url} IRISH_SIMULATOR_ADMIN_TOKEN=${adminToken} npm run serve -- --port 7421 --data-dir demo-data-2`,
    async close() {
      await admin.close()
      await simulator.close()
    },
  }
}

/** A simulator this server is joined to: its phone is played through the simulator's admin API. */
export function remoteSimulator(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: { url: string; trustedRootKey: string } | null,
): SimulatorPort | null {
  const adminUrl = env.IRISH_SIMULATOR_ADMIN || undefined
  if (!adminUrl) return null
  if (!endpoint) throw new AppError('invalid-input', 'IRISH_SIMULATOR_ADMIN needs IRISH_WHATSAPP_URL and IRISH_WHATSAPP_ROOT_KEY: the simulator this server is joined to.')
  // The admin API binds loopback and answers loopback Host names only.
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/.test(adminUrl)) {
    throw new AppError('invalid-input', 'IRISH_SIMULATOR_ADMIN must be the simulator\'s admin URL on this machine, like http://127.0.0.1:41235.')
  }
  const base = adminUrl.replace(/\/$/, '')
  const token = env.IRISH_SIMULATOR_ADMIN_TOKEN || undefined
  async function post(path: string, body: unknown): Promise<SimulatedLink> {
    let response: Response
    try {
      // The simulator's admin API, not the project's API: its own small JSON answers (src/simulator/README.md).
      // eslint-disable-next-line no-restricted-syntax
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      })
    } catch (error) {
      throw new AppError('unavailable', `The simulator's admin API at ${base} cannot be reached; is the simulator running?`, { cause: error })
    }
    const answer = (await response.json().catch(() => null)) as { jid?: string; lid?: string; error?: { code?: string; message?: string } } | null
    if (response.ok && answer?.jid && answer.lid) return { jid: answer.jid, lid: answer.lid }
    if (response.status === 401) {
      throw new AppError('unauthorized', 'The simulator refused IRISH_SIMULATOR_ADMIN_TOKEN: use the one printed with the simulator\'s second-server line.')
    }
    const code = response.status === 404 ? 'not-found' : response.status === 409 ? 'conflict' : response.status === 400 ? 'invalid-input' : 'unavailable'
    throw new AppError(code, `The simulator answered: ${answer?.error?.message ?? `HTTP ${response.status}`}`)
  }
  // The demo authenticator (a phone with a passkey) lives with the simulator's own server: its keys
  // never cross to another process.
  const noPasskeyPhone = (options?: { passkey?: boolean }): void => {
    if (options?.passkey) throw new AppError('invalid-input', 'A phone with a passkey can be simulated only on the server that runs the simulator.')
  }
  return {
    url: endpoint.url,
    rootKeyHex: endpoint.trustedRootKey,
    adminUrl: base,
    scanQr(qr, options) {
      noPasskeyPhone(options)
      return post('/scan', { qr })
    },
    enterLinkCode(phone, code, options) {
      noPasskeyPhone(options)
      return post('/link-code', { phone, code })
    },
    authenticate: () => null,
  }
}

function embeddedAdminToken(dataDir: string): string {
  const file = join(dataDir, ADMIN_TOKEN_FILE)
  try {
    const saved = readFileSync(file, 'utf8').trim()
    if (/^[A-Za-z0-9_-]{32,}$/.test(saved)) return saved
  } catch {
    // a first start: made below
  }
  const token = randomBytes(24).toString('base64url')
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  return token
}

function portOf(url: string): number {
  return Number(new URL(url).port)
}

// Loopback-only HTTP admin API for a running simulator (node:http, inputs parsed with zod): scan a
// QR, type a linking code or send a text as the phone, list accounts, kick or log out devices, inject
// and clear faults. It binds 127.0.0.1 and refuses requests whose Host header is not loopback, so a
// web page cannot reach it through DNS rebinding.

import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { AppError, HTTP_STATUS_BY_CODE, isAppError } from '../shared/errors.js'
import { parseClearFaults, parseFault } from './faults/fault.js'
import { PasskeyRegistration } from './passkey/assertion.js'
import { KICK_CODES, type PairedAccount, type ScanOptions, type Simulator } from './simulator.js'
import { parse } from './validate.js'

const MAX_BODY_BYTES = 64 * 1024

export const ScanRequest = z.object({
  qr: z.string().min(1).max(4096),
  phone: z.string().regex(/^\d{5,15}$/, 'phone must be 5 to 15 digits').optional(),
  name: z.string().min(1).max(100).optional(),
})
export type ScanRequest = z.infer<typeof ScanRequest>

/** "The person typed this code on this phone." Both are normalised by the phone (see link-code.ts). */
export const LinkCodeRequest = z.object({
  phone: z.string().min(1, 'phone is required').max(32),
  code: z.string().min(1, 'code is required').max(32),
  name: z.string().min(1).max(100).optional(),
})
export type LinkCodeRequest = z.infer<typeof LinkCodeRequest>

/** "The phone of `from` sends `text` to `to`" (digits, or a user JID for `to`). */
export const SendRequest = z.object({
  from: z.string().min(1, 'from is required').max(32),
  to: z.string().min(1, 'to is required').max(64),
  text: z.string().min(1, 'text is empty').max(4096, 'text is at most 4096 characters'),
})
export type SendRequest = z.infer<typeof SendRequest>

const jid = z.string().regex(/^\d+(:\d+)?@(s\.whatsapp\.net|lid)$/, 'jid must be a user JID like 15550000001@s.whatsapp.net')

export const KickRequest = z.object({
  jid,
  code: z.literal(KICK_CODES, { message: `code must be one of ${KICK_CODES.join(', ')}` }),
})
export type KickRequest = z.infer<typeof KickRequest>

export const LogoutRequest = z.object({ jid })
export type LogoutRequest = z.infer<typeof LogoutRequest>

/** "This phone has this passkey": a base64url credential id and an EC P-256 public JWK. */
export const PasskeyRequest = PasskeyRegistration.extend({ phone: z.string().min(1, 'phone is required').max(32) })
export type PasskeyRequest = z.infer<typeof PasskeyRequest>

export const RemovePasskeyRequest = z.object({ phone: z.string().min(1, 'phone is required').max(32) })
export type RemovePasskeyRequest = z.infer<typeof RemovePasskeyRequest>

/**
 * A scan or a typed code for a phone with a passkey answers as soon as the passkey step is asked for;
 * the linking goes on without this request (its end is evented: device-linked or passkey-failed).
 */
function untilLinkedOrPasskey(
  link: (onPasskeyRequired: NonNullable<ScanOptions['onPasskeyRequired']>) => Promise<PairedAccount>,
): Promise<PairedAccount | { passkey: 'required' }> {
  return new Promise((resolve, reject) => {
    link(() => resolve({ passkey: 'required' })).then(resolve, reject)
  })
}

export interface SimulatorAdmin {
  url: string
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new AppError('payload-too-large', 'Request body is larger than 64 KiB')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err) {
    throw new AppError('invalid-input', 'Request body is not valid JSON', { cause: err })
  }
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false
  const name = host.replace(/:\d+$/, '')
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

/** Constant-time, whatever the lengths: both sides hashed first. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1]
  if (!given) return false
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(token))
}

export interface SimulatorAdminOptions {
  port?: number
  /**
   * When set, every request must carry `Authorization: Bearer <token>` (one of them, when several). The
   * headless server's --simulator mode passes its API token and a token of the simulator's own (for a
   * second server joined to it): any local user could otherwise log its accounts out. The standalone
   * simulator (tests, demos) runs without one.
   */
  token?: string | readonly string[]
}

export async function startSimulatorAdmin(sim: Simulator, opts: SimulatorAdminOptions = {}): Promise<SimulatorAdmin> {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackHost(req.headers.host)) throw new AppError('forbidden', 'The admin API only answers loopback requests')
    const tokens = opts.token === undefined ? null : [opts.token].flat()
    if (tokens && !tokens.some((token) => bearerMatches(req.headers.authorization, token))) {
      throw new AppError('unauthorized', 'This simulator\'s admin API needs the server\'s API token: send "Authorization: Bearer <token>".')
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const key = `${req.method} ${path}`
    switch (key) {
      case 'GET /accounts':
        return send(res, 200, { accounts: sim.accounts() })
      case 'GET /stats':
        return send(res, 200, sim.stats())
      case 'POST /scan': {
        const body = parse(ScanRequest, await readJson(req))
        return send(res, 200, await untilLinkedOrPasskey((onPasskeyRequired) => sim.scanQr(body.qr, { phone: body.phone, name: body.name, onPasskeyRequired })))
      }
      case 'POST /link-code': {
        const body = parse(LinkCodeRequest, await readJson(req))
        return send(res, 200, await untilLinkedOrPasskey((onPasskeyRequired) => sim.enterLinkCode(body.phone, body.code, { ...(body.name ? { name: body.name } : {}), onPasskeyRequired })))
      }
      case 'POST /send': {
        const body = parse(SendRequest, await readJson(req))
        return send(res, 200, await sim.sendFromPhone(body.from, body.to, body.text))
      }
      case 'POST /kick': {
        const body = parse(KickRequest, await readJson(req))
        return send(res, 200, { kicked: sim.kick(body.jid, body.code) })
      }
      case 'POST /logout': {
        const body = parse(LogoutRequest, await readJson(req))
        return send(res, 200, { removed: await sim.logout(body.jid) })
      }
      case 'POST /fault':
        return send(res, 200, await sim.injectFault(parseFault(await readJson(req))))
      case 'DELETE /fault':
        return send(res, 200, sim.clearFaults(parseClearFaults(await readJson(req))))
      case 'POST /passkey': {
        const { phone, ...passkey } = parse(PasskeyRequest, await readJson(req))
        sim.registerPasskey(phone, passkey)
        return send(res, 200, { registered: true })
      }
      case 'DELETE /passkey': {
        const body = parse(RemovePasskeyRequest, await readJson(req))
        if (!sim.removePasskey(body.phone)) throw new AppError('not-found', `The phone ${body.phone} has no passkey.`)
        return send(res, 200, { removed: true })
      }
      case 'GET /passkey/confirmation': {
        const phone = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('phone')
        if (!phone) throw new AppError('invalid-input', 'phone: give the phone number as ?phone=<digits>')
        return send(res, 200, { code: sim.passkeyConfirmation(phone) })
      }
      default:
        throw new AppError('not-found', `No route ${key}`)
    }
  }

  const server = createServer(function handleAdminRequest(req, res) {
    route(req, res).catch((err: unknown) => {
      if (isAppError(err)) {
        send(res, HTTP_STATUS_BY_CODE[err.code], { error: err.toInfo() })
        return
      }
      console.error('[simulator admin] unexpected error', err)
      send(res, 500, { error: { code: 'internal', message: 'Internal error' } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// Entry point of the WhatsApp simulator: a loopback WebSocket server that real Baileys pairs with by
// QR, logs into and messages through. For tests and demos only; it must never be reachable from
// other hosts and nothing in the app trusts it unless told to (see core/whatsapp/trust.ts).

import { EventEmitter } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import {
  encodeBinaryNode,
  getBinaryNodeChild,
  jidDecode,
  jidEncode,
  type BinaryNode,
  type proto,
} from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors.js'
import { createServerIdentity, type ServerIdentity } from './cert.js'
import { SimConnection } from './connection.js'
import { Directory, emptyDirectoryData, newRef, type AccountRecord, type DeviceRecord } from './directory.js'
import { DEFAULT_MAX_FRAME_BYTES } from './framing.js'
import { handleIq, type IqContext } from './iq-handlers.js'
import { createDefaultLogger, type SimulatorLogger } from './logger.js'
import { buildDeviceIdentity, parseQr, verifyDeviceSign } from './pairing.js'
import { routeMessage, routeReceipt, type RoutingContext } from './routing.js'
import { readStateFile, StateSaver } from './state-file.js'

export const S_WHATSAPP_NET = '@s.whatsapp.net'
export const KICK_CODES = [401, 403, 440, 500, 503, 515] as const
export type KickCode = (typeof KICK_CODES)[number]

export interface SimulatorOptions {
  /** 0 (default) picks any free port. The server always binds 127.0.0.1. */
  port?: number
  /** JSON state file; when given, accounts and the server identity survive restarts. */
  statePath?: string
  logger?: SimulatorLogger
  maxFrameBytes?: number
  /** How long scanQr waits for the companion's pair-device-sign. */
  pairTimeoutMs?: number
  /** Send edge_routing at login so the next connect uses the `ED` preamble (default true). */
  edgeRouting?: boolean
  /** A connection that has not finished the Noise handshake by then is closed (default 5 s). */
  handshakeTimeoutMs?: number
}

export interface ScanOptions {
  phone?: string
  name?: string
}

/** `jid` is the account-level phone JID "<pn>@s.whatsapp.net", `lid` the account-level "<lid>@lid". */
export interface PairedAccount {
  jid: string
  lid: string
  device: number
}

export interface DeviceSummary {
  id: number
  jid: string
  lid: string
  connected: boolean
  platform: string
  pushName: string
}

export interface AccountSummary {
  jid: string
  lid: string
  name: string
  devices: DeviceSummary[]
}

export interface SimulatorStats {
  connections: number
  loggedIn: number
  accounts: number
  devices: number
  queuedStanzas: number
  routedMessages: number
  memory: NodeJS.MemoryUsage
}

/** What tests and the admin UI can await instead of polling. Device JIDs are PN-form. */
export interface SimulatorEvents {
  'device-linked': [PairedAccount]
  'device-removed': [{ jid: string; device: number }]
  login: [{ jid: string; device: number }]
  disconnect: [{ jid: string; device: number }]
}

export interface Simulator {
  readonly events: EventEmitter<SimulatorEvents>
  readonly url: string
  readonly port: number
  readonly rootKeyHex: string
  scanQr(qr: string, opts?: ScanOptions): Promise<PairedAccount>
  /** Disconnects the matching connections with the given code; returns how many were kicked. */
  kick(jid: string, code: KickCode): number
  /** Unlinks the device (device JID) or every companion device (account JID), as the phone would. */
  logout(jid: string): Promise<number>
  accounts(): AccountSummary[]
  connectionCount(): number
  stats(): SimulatorStats
  close(): Promise<void>
}

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000))
}

function deviceKey(lid: string, deviceId: number): string {
  return `${lid}:${deviceId}`
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const log = opts.logger ?? createDefaultLogger()
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  const pairTimeoutMs = opts.pairTimeoutMs ?? 10_000
  const edgeRouting = opts.edgeRouting ?? true

  const loaded = opts.statePath ? await readStateFile(opts.statePath) : null
  const identity: ServerIdentity = loaded?.server ?? createServerIdentity()
  const directory = new Directory(loaded?.directory ?? emptyDirectoryData())
  const saver = opts.statePath
    ? new StateSaver(
        opts.statePath,
        () => ({ server: identity, directory: directory.data }),
        (err) => log.error('could not write the state file', { err: String(err) }),
      )
    : null
  if (saver && !loaded) saver.markDirty()
  function persist(): void {
    saver?.markDirty()
  }

  const events = new EventEmitter<SimulatorEvents>()
  const connections = new Set<SimConnection>()
  const online = new Map<string, SimConnection>()
  const pendingByRef = new Map<string, SimConnection>()

  function connectionFor(account: AccountRecord, deviceId: number): SimConnection | undefined {
    return online.get(deviceKey(account.lid, deviceId))
  }

  /** Sends now if the device is online, else queues for its next login. */
  function deliver(account: AccountRecord, deviceId: number, node: BinaryNode): void {
    const conn = connectionFor(account, deviceId)
    if (conn?.loggedIn) {
      conn.sendNode(node)
      return
    }
    const kept = directory.enqueue(account, deviceId, encodeBinaryNode({ ...node, attrs: { ...node.attrs, offline: '1' } }))
    if (!kept) log.warn('offline queue full, oldest stanza dropped', { lid: account.lid, device: deviceId })
    persist()
  }

  let routedMessages = 0
  const routing: RoutingContext = { directory, deliver, log }

  function releaseDevice(conn: SimConnection): void {
    if (!conn.user) return
    const key = deviceKey(conn.user.lid, conn.user.deviceId)
    if (online.get(key) !== conn) return
    online.delete(key)
    events.emit('disconnect', { jid: `${conn.user.pn}${S_WHATSAPP_NET}`, device: conn.user.deviceId })
  }

  function kickConnection(conn: SimConnection, code: number): void {
    releaseDevice(conn)
    if (code === 401) {
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '401', location: 'simulator' } })
    } else if (code === 440) {
      conn.sendAndClose({
        tag: 'stream:error',
        attrs: {},
        content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
      })
    } else {
      conn.sendAndClose({ tag: 'stream:error', attrs: { code: String(code) } })
    }
  }

  function removeDevice(account: AccountRecord, deviceId: number): void {
    const conn = connectionFor(account, deviceId)
    if (!directory.removeDevice(account, deviceId)) return
    if (conn) kickConnection(conn, 401)
    persist()
    events.emit('device-removed', { jid: `${account.pn}${S_WHATSAPP_NET}`, device: deviceId })
  }

  const iqContext: IqContext = { directory, persist, log, removeDevice }

  async function onPayload(conn: SimConnection, payload: proto.ClientPayload, clientStatic: Buffer): Promise<void> {
    conn.pushName = payload.pushName ?? ''
    const routingInfo = conn.reader.routingInfo
    log.debug('client payload', { conn: conn.id, routingInfo: routingInfo ? routingInfo.toString('latin1') : null })
    if (payload.devicePairingData) {
      startRegistration(conn, payload, clientStatic)
      return
    }
    const pn = payload.username != null ? String(payload.username) : ''
    const deviceId = payload.device ?? 0
    const account = directory.accountByPn(pn)
    const device = account ? directory.device(account, deviceId) : undefined
    if (!account || !device || !Buffer.from(device.noisePub, 'base64').equals(clientStatic)) {
      log.info('login refused', { pn, deviceId, known: Boolean(device) })
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '401', location: 'simulator' } })
      return
    }
    const key = deviceKey(account.lid, deviceId)
    const previous = online.get(key)
    if (previous && previous !== conn) kickConnection(previous, 440)
    conn.user = { pn: account.pn, lid: account.lid, deviceId }
    online.set(key, conn)
    if (conn.pushName && device.pushName !== conn.pushName) {
      device.pushName = conn.pushName
      persist()
    }
    conn.sendNode({
      tag: 'success',
      attrs: { t: nowSeconds(), lid: jidEncode(account.lid, 'lid', deviceId), props: '1', abprops: '1', location: 'sim' },
    })
    const queued = directory.drain(account, deviceId)
    if (queued.length) persist()
    for (const encoded of queued) conn.sendEncoded(encoded)
    if (edgeRouting) {
      conn.sendNode({
        tag: 'ib',
        attrs: {},
        content: [
          {
            tag: 'edge_routing',
            attrs: {},
            content: [{ tag: 'routing_info', attrs: {}, content: Buffer.from(`sim-${conn.id}`) }],
          },
        ],
      })
    }
    conn.sendNode({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: String(queued.length) } }] })
    events.emit('login', { jid: `${account.pn}${S_WHATSAPP_NET}`, device: deviceId })
  }

  function startRegistration(conn: SimConnection, payload: proto.ClientPayload, clientStatic: Buffer): void {
    const data = payload.devicePairingData!
    if (!data.eRegid || !data.eIdent || !data.eSkeyId || !data.eSkeyVal || !data.eSkeySig) {
      throw new Error('registration payload is incomplete')
    }
    const refs = Array.from({ length: 6 }, newRef)
    conn.registration = {
      refs,
      registrationId: Buffer.from(data.eRegid).readUInt32BE(0),
      identityPub: Buffer.from(data.eIdent),
      signedPreKey: { id: Buffer.from(data.eSkeyId).readUIntBE(0, 3), pub: Buffer.from(data.eSkeyVal), sig: Buffer.from(data.eSkeySig) },
      noisePub: clientStatic,
      pushName: payload.pushName ?? '',
      platform: String(payload.userAgent?.platform ?? ''),
    }
    for (const ref of refs) pendingByRef.set(ref, conn)
    conn.sendNode({
      tag: 'iq',
      attrs: { from: S_WHATSAPP_NET, type: 'set', id: conn.nextIqId(), xmlns: 'md' },
      content: [
        {
          tag: 'pair-device',
          attrs: {},
          content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref, 'utf8') })),
        },
      ],
    })
  }

  async function scanQr(qr: string, scan: ScanOptions = {}): Promise<PairedAccount> {
    const parsed = parseQr(qr)
    const conn = pendingByRef.get(parsed.ref)
    const reg = conn?.registration
    if (!conn || !reg || !conn.isOpen) throw new AppError('not-found', 'No companion is showing this QR code any more')
    if (!reg.noisePub.equals(parsed.noisePub) || !reg.identityPub.equals(parsed.identityPub)) {
      throw new AppError('invalid-input', 'The QR code keys do not match the waiting companion')
    }
    if (scan.phone !== undefined && !/^\d{5,15}$/.test(scan.phone)) {
      throw new AppError('invalid-input', 'phone must be 5 to 15 digits')
    }
    for (const ref of reg.refs) pendingByRef.delete(ref)
    conn.registration = null
    const account = directory.ensureAccount(scan.phone, scan.name)
    if (scan.name) account.name = scan.name
    const deviceId = account.nextDeviceId++
    const accountKey = { public: Buffer.from(account.advPub, 'base64'), private: Buffer.from(account.advPriv, 'base64') }
    const built = buildDeviceIdentity({ deviceId, identityPub: reg.identityPub, advSecret: parsed.advSecret, account: accountKey })
    let reply: BinaryNode
    try {
      reply = await conn.query(
        {
          tag: 'iq',
          attrs: { from: S_WHATSAPP_NET, type: 'set', id: conn.nextIqId(), xmlns: 'md', t: nowSeconds() },
          content: [
            {
              tag: 'pair-success',
              attrs: {},
              content: [
                { tag: 'device-identity', attrs: {}, content: built.container },
                { tag: 'platform', attrs: { name: 'android' } },
                {
                  tag: 'device',
                  attrs: { jid: jidEncode(account.pn, 's.whatsapp.net', deviceId), lid: jidEncode(account.lid, 'lid', deviceId) },
                },
              ],
            },
          ],
        },
        pairTimeoutMs,
      )
    } catch (err) {
      directory.dropIfUnused(account)
      conn.terminate()
      throw new AppError('unavailable', 'The companion did not confirm pairing', { cause: err })
    }
    const signNode = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity')
    const signed = signNode?.content
    if (!(signed instanceof Uint8Array) || !verifyDeviceSign(signed, built, reg.identityPub, accountKey.public)) {
      directory.dropIfUnused(account)
      conn.terminate()
      throw new AppError('forbidden', 'The companion returned an invalid device signature')
    }
    const device: DeviceRecord = {
      id: deviceId,
      noisePub: reg.noisePub.toString('base64'),
      registrationId: reg.registrationId,
      identityPub: reg.identityPub.toString('base64'),
      signedPreKey: { id: reg.signedPreKey.id, pub: reg.signedPreKey.pub.toString('base64'), sig: reg.signedPreKey.sig.toString('base64') },
      preKeys: [],
      pushName: reg.pushName,
      platform: reg.platform,
      createdAt: Date.now(),
    }
    account.devices.push(device)
    persist()
    // Baileys only stores the new creds; it needs a fresh connection to log in with them.
    conn.sendAndClose({ tag: 'stream:error', attrs: { code: '515' } })
    const paired: PairedAccount = { jid: `${account.pn}${S_WHATSAPP_NET}`, lid: `${account.lid}@lid`, device: deviceId }
    events.emit('device-linked', paired)
    return paired
  }

  async function onNode(conn: SimConnection, node: BinaryNode): Promise<void> {
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      if (!conn.settleReply(node)) log.debug('unsolicited iq reply', { conn: conn.id, id: node.attrs.id })
      return
    }
    if (node.tag === 'iq') {
      conn.sendNode(handleIq(iqContext, conn, node))
      return
    }
    const sender = conn.user ? directory.accountByLid(conn.user.lid) : undefined
    if (!sender || !conn.loggedIn) {
      log.debug('stanza before login ignored', { conn: conn.id, tag: node.tag })
      return
    }
    switch (node.tag) {
      case 'message':
        routedMessages++
        routeMessage(routing, conn, sender, node)
        return
      case 'receipt':
        routeReceipt(routing, conn, sender, node)
        return
      default:
        // presence, chatstate, ack, ib: nothing to answer in this fidelity
        log.debug('stanza ignored', { tag: node.tag })
    }
  }

  function onClose(conn: SimConnection): void {
    connections.delete(conn)
    releaseDevice(conn)
    for (const ref of conn.registration?.refs ?? []) pendingByRef.delete(ref)
  }

  const http: Server = createServer(function rejectPlainHttp(_req, res) {
    res.writeHead(426, { 'content-type': 'text/plain' })
    res.end('WebSocket only\n')
  })
  // ws enforces its own payload cap before our framing sees the bytes.
  const wss = new WebSocketServer({ server: http, maxPayload: maxFrameBytes + 64 * 1024 })
  wss.on('connection', function acceptClient(ws) {
    const conn = new SimConnection(ws, identity, maxFrameBytes, { onPayload, onNode, onClose }, log, opts.handshakeTimeoutMs)
    connections.add(conn)
  })
  wss.on('error', (err) => log.error('websocket server error', { err: String(err) }))

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject)
      resolve()
    })
  })
  const port = (http.address() as AddressInfo).port

  function devicesFor(jid: string): Array<{ account: AccountRecord; deviceId: number }> {
    const decoded = jidDecode(jid)
    if (!decoded?.user) throw new AppError('invalid-input', `Not a user JID: ${jid}`)
    const account = directory.accountByUser(decoded.user, decoded.server)
    if (!account) throw new AppError('not-found', `No simulated account for ${jid}`)
    if (decoded.device !== undefined) return [{ account, deviceId: decoded.device }]
    return account.devices.map((d) => ({ account, deviceId: d.id }))
  }

  let closed = false

  return {
    events,
    url: `ws://127.0.0.1:${port}/ws/chat`,
    port,
    rootKeyHex: identity.rootPublic.toString('hex'),
    scanQr,
    kick(jid, code) {
      let count = 0
      for (const { account, deviceId } of devicesFor(jid)) {
        const conn = connectionFor(account, deviceId)
        if (conn) {
          kickConnection(conn, code)
          count++
        }
      }
      return count
    },
    async logout(jid) {
      const targets = devicesFor(jid)
      for (const { account, deviceId } of targets) removeDevice(account, deviceId)
      await saver?.flush()
      return targets.length
    },
    accounts() {
      return directory.accounts().map((a) => ({
        jid: `${a.pn}${S_WHATSAPP_NET}`,
        lid: `${a.lid}@lid`,
        name: a.name,
        devices: a.devices.map((d) => ({
          id: d.id,
          jid: jidEncode(a.pn, 's.whatsapp.net', d.id),
          lid: jidEncode(a.lid, 'lid', d.id),
          connected: Boolean(connectionFor(a, d.id)?.loggedIn),
          platform: d.platform,
          pushName: d.pushName,
        })),
      }))
    },
    connectionCount() {
      return connections.size
    },
    stats() {
      return {
        connections: connections.size,
        loggedIn: online.size,
        accounts: directory.accounts().length,
        devices: directory.accounts().reduce((n, a) => n + a.devices.length, 0),
        queuedStanzas: Object.values(directory.data.offline).reduce((n, q) => n + q.length, 0),
        routedMessages,
        memory: process.memoryUsage(),
      }
    },
    async close() {
      if (closed) return
      closed = true
      for (const conn of [...connections]) conn.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await saver?.flush()
    },
  }
}

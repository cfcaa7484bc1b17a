// Entry point of the WhatsApp simulator: a loopback WebSocket server that real Baileys pairs with by
// QR, logs into and messages through. For tests and demos only; it must never be reachable from
// other hosts and nothing in the app trusts it unless told to (see src/whatsapp-protocol/trust-root.ts).

import { EventEmitter } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import {
  decodeBinaryNode,
  encodeBinaryNode,
  jidDecode,
  jidEncode,
  type BinaryNode,
  type proto,
} from '@whiskeysockets/baileys'
import { AppError } from '../shared/errors.js'
import { createServerIdentity, type ServerIdentity } from './cert.js'
import { SimConnection } from './connection.js'
import { Directory, emptyDirectoryData, newRef, type AccountRecord } from './directory.js'
import { FaultBook } from './faults/fault-book.js'
import { parseClearFaults, parseFault, type ClearedFaults, type Fault, type FaultKind, type InjectedFault } from './faults/fault.js'
import { DEFAULT_MAX_FRAME_BYTES } from './framing.js'
import { handleIq, type IqContext } from './iq-handlers.js'
import { createDefaultLogger, type SimulatorLogger } from './logger.js'
import { normalisePhone, PhonePairing, type PairedAccount, type ScanOptions } from './phone-pairing.js'
import { PhoneSender, type SentFromPhone } from './phone-sender.js'
import type { PasskeyCheck, PasskeyRegistration } from './passkey/assertion.js'
import { PasskeyLinking } from './passkey/linking.js'
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
  /**
   * Start from `statePath` but never write it: a benchmark's seeded state (bench/seed-accounts.ts) is
   * served as loaded, and the simulator spends no time rewriting a file of thousands of accounts.
   */
  stateReadOnly?: boolean
  logger?: SimulatorLogger
  maxFrameBytes?: number
  /** How long scanQr waits for the companion's pair-device-sign. */
  pairTimeoutMs?: number
  /** Send edge_routing at login so the next connect uses the `ED` preamble (default true). */
  edgeRouting?: boolean
  /**
   * Answer a message stanza that carries the same message twice for one device with an error ack 479
   * and deliver nothing, as WhatsApp is reported to (default true). Baileys 7.0.0-rc14's retry resend
   * does exactly that for 1:1 chats; a suite that shows the resend path itself can turn this off.
   */
  rejectDuplicateMessages?: boolean
  /** How long a linking code stays valid once a companion asked for it (default 160 s, the QR window). */
  linkCodeTtlMs?: number
  /** How long a typed code waits for the companion's hello that may still be on its way (default 3 s). */
  linkCodeGraceMs?: number
  /** How long a passkey challenge is valid, and each later passkey step may take (default 5 min). */
  passkeyTimeoutMs?: number
  /** The clock link-code and passkey expiry read; tests move it instead of waiting. */
  now?: () => number
  /** A connection that has not finished the Noise handshake by then is closed (default 5 s). */
  handshakeTimeoutMs?: number
}

export type { ClearedFaults, Fault, FaultKind, InjectedFault, PairedAccount, ScanOptions, SentFromPhone }

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
  /** WebSocket connections accepted since the simulator started (a test counts who reached it). */
  accepted: number
  loggedIn: number
  accounts: number
  devices: number
  queuedStanzas: number
  /** Messages written to a connected device and not yet acknowledged by it (receipt or ack). */
  unackedMessages: number
  routedMessages: number
  memory: NodeJS.MemoryUsage
}

/** What tests and the admin UI can await instead of polling. Device JIDs are PN-form. */
export interface SimulatorEvents {
  'device-linked': [PairedAccount]
  /**
   * A message stanza was refused with an error ack: 479, one message twice for one device; 463, a
   * send to a new contact under a reach-out-limit fault.
   */
  'message-rejected': [{ id: string; code: 479 | 463 }]
  /** A bad-mac fault spoiled this message's ciphertext for this device (PN-form device JID). */
  'message-spoiled': [{ id: string; jid: string }]
  /** A timed fault of this phone (digits) ran out. */
  'fault-ended': [{ phone: string; kind: FaultKind }]
  /** A companion asked for a linking code for this phone (digits). */
  'link-code-requested': [{ phone: string }]
  /** The phone (digits) has a passkey: its companion was sent the passkey challenge. */
  'passkey-required': [{ phone: string }]
  /** The phone (digits) shows this confirmation code for its companion's passkey step. */
  'passkey-confirmation': [{ phone: string; code: string }]
  /** A passkey step ended without linking; `check` names the server check that failed, if one did. */
  'passkey-failed': [{ phone: string; check: PasskeyCheck | null; message: string }]
  'device-removed': [{ jid: string; device: number }]
  login: [{ jid: string; device: number }]
  disconnect: [{ jid: string; device: number }]
  /**
   * A device logged in while another connection of the same device was still live (two copies of one
   * session): the older one is kicked with 440, as WhatsApp does. A fleet moving an account gracefully
   * never causes one.
   */
  replaced: [{ jid: string; device: number }]
}

export interface Simulator {
  readonly events: EventEmitter<SimulatorEvents>
  readonly url: string
  readonly port: number
  readonly rootKeyHex: string
  /**
   * Plays the phone scanning a companion's QR. For a phone with a passkey it resolves once the passkey
   * step linked the device, or rejects naming the check that failed; `opts.onPasskeyRequired` is called
   * when the challenge goes out (so is the same for enterLinkCode).
   */
  scanQr(qr: string, opts?: ScanOptions): Promise<PairedAccount>
  /**
   * Plays a person typing a linking code on the phone `phone` (digits; spaces, dashes, a leading + are
   * fine; the code with or without its dash, any letter case). 404 when no companion asked for a code
   * for that number, 409 when it expired, 400 when it is wrong (the request stays, as on a phone).
   */
  enterLinkCode(phone: string, code: string, opts?: Omit<ScanOptions, 'phone'>): Promise<PairedAccount>
  /**
   * Gives the phone (digits; spaces, dashes, a leading + are fine) a passkey: every linking of it, by
   * QR or by code, then goes through the passkey step before pair-success. Replaces an earlier one.
   */
  registerPasskey(phone: string, passkey: PasskeyRegistration): void
  /** Removes the phone's passkey; false when it had none. */
  removePasskey(phone: string): boolean
  /** The XXXX-XXXX code the phone shows for its companion's passkey step; not-found before that step. */
  passkeyConfirmation(phone: string): string
  /**
   * The phone of account `from` (digits; created if unknown, as a phone with WhatsApp) sends a text to
   * every device of `to` (digits or a user JID), with a copy to its own companion devices.
   */
  sendFromPhone(from: string, to: string, text: string): Promise<SentFromPhone>
  /**
   * Holds every delivery until the returned function is called, then delivers them in order: what a
   * slow network does to two messages that cross. Acks still go out at once. Tests only.
   */
  pauseDelivery(): () => void
  /** Disconnects the matching connections with the given code; returns how many were kicked. */
  kick(jid: string, code: KickCode): number
  /** Unlinks the device (device JID) or every companion device (account JID), as the phone would. */
  logout(jid: string): Promise<number>
  /**
   * Makes the phone's connections or messages misbehave as WhatsApp's do (README.md, "Faults on
   * request"). The fault is validated here too: 400 (`invalid-input`) for a bad one, 404 for a phone
   * the simulator has no account for.
   */
  injectFault(fault: Fault): Promise<InjectedFault>
  /** Ends every fault of `phone` (digits; spaces, dashes, a leading + are fine). 404 for an unknown phone. */
  clearFaults(phone: string): ClearedFaults
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
  const saver = opts.statePath && !opts.stateReadOnly
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
  let accepted = 0
  const online = new Map<string, SimConnection>()

  function connectionFor(account: AccountRecord, deviceId: number): SimConnection | undefined {
    return online.get(deviceKey(account.lid, deviceId))
  }

  /**
   * Messages written to a connection that the device has not acked yet. Like WhatsApp, the simulator
   * keeps a message until the device acks it: one sent to a socket whose process just died (kill -9,
   * before the close is noticed) goes back to the offline queue, to whichever process logs in next.
   */
  const unacked = new WeakMap<SimConnection, Map<string, BinaryNode>>()

  /** Stanzas held while delivery is paused (tests make two first messages cross this way). */
  let held: Array<[AccountRecord, number, BinaryNode]> | null = null

  /** Sends now if the device is online (and not silenced by a fault), else queues for its next login. */
  function deliver(account: AccountRecord, deviceId: number, stanza: BinaryNode): void {
    if (held) {
      held.push([account, deviceId, stanza])
      return
    }
    const node = faults.beforeDeliver(account, deviceId, stanza)
    const conn = connectionFor(account, deviceId)
    if (conn?.loggedIn && !conn.silenced) {
      track(conn, node)
      conn.sendNode(node)
      return
    }
    queueOffline(account, deviceId, node)
  }

  /** Keeps a message written to a connection until the device acknowledges it. */
  function track(conn: SimConnection, node: BinaryNode): void {
    if (node.tag !== 'message' || !node.attrs.id) return
    let pending = unacked.get(conn)
    if (!pending) unacked.set(conn, (pending = new Map()))
    pending.set(node.attrs.id, node)
  }

  function queueOffline(account: AccountRecord, deviceId: number, node: BinaryNode): void {
    const kept = directory.enqueue(account, deviceId, encodeBinaryNode({ ...node, attrs: { ...node.attrs, offline: '1' } }))
    if (!kept) log.warn('offline queue full, oldest stanza dropped', { lid: account.lid, device: deviceId })
    persist()
  }

  let routedMessages = 0
  const routing: RoutingContext = {
    directory,
    deliver,
    log,
    rejectDuplicates: opts.rejectDuplicateMessages ?? true,
    rejected: (id, code) => events.emit('message-rejected', { id, code }),
    get faults() {
      return faults
    },
    phoneRetry(phoneAccount, receiver, receiverDevice, receipt) {
      phoneSender.retry(phoneAccount, receiver, receiverDevice, receipt).catch((err: unknown) => {
        log.warn('the phone could not answer a retry receipt', { id: receipt.attrs.id, err: String(err) })
      })
    },
  }

  function releaseDevice(conn: SimConnection): void {
    if (!conn.user) return
    const pending = unacked.get(conn)
    unacked.delete(conn)
    const account = pending?.size ? directory.accountByLid(conn.user.lid) : undefined
    if (pending && account) for (const node of pending.values()) queueOffline(account, conn.user.deviceId, node)
    const key = deviceKey(conn.user.lid, conn.user.deviceId)
    if (online.get(key) !== conn) return
    online.delete(key)
    events.emit('disconnect', { jid: `${conn.user.pn}${S_WHATSAPP_NET}`, device: conn.user.deviceId })
  }

  /**
   * Ends a logged-in connection with the stanza WhatsApp sends for `code`. 401 on a live socket is the
   * phone unlinking the device (the stream error whatsmeow reads as "device removed"); 403 is a
   * `failure`, as ban reports show it (Baileys: "Connection Failure", 403). Assumptions: README.md.
   */
  function kickConnection(conn: SimConnection, code: number): void {
    releaseDevice(conn)
    if (code === 401) {
      conn.sendAndClose({
        tag: 'stream:error',
        attrs: { code: '401' },
        content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
      })
    } else if (code === 403) {
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '403', location: 'simulator' } })
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
  const faults = new FaultBook({
    directory,
    log,
    liveConnections: (account) =>
      account.devices.flatMap((d) => {
        const conn = connectionFor(account, d.id)
        return conn?.loggedIn ? [conn] : []
      }),
    kick: kickConnection,
    async unlink(account, deviceId) {
      removeDevice(account, deviceId)
      await saver?.flush()
    },
    resume(conn) {
      const account = conn.user ? directory.accountByLid(conn.user.lid) : undefined
      if (account && conn.loggedIn && connectionFor(account, conn.user!.deviceId) === conn) flushQueue(conn, account, conn.user!.deviceId)
    },
    deliver,
    spoiled: (id, jid) => events.emit('message-spoiled', { id, jid }),
    ended: (phone, kind) => events.emit('fault-ended', { phone, kind }),
  })
  const phoneSender = new PhoneSender({ directory, persist, deliver, faults })

  /** Sends a device's queued stanzas to its connection; returns how many. */
  function flushQueue(conn: SimConnection, account: AccountRecord, deviceId: number): number {
    const queued = directory.drain(account, deviceId)
    if (queued.length) persist()
    for (const encoded of queued) conn.sendEncoded(encoded)
    // Held until the device acknowledges them, as messages delivered live are: a connection that closes
    // first hands them back to the offline queue (WhatsApp keeps a message until it is acknowledged).
    // The stanzas are stored uncompressed, so decoding settles in microtasks, before any answer can arrive.
    void Promise.all(queued.map((encoded) => decodeBinaryNode(encoded))).then((nodes) => {
      for (const node of nodes) track(conn, node)
    })
    return queued.length
  }
  const passkeys = new PasskeyLinking({
    directory,
    log,
    persist,
    now: opts.now ?? Date.now,
    timeoutMs: opts.passkeyTimeoutMs ?? 300_000,
    required: (number) => events.emit('passkey-required', { phone: number }),
    confirmation: (number, code) => events.emit('passkey-confirmation', { phone: number, code }),
    failed: (number, check, message) => events.emit('passkey-failed', { phone: number, check, message }),
  })
  const phone = new PhonePairing({
    directory,
    log,
    persist,
    linked: (paired) => events.emit('device-linked', paired),
    requested: (number) => events.emit('link-code-requested', { phone: number }),
    pairTimeoutMs,
    linkCodeTtlMs: opts.linkCodeTtlMs ?? 160_000,
    linkCodeGraceMs: opts.linkCodeGraceMs ?? 3_000,
    now: opts.now ?? Date.now,
    passkey: passkeys,
  })

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
    if (faults.isBanned(account)) {
      log.info('login refused: the account is banned by a fault', { pn, deviceId })
      conn.sendAndClose({ tag: 'failure', attrs: { reason: '403', location: 'simulator' } })
      return
    }
    const key = deviceKey(account.lid, deviceId)
    const previous = online.get(key)
    if (previous && previous !== conn) {
      kickConnection(previous, 440)
      events.emit('replaced', { jid: `${account.pn}${S_WHATSAPP_NET}`, device: deviceId })
    }
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
    const queued = flushQueue(conn, account, deviceId)
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
    conn.sendNode({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: String(queued) } }] })
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
    phone.registered(conn, refs)
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

  async function onNode(conn: SimConnection, node: BinaryNode): Promise<void> {
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      if (!conn.settleReply(node)) log.debug('unsolicited iq reply', { conn: conn.id, id: node.attrs.id })
      return
    }
    if (node.tag === 'iq') {
      conn.sendNode(phone.onCompanionIq(conn, node) ?? passkeys.onCompanionIq(conn, node) ?? handleIq(iqContext, conn, node))
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
        // A device answers a message with a receipt (Baileys sends no ack for it): that settles it, as
        // an ack does. Without this, every message a device ever received would be handed again to
        // the next process that logs in as that device (an imported session), which cannot decrypt it.
        for (const id of receiptMessageIds(node)) unacked.get(conn)?.delete(id)
        routeReceipt(routing, conn, sender, node)
        return
      case 'ack':
        if (node.attrs.class === 'message' && node.attrs.id) unacked.get(conn)?.delete(node.attrs.id)
        return
      default:
        // presence, chatstate, ib: nothing to answer in this fidelity
        log.debug('stanza ignored', { tag: node.tag })
    }
  }

  function onClose(conn: SimConnection): void {
    connections.delete(conn)
    faults.closed(conn)
    releaseDevice(conn)
    phone.closed(conn)
    passkeys.closed(conn)
  }

  const http: Server = createServer(function rejectPlainHttp(_req, res) {
    res.writeHead(426, { 'content-type': 'text/plain' })
    res.end('WebSocket only\n')
  })
  // ws enforces its own payload cap before our framing sees the bytes.
  const wss = new WebSocketServer({ server: http, maxPayload: maxFrameBytes + 64 * 1024 })
  wss.on('connection', function acceptClient(ws) {
    accepted += 1
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
    scanQr: (qr, scan) => phone.scanQr(qr, scan),
    enterLinkCode: (number, code, options) => phone.enterLinkCode(number, code, options),
    registerPasskey: (number, passkey) => passkeys.register(normalisePhone(number), passkey),
    removePasskey: (number) => passkeys.remove(normalisePhone(number)),
    passkeyConfirmation: (number) => passkeys.confirmation(normalisePhone(number)),
    pauseDelivery() {
      held ??= []
      return () => {
        const release = held ?? []
        held = null
        for (const [account, deviceId, node] of release) deliver(account, deviceId, node)
      }
    },
    async sendFromPhone(from, to, text) {
      const sender = directory.ensureAccount(normalisePhone(from), undefined)
      const decoded = to.includes('@') ? jidDecode(to) : { user: normalisePhone(to), server: 's.whatsapp.net' }
      const recipient = decoded?.user ? directory.accountByUser(decoded.user, decoded.server) : undefined
      if (!recipient) throw new AppError('not-found', `No simulated account for ${to}: pair a device for it first.`)
      persist()
      routedMessages++
      return phoneSender.send(sender, recipient, text)
    },
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
    async injectFault(fault) {
      return faults.inject(parseFault(fault))
    },
    clearFaults: (number) => faults.clear(parseClearFaults({ phone: number })),
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
        accepted,
        loggedIn: online.size,
        accounts: directory.accounts().length,
        devices: directory.accounts().reduce((n, a) => n + a.devices.length, 0),
        queuedStanzas: Object.values(directory.data.offline).reduce((n, q) => n + q.length, 0),
        unackedMessages: [...online.values()].reduce((n, conn) => n + (unacked.get(conn)?.size ?? 0), 0),
        routedMessages,
        memory: process.memoryUsage(),
      }
    },
    async close() {
      if (closed) return
      closed = true
      faults.close()
      for (const conn of [...connections]) conn.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await saver?.flush()
    },
  }
}

/** The message ids a receipt covers: its own id and any `<list><item id>` children. */
function receiptMessageIds(node: BinaryNode): string[] {
  const ids = node.attrs.id ? [node.attrs.id] : []
  const list = Array.isArray(node.content) ? node.content.find((child) => child.tag === 'list') : undefined
  if (list && Array.isArray(list.content)) {
    for (const item of list.content) if (item.tag === 'item' && item.attrs.id) ids.push(item.attrs.id)
  }
  return ids
}

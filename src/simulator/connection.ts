// One client WebSocket on the simulator: framing, the Noise handshake, then decrypted binary nodes
// handed to the simulator strictly in arrival order. Any malformed input ends this connection
// only; the simulator and its other connections are never affected.

import type { WebSocket } from 'ws'
import { decodeBinaryNode, encodeBinaryNode, proto, type BinaryNode } from '@whiskeysockets/baileys'
import { encodeFrame, FrameReader } from './framing.js'
import { NoiseResponder, type NoiseTransport } from './noise.js'
import type { ServerIdentity } from './cert.js'
import type { SimulatorLogger } from './logger.js'

export interface ConnectionHooks {
  onPayload(conn: SimConnection, payload: proto.ClientPayload, clientStatic: Buffer): Promise<void> | void
  onNode(conn: SimConnection, node: BinaryNode): Promise<void> | void
  onClose(conn: SimConnection): void
}

export interface PendingRegistration {
  refs: string[]
  registrationId: number
  identityPub: Buffer
  signedPreKey: { id: number; pub: Buffer; sig: Buffer }
  noisePub: Buffer
  pushName: string
  platform: string
}

/** A client that does not close after a stream:error or failure gets cut off after this. */
const CLOSE_GRACE_MS = 2000
/** A client must finish the Noise handshake within this; an idle or trickling one holds nothing longer. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000

let nextConnectionId = 1

export class SimConnection {
  readonly id = nextConnectionId++
  readonly reader: FrameReader
  private phase: 'hello' | 'finish' | 'transport' | 'closed' = 'hello'
  private readonly responder: NoiseResponder
  private transport: NoiseTransport | null = null
  private work: Promise<void> = Promise.resolve()
  private readonly awaiting = new Map<string, (node: BinaryNode) => void>()
  private graceTimer: NodeJS.Timeout | null = null
  private handshakeTimer: NodeJS.Timeout | null = null
  private iqCounter = 0
  /** After a stream:error or failure nothing more from this client is acted upon. */
  private closing = false
  private closedNotified = false

  /** Set once the client logged in with a known device. */
  user: { pn: string; lid: string; deviceId: number } | null = null
  registration: PendingRegistration | null = null
  pushName = ''
  /**
   * Set by a silence or 408 stall fault (faults/fault-book.ts): the link is dead both ways, so nothing
   * is sent and what the client sends is dropped unread; the socket itself stays open.
   */
  silenced = false

  constructor(
    private readonly ws: WebSocket,
    identity: ServerIdentity,
    maxFrameBytes: number,
    private readonly hooks: ConnectionHooks,
    private readonly log: SimulatorLogger,
    handshakeTimeoutMs: number = DEFAULT_HANDSHAKE_TIMEOUT_MS,
  ) {
    this.handshakeTimer = setTimeout(() => {
      this.log.info('dropping connection that did not finish the handshake', { conn: this.id, timeoutMs: handshakeTimeoutMs })
      this.terminate()
    }, handshakeTimeoutMs)
    this.handshakeTimer.unref()
    this.reader = new FrameReader(maxFrameBytes)
    this.responder = new NoiseResponder(identity.serverStatic, identity.certChain)
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.onData(toBuffer(data)))
    ws.on('close', () => this.onClosed())
    ws.on('error', (err) => {
      this.log.debug('websocket error', { conn: this.id, err: String(err) })
      this.terminate()
    })
  }

  get isOpen(): boolean {
    return this.phase !== 'closed'
  }

  get loggedIn(): boolean {
    return this.user !== null && this.phase === 'transport' && !this.closing
  }

  sendNode(node: BinaryNode): void {
    this.sendEncoded(encodeBinaryNode(node))
  }

  /** Sends bytes already produced by encodeBinaryNode (used for the offline queue). */
  sendEncoded(encoded: Uint8Array): void {
    if (!this.transport || this.phase !== 'transport' || this.silenced) return
    this.ws.send(encodeFrame(this.transport.encrypt(encoded)))
  }

  nextIqId(): string {
    return `sim-${this.id}-${++this.iqCounter}`
  }

  /** Sends a server-initiated IQ and resolves with the client's result or error node. */
  query(node: BinaryNode, timeoutMs: number): Promise<BinaryNode> {
    const id = node.attrs.id
    if (!id) return Promise.reject(new Error('iq without id'))
    return new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaiting.delete(id)
        reject(new Error(`client did not answer iq ${id} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.awaiting.set(id, (reply) => {
        clearTimeout(timer)
        resolve(reply)
      })
      this.sendNode(node)
    })
  }

  /** Resolves a waiting server IQ; returns false when nobody waited for this id. */
  settleReply(node: BinaryNode): boolean {
    const id = node.attrs.id
    const waiter = id ? this.awaiting.get(id) : undefined
    if (!id || !waiter) return false
    this.awaiting.delete(id)
    waiter(node)
    return true
  }

  /** Tells the client why it is being dropped, then lets it close; force-closes if it lingers. */
  sendAndClose(node: BinaryNode): void {
    this.sendNode(node)
    this.closing = true
    if (!this.graceTimer) {
      this.graceTimer = setTimeout(() => this.terminate(), CLOSE_GRACE_MS)
      this.graceTimer.unref()
    }
  }

  terminate(): void {
    if (this.phase === 'closed') return
    this.phase = 'closed'
    this.ws.terminate()
    this.onClosed()
  }

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return
    try {
      for (const frame of this.reader.push(chunk)) this.onFrame(frame)
    } catch (err) {
      this.log.info('dropping connection after bad input', { conn: this.id, err: String(err) })
      this.terminate()
    }
  }

  private onFrame(frame: Buffer): void {
    switch (this.phase) {
      case 'hello': {
        this.ws.send(encodeFrame(this.responder.respond(frame)))
        this.phase = 'finish'
        return
      }
      case 'finish': {
        const { clientStatic, payload, transport } = this.responder.finish(frame)
        this.transport = transport
        this.phase = 'transport'
        this.clearHandshakeTimer()
        const decoded = proto.ClientPayload.decode(payload)
        this.enqueue(() => this.hooks.onPayload(this, decoded, clientStatic))
        return
      }
      case 'transport': {
        // Decrypt now, in arrival order: the GCM counter leaves no room for reordering.
        const plain = this.transport!.decrypt(frame)
        if (this.silenced) return
        this.enqueue(async () => {
          const node = await decodeBinaryNode(plain)
          if (!this.closing) await this.hooks.onNode(this, node)
        })
        return
      }
      case 'closed':
        return
    }
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.work = this.work.then(task).catch((err: unknown) => {
      this.log.warn('dropping connection after a failed stanza', { conn: this.id, err: String(err) })
      this.terminate()
    })
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer)
    this.handshakeTimer = null
  }

  private onClosed(): void {
    this.phase = 'closed'
    this.clearHandshakeTimer()
    if (this.graceTimer) clearTimeout(this.graceTimer)
    if (this.closedNotified) return
    this.closedNotified = true
    this.awaiting.clear()
    this.hooks.onClose(this)
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import pino from 'pino'
import {
  Curve,
  DisconnectReason,
  makeNoiseHandler,
  NOISE_WA_HEADER,
  proto,
  type BinaryNode,
  type WASocket,
} from '@whiskeysockets/baileys'
import { encodeFrame } from './framing.js'
import { closeSocket, nextMessage, pairClient, textOf, useSimulator, waitForClose, type PairedClient } from '../../test/support/baileys-clients.js'
import { trustWhatsAppRoot } from '../whatsapp-protocol/trust-root'

const suite = useSimulator({ beforeAll, afterEach, afterAll })
let a: PairedClient
let b: PairedClient
const extra: WASocket[] = []

beforeAll(async () => {
  a = await pairClient(suite.sim)
  b = await pairClient(suite.sim)
})
afterAll(async () => {
  await Promise.all([a.sock, b.sock, ...extra].map(closeSocket))
})

interface RawClient {
  ws: WebSocket
  closed: Promise<void>
  nextData(): Promise<Buffer>
}

async function rawClient(): Promise<RawClient> {
  const ws = new WebSocket(suite.sim.url)
  const inbox: Buffer[] = []
  const waiters: Array<(b: Buffer) => void> = []
  ws.on('message', (data: Buffer) => {
    const waiter = waiters.shift()
    if (waiter) waiter(data)
    else inbox.push(data)
  })
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    closed,
    nextData: () => {
      const queued = inbox.shift()
      if (queued) return Promise.resolve(queued)
      return new Promise<Buffer>((resolve, reject) => {
        waiters.push(resolve)
        void closed.then(() => reject(new Error('closed before data')))
      })
    },
  }
}

/** Plays Baileys' client handshake with its own noise handler, optionally with an ED preamble. */
async function handshake(routingInfo?: Buffer) {
  trustWhatsAppRoot(suite.sim.rootKeyHex)
  const client = await rawClient()
  const ephemeral = Curve.generateKeyPair()
  const noise = makeNoiseHandler({
    keyPair: ephemeral,
    NOISE_HEADER: NOISE_WA_HEADER,
    logger: pino({ level: 'silent' }),
    routingInfo,
  })
  client.ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish()))
  const serverHello = await new Promise<Uint8Array>((resolve) => {
    void client.nextData().then((data) => noise.decodeFrame(data, (frame) => resolve(frame as Uint8Array)))
  })
  const noiseKey = Curve.generateKeyPair()
  const keyEnc = noise.processHandshake(proto.HandshakeMessage.decode(serverHello), noiseKey)
  return { client, noise, keyEnc }
}

function nodesOf(client: RawClient, noise: ReturnType<typeof makeNoiseHandler>): Promise<BinaryNode> {
  return new Promise<BinaryNode>((resolve) => {
    void client.nextData().then((data) => noise.decodeFrame(data, (frame) => resolve(frame as BinaryNode)))
  })
}

async function loginAsStranger(routingInfo?: Buffer): Promise<BinaryNode> {
  const { client, noise, keyEnc } = await handshake(routingInfo)
  const payload = proto.ClientPayload.encode({ username: 19990000009, device: 1, passive: true, pull: true }).finish()
  client.ws.send(noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: noise.encrypt(payload) } }).finish()))
  await noise.finishInit()
  const reply = await nodesOf(client, noise)
  client.ws.close()
  await client.closed
  return reply
}

async function stillServing(): Promise<void> {
  const text = `ping ${randomBytes(4).toString('hex')}`
  const arrives = nextMessage(b.sock, (m) => textOf(m) === text)
  await a.sock.sendMessage(b.account.jid, { text })
  await arrives
}

describe('transport', () => {
  it('completes the Noise handshake with the plain WA intro (chain signatures: see cert.test.ts)', async () => {
    const reply = await loginAsStranger()
    expect(reply.tag).toBe('failure')
    expect(reply.attrs.reason).toBe('401')
  })

  it('accepts the ED routing preamble before the WA intro', async () => {
    const reply = await loginAsStranger(Buffer.from('edge-routing-test'))
    expect(reply.tag).toBe('failure')
  })
})

describe('hostile input closes only the offending connection', () => {
  it('garbage bytes', async () => {
    const client = await rawClient()
    client.ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    await client.closed
    await stillServing()
  })

  it('an oversized length prefix', async () => {
    const client = await rawClient()
    client.ws.send(Buffer.concat([NOISE_WA_HEADER, Buffer.from([0xff, 0xff, 0xff]), randomBytes(16)]))
    await client.closed
    await stillServing()
  })

  it('a client hello that is not a handshake message', async () => {
    const client = await rawClient()
    client.ws.send(Buffer.concat([NOISE_WA_HEADER, encodeFrame(randomBytes(64))]))
    await client.closed
    await stillServing()
  })

  it('a client finish that fails authentication', async () => {
    const { client, noise } = await handshake()
    const bogus = proto.HandshakeMessage.encode({ clientFinish: { static: randomBytes(48), payload: randomBytes(80) } }).finish()
    client.ws.send(noise.encodeFrame(bogus))
    await client.closed
    await stillServing()
  })

  it('a transport frame that does not decrypt, from a logged-in Baileys client', async () => {
    const victim = await pairClient(suite.sim)
    extra.push(victim.sock)
    const closed = waitForClose(victim.sock)
    const raw = (victim.sock.ws as unknown as { socket: WebSocket }).socket
    raw.send(encodeFrame(randomBytes(48)))
    expect(await closed).toBe(DisconnectReason.connectionClosed)
    await stillServing()
    expect(suite.sim.accounts().find((x) => x.jid === victim.account.jid)?.devices[0]?.connected).toBe(false)
  })
})

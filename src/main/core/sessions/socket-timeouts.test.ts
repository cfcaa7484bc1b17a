// Baileys' per-frame and per-query timers, replaced once per socket (socket-timeouts.ts): real Baileys
// sockets against a local TCP server that accepts and never answers, and a real core against it.

import makeWASocket, { DisconnectReason, initAuthCreds, type SocketConfig, type WASocket } from '@whiskeysockets/baileys'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newDataKey, openTestCore } from '../../../../test/support/sessions'
import { connectDeadline, createQueryWatch, NO_TIMER_PER_FRAME, SOCKET_TIMEOUTS } from './socket-timeouts'

/** Accepts TCP connections on 127.0.0.1 and never writes a byte: WhatsApp that does not answer. */
let silent: Server
const held = new Set<Socket>()
let url = ''

beforeAll(async () => {
  silent = createServer((socket) => {
    held.add(socket)
    socket.on('close', () => held.delete(socket))
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/ws/chat`
})

afterAll(async () => {
  for (const socket of held) socket.destroy()
  await new Promise((resolve) => silent.close(resolve))
})

const sockets: WASocket[] = []
function socketTo(config: Partial<SocketConfig>): WASocket {
  const socket = makeWASocket({
    waWebSocketUrl: url,
    // No key is read or written: the socket never gets past its first connect.
    auth: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => undefined } },
    logger: pino({ level: 'silent' }) as never,
    ...config,
  })
  // An unanswered connection error is Baileys' to report, not the test's.
  socket.ev.on('connection.update', () => undefined)
  sockets.push(socket)
  return socket
}
afterAll(async () => {
  for (const socket of sockets) await socket.end(undefined)
})

/** Timers alive in this process now. */
const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

describe("Baileys' timeouts, once per socket", () => {
  it("with this config Baileys starts no timer for a query, where its default starts one for each", () => {
    // Counted around synchronous calls only, so no other timer starts or ends in between. The waits
    // end with an error when the sockets close at the end; that is Baileys' to give, not the test's.
    const wait = (socket: WASocket, id: string): void => void socket.waitForMessage(id).catch(() => undefined)
    const lean = socketTo(NO_TIMER_PER_FRAME)
    const before = timers()
    wait(lean, 'lean-1')
    wait(lean, 'lean-2')
    expect(timers()).toBe(before)

    const plain = socketTo({})
    const beforePlain = timers()
    wait(plain, 'plain-1')
    wait(plain, 'plain-2')
    expect(timers()).toBe(beforePlain + 2)
  })

  it('a query left unanswered for the deadline ends as Baileys’ own timeout ended it: with undefined', async () => {
    // What Baileys' own timeout gives the caller, for comparison.
    const own = socketTo({ defaultQueryTimeoutMs: 20 })
    await expect(own.waitForMessage('own-timeout')).resolves.toBeUndefined()

    const socket = socketTo(NO_TIMER_PER_FRAME)
    let clock = 1_000
    const watch = createQueryWatch({ now: () => clock, ms: 60_000 })
    watch.attach(socket.ws)
    let settled: unknown = 'pending'
    const waiting = socket.waitForMessage('never-answered').then((value) => (settled = value))
    const answered = socket.waitForMessage('answered')

    clock += 59_999
    expect(watch.sweep(socket.ws, clock)).toBe(0)
    // An answer that comes in time is the caller's, and the watch forgets the query.
    socket.ws.emit('TAG:answered', { tag: 'iq', attrs: { id: 'answered', type: 'result' } })
    await expect(answered).resolves.toMatchObject({ attrs: { id: 'answered' } })
    await Promise.resolve()
    expect(settled).toBe('pending')

    clock += 1
    expect(watch.sweep(socket.ws, clock)).toBe(1)
    await waiting
    expect(settled).toBeUndefined()
    // Baileys took its listeners away, and nothing is left to answer.
    expect(socket.ws.listenerCount('TAG:never-answered')).toBe(0)
    expect(watch.sweep(socket.ws, clock + 120_000)).toBe(0)
  })

  it('a connect ends with 408 when nothing answers in time, and not once it is answered', async () => {
    const ended = new Promise<Error>((resolve) => connectDeadline(resolve, 20))
    const error = (await ended) as Error & { output?: { statusCode?: number } }
    expect(error.output?.statusCode).toBe(DisconnectReason.timedOut)
    expect(error.message).toMatch(/no answer to the connection/)

    // Timers of the same process fire in the order of their deadlines: once the later one has, the
    // cancelled one would have too.
    const ends: string[] = []
    const cancel = connectDeadline(() => ends.push('cancelled'), 10)
    const later = new Promise<void>((resolve) => connectDeadline(() => resolve(void ends.push('later')), 30))
    cancel()
    await later
    expect(ends).toEqual(['later'])
  })

  it('the default deadlines are Baileys’ own', () => {
    expect(SOCKET_TIMEOUTS).toEqual({ connectMs: 20_000, queryMs: 60_000 })
  })
})

describe('a core whose WhatsApp never answers', () => {
  async function silentCore(options: Pick<Parameters<typeof openTestCore>[0], 'socketTimeouts' | 'makeSocket'>): Promise<Awaited<ReturnType<typeof openTestCore>> & { dispose(): Promise<void> }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-socket-timeouts-'))
    const opened = await openTestCore({ dataDir, dataKey: newDataKey(), endpoint: { url, rootKeyHex: '00'.repeat(32) }, ...options })
    return {
      ...opened,
      async dispose() {
        await opened.core.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  }

  it('closes the connection with 408 after the connect deadline instead of waiting for ever', async () => {
    const { core, events, dispose } = await silentCore({ socketTimeouts: { connectMs: 300 } })
    try {
      const since = events.mark()
      const added = await core.sessions.add('Silent WhatsApp')
      const closed = await events.next((m) => m.event === 'accounts:changed' && m.payload.id === added.id && m.payload.lastDisconnectCode === 408, {
        since,
        what: 'the account closed with 408',
      })
      expect(closed.event).toBe('accounts:changed')
    } finally {
      await dispose()
    }
  })

  it("ends a query of the account's socket left unanswered for the query deadline, with no answer", async () => {
    let made!: (socket: WASocket) => void
    const socket = new Promise<WASocket>((resolve) => (made = resolve))
    const { core, dispose } = await silentCore({
      socketTimeouts: { connectMs: 60_000, queryMs: 300 },
      makeSocket: (config) => {
        const built = makeWASocket(config)
        made(built)
        return built
      },
    })
    try {
      await core.sessions.add('Unanswered query')
      // The liveness check, once a second, answers it; the test's own wait is far longer.
      const answer = (await socket).waitForMessage('never-answered')
      const outcome = await Promise.race([answer.then((value) => ({ value })), new Promise((resolve) => setTimeout(resolve, 8_000, 'still waiting'))])
      expect(outcome).toEqual({ value: undefined })
    } finally {
      await dispose()
    }
  })
})

// Resuming the event stream (event-stream.ts): a client that reconnects with the resume token of the
// last event it saw gets the events it missed, in order and once, then live ones; a token outside the
// window (too old, another run of the server) is told so and must read its lists again. The real server
// on 127.0.0.1 with a real WebSocket client.

import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { AccountSummary } from '../../shared/contract'
import { accountSummary } from '../../../test/support/account-summary'
import type { AccountId } from '../../shared/ids'
import { createEventBus, type EventBus } from '../core/events'
import { silentLogger } from '../core/logger'
import { startApiServer, type ApiServer } from './http-server'

const TOKEN = 'k3Jq9vX2mN8pL4wR7tY1zA6bC5dE0fG-'
const started: ApiServer[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()))
})

async function start(window = { events: 5, ms: 60_000, bytes: 1 << 20 }): Promise<{ server: ApiServer; bus: EventBus }> {
  const bus = createEventBus(silentLogger())
  const server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    dispatch: async () => ({ ok: true, value: null }),
    events: bus,
    logger: silentLogger(),
    resumeWindow: window,
  })
  started.push(server)
  return { server, bus }
}

interface Client {
  ready: Promise<{ type: 'ready'; resumed?: boolean }>
  messages: Array<{ event: string; payload: AccountSummary; resume?: string }>
  /** Resolves once `n` events have arrived. */
  count(n: number): Promise<void>
  close(): void
}

function connect(server: ApiServer, after?: string, topics?: string): Client {
  const params = new URLSearchParams()
  if (after !== undefined) params.set('after', after)
  if (topics !== undefined) params.set('topics', topics)
  const query = params.size === 0 ? '' : `?${params.toString()}`
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events${query}`, ['irish.v1', `bearer.${TOKEN}`])
  const messages: Client['messages'] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  let resolveReady!: (m: { type: 'ready'; resumed?: boolean }) => void
  const ready = new Promise<{ type: 'ready'; resumed?: boolean }>((resolve) => (resolveReady = resolve))
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type?: string }
    if (message.type === 'ready') return resolveReady(message as { type: 'ready'; resumed?: boolean })
    messages.push(message as Client['messages'][number])
    for (const w of [...waiters]) if (messages.length >= w.n) w.resolve()
  })
  return {
    ready,
    messages,
    count: (n) => (messages.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => ws.close(),
  }
}

const changed = (bus: EventBus, label: string, id = 'acc-1'): void => void bus.emit('accounts:changed', accountSummary(id as AccountId, { label }))

describe('resuming the event stream', () => {
  it('sends what a reconnecting client missed, then live events, each once and in order', async () => {
    const { server, bus } = await start()
    const first = connect(server)
    expect(await first.ready).toEqual({ type: 'ready' })
    changed(bus, 'one')
    changed(bus, 'two')
    await first.count(2)
    const last = first.messages[1]!.resume!
    expect(last).toMatch(/^[\w-]+\.2$/)
    first.close()
    // Missed while away; a telemetry tick is not kept (a sample, not a change).
    changed(bus, 'three')
    void bus.emit('telemetry:tick', { t: 1, points: [] } as never)
    changed(bus, 'four')

    const again = connect(server, last)
    expect(await again.ready).toEqual({ type: 'ready', resumed: true })
    await again.count(2)
    changed(bus, 'five')
    await again.count(3)
    expect(again.messages.map((m) => m.payload.label)).toEqual(['three', 'four', 'five'])
    expect(again.messages.map((m) => m.resume!.split('.')[1])).toEqual(['3', '4', '5'])
    again.close()
  })

  it('says resumed: false for a token outside the window, from another run, or malformed, and streams live events', async () => {
    const { server, bus } = await start({ events: 3, ms: 60_000, bytes: 1 << 20 })
    const watcher = connect(server)
    await watcher.ready
    changed(bus, 'a')
    await watcher.count(1)
    const old = watcher.messages[0]!.resume!
    for (const label of ['b', 'c', 'd', 'e']) changed(bus, label)
    await watcher.count(5)
    // Only the last three are kept: 'b' (right after the token) is gone.
    const late = connect(server, old)
    expect(await late.ready).toEqual({ type: 'ready', resumed: false })
    // The token right before the oldest kept one still resumes.
    const fine = connect(server, watcher.messages[1]!.resume!)
    expect(await fine.ready).toEqual({ type: 'ready', resumed: true })
    await fine.count(3)
    changed(bus, 'f')
    await late.count(1)
    await fine.count(4)
    expect(late.messages.map((m) => m.payload.label)).toEqual(['f'])
    expect(fine.messages.map((m) => m.payload.label)).toEqual(['c', 'd', 'e', 'f'])
    for (const token of ['another-run.1', 'garbage', `${old.split('.')[0]}.999`]) {
      const other = connect(server, token)
      expect(await other.ready, token).toEqual({ type: 'ready', resumed: false })
      other.close()
    }
    for (const c of [watcher, late, fine]) c.close()
  })

  it('replays only what the client’s topics take', async () => {
    const { server, bus } = await start()
    const first = connect(server, undefined, 'accounts:changed@acc-2')
    expect(await first.ready).toMatchObject({ type: 'ready', topics: ['accounts:changed@acc-2'] })
    changed(bus, 'mine', 'acc-2')
    await first.count(1)
    first.close()
    changed(bus, 'other', 'acc-1')
    changed(bus, 'mine too', 'acc-2')
    const again = connect(server, first.messages[0]!.resume!, 'accounts:changed@acc-2')
    expect(await again.ready).toMatchObject({ type: 'ready', resumed: true })
    changed(bus, 'live', 'acc-2')
    await again.count(2)
    expect(again.messages.map((m) => m.payload.label)).toEqual(['mine too', 'live'])
    again.close()
  })
})

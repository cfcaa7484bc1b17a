// The event stream's subscriptions, on the real server over 127.0.0.1: a client that names no topics
// gets every event; topics (in the URL, in the auth message or in a later subscribe message) narrow
// what it gets to those events, or to one account's; a bad topic is refused in words.

import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { EVENTS_CLOSE_BAD_SUBSCRIPTION, EVENTS_PROTOCOL } from '../../shared/channels'
import type { AccountId } from '../../shared/ids'
import type { Dispatch } from '../core/api/dispatch'
import { createEventBus, type EventBus } from '../core/events'
import { silentLogger } from '../core/logger'
import { startApiServer, type ApiServer } from './http-server'

const TOKEN = 'Zt4Qm8Rw2Kx6Vb0Np3Lc7Hd5Jf9Gs1-'
const dispatch: Dispatch = async () => ({ ok: true, value: null })
const started: Array<{ server: ApiServer; sockets: WebSocket[] }> = []

afterEach(async () => {
  for (const { server, sockets } of started.splice(0)) {
    for (const ws of sockets) ws.terminate()
    await server.close()
  }
})

async function start(): Promise<{ bus: EventBus; open: (query?: string, headers?: Record<string, string>) => Client }> {
  const bus = createEventBus(silentLogger())
  const server = await startApiServer({ host: '127.0.0.1', port: 0, token: TOKEN, dispatch, events: bus, logger: silentLogger() })
  const entry = { server, sockets: [] as WebSocket[] }
  started.push(entry)
  return {
    bus,
    open(query = '', headers = { authorization: `Bearer ${TOKEN}` }) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events${query}`, [EVENTS_PROTOCOL], { headers })
      entry.sockets.push(ws)
      return client(ws)
    },
  }
}

interface Client {
  ws: WebSocket
  received: Array<{ type?: string; event?: string; message?: string; topics?: string[]; payload?: unknown }>
  /** Resolves with the first message (already received or to come) that `match` accepts. */
  next(match: (m: Client['received'][number]) => boolean): Promise<Client['received'][number]>
  closed: Promise<{ code: number }>
}

function client(ws: WebSocket): Client {
  const received: Client['received'] = []
  const waiters: Array<{ match: (m: Client['received'][number]) => boolean; resolve: (m: Client['received'][number]) => void }> = []
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(String(data)) as Client['received'][number]
    received.push(message)
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(message)) waiter.resolve(message)
      else waiters.push(waiter)
    }
  })
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })))
  return {
    ws,
    received,
    closed,
    next(match) {
      const found = received.find(match)
      if (found) return Promise.resolve(found)
      return new Promise((resolve) => waiters.push({ match, resolve }))
    },
  }
}

const acc = (id: string) => id as AccountId
function emitBoth(bus: EventBus, marker: string): void {
  bus.emit('accounts:removed', { id: acc(`removed-${marker}`) })
  bus.emit('accounts:message', { account: acc('acc-a'), id: `a-${marker}`, from: '1@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'secret text a', at: 1 })
  bus.emit('accounts:message', { account: acc('acc-b'), id: `b-${marker}`, from: '1@s.whatsapp.net', fromPhone: null, fromLid: null, text: 'secret text b', at: 1 })
  bus.emit('accounts:removed', { id: acc(`end-${marker}`) })
}
const ended = (marker: string) => (m: Client['received'][number]) => m.event === 'accounts:removed' && (m.payload as { id: string }).id === `end-${marker}`

describe('event stream subscriptions', () => {
  it('sends every event to a client that names no topics', async () => {
    const { bus, open } = await start()
    const all = open()
    const ready = await all.next((m) => m.type === 'ready')
    expect(ready.topics).toBeUndefined()
    emitBoth(bus, '1')
    await all.next(ended('1'))
    expect(all.received.filter((m) => m.event).map((m) => m.event)).toEqual(['accounts:removed', 'accounts:message', 'accounts:message', 'accounts:removed'])
  })

  it('sends only the topics in the URL: an event name, or one account of it', async () => {
    const { bus, open } = await start()
    const some = open(`?topics=${encodeURIComponent('accounts:removed,accounts:message@acc-b')}`)
    expect((await some.next((m) => m.type === 'ready')).topics).toEqual(['accounts:removed', 'accounts:message@acc-b'])
    emitBoth(bus, '2')
    await some.next(ended('2'))
    const messages = some.received.filter((m) => m.event === 'accounts:message')
    expect(messages.map((m) => (m.payload as { account: string }).account)).toEqual(['acc-b'])
    expect(JSON.stringify(some.received)).not.toContain('secret text a')
  })

  it('changes topics on a subscribe message, acknowledged, and keeps the old ones after a bad one', async () => {
    const { bus, open } = await start()
    const c = open('?topics=accounts:removed')
    await c.next((m) => m.type === 'ready')
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['accounts:removed', 'accounts:message@acc-a'] }))
    expect((await c.next((m) => m.type === 'subscribed')).topics).toEqual(['accounts:removed', 'accounts:message@acc-a'])
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['accounts:nope'] }))
    const refused = await c.next((m) => m.type === 'error')
    expect(refused.message).toMatch(/^Unknown event name "accounts:nope": the stream carries accounts:changed, .*The previous subscription stays\.$/)
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['telemetry:tick@acc-a'] }))
    expect((await c.next((m) => m.type === 'error' && m !== refused)).message).toContain('telemetry:tick is not about one account')
    emitBoth(bus, '3')
    await c.next(ended('3'))
    expect(c.received.filter((m) => m.event === 'accounts:message').map((m) => (m.payload as { account: string }).account)).toEqual(['acc-a'])
  })

  it('takes topics in the first-message authentication', async () => {
    const { bus, open } = await start()
    const c = open('', {})
    c.ws.on('open', () => c.ws.send(JSON.stringify({ type: 'auth', token: TOKEN, topics: ['accounts:removed'] })))
    await c.next((m) => m.type === 'ready')
    emitBoth(bus, '4')
    await c.next(ended('4'))
    expect(c.received.some((m) => m.event === 'accounts:message')).toBe(false)
  })

  it('refuses topics it cannot serve, in words, and closes', async () => {
    const { open } = await start()
    const c = open('?topics=accounts:message@Not_An_Id')
    const error = await c.next((m) => m.type === 'error')
    expect(error.message).toBe('"accounts:message@Not_An_Id" does not name an account id after the @.')
    expect((await c.closed).code).toBe(EVENTS_CLOSE_BAD_SUBSCRIPTION)
  })

  it('refuses a URL that carries anything named like a token', async () => {
    const { open } = await start()
    const c = open('?topics=accounts:removed&access_token=x')
    await expect(new Promise((resolve, reject) => {
      c.ws.on('open', resolve)
      c.ws.on('error', reject)
    })).rejects.toThrow(/404/)
  })
})

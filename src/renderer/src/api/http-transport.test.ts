// The browser transport's reconnect (http-transport.ts): it resumes after the last event it saw, and
// only a reconnect the server could not resume makes the UI refetch (a new link generation). The
// browser's WebSocket and fetch are stand-ins here (Node has no browser); the server side of resuming
// is tested against the real server in src/main/server/event-resume.test.ts.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { accountSummary } from '../../../../test/support/account-summary'
import type { AccountId } from '../../../shared/ids'
import { createHttpTransport } from './http-transport'

class FakeSocket {
  static opened: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((m: { data: string }) => void) | null = null
  onclose: ((e: { code: number }) => void) | null = null
  onerror: (() => void) | null = null
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.opened.push(this)
  }
  send(): void {}
  close(): void {}
  deliver(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }
}

const event = (label: string, resume: string) => ({ event: 'accounts:changed', payload: accountSummary('acc-1' as AccountId, { label }), resume })

describe('the browser transport reconnects by resuming', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeSocket.opened = []
    vi.stubGlobal('WebSocket', FakeSocket)
    vi.stubGlobal('window', { sessionStorage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined } })
    // The probe before a reconnect (simulator:info) answers as a live server would.
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(JSON.stringify({ ok: true, value: { trusted: false, url: null, admin: null, down: null } }), { status: 200, headers: { 'content-type': 'application/json' } }),
    )
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('asks to resume after the last event, keeps the generation when resumed, and bumps it when not', async () => {
    const transport = createHttpTransport({ baseUrl: 'http://127.0.0.1:9', initialToken: 'k3Jq9vX2mN8pL4wR7tY1zA6bC5dE0fG-' })
    const labels: string[] = []
    transport.subscribe((m) => labels.push(m.event === 'accounts:changed' ? m.payload.label : m.event))
    transport.start()
    const first = FakeSocket.opened[0]!
    expect(first.url).toBe('ws://127.0.0.1:9/api/events')
    first.deliver({ type: 'ready' })
    expect(transport.getLinkState()).toMatchObject({ status: 'open', generation: 1 })
    first.deliver(event('one', 'boot.1'))
    first.deliver(event('two', 'boot.2'))

    first.onclose?.({ code: 1006 })
    expect(transport.getLinkState().status).toBe('disconnected')
    await vi.runOnlyPendingTimersAsync()
    const second = FakeSocket.opened[1]!
    expect(second.url).toBe('ws://127.0.0.1:9/api/events?after=boot.2')
    second.deliver({ type: 'ready', resumed: true })
    second.deliver(event('three', 'boot.3'))
    expect(transport.getLinkState()).toMatchObject({ status: 'open', generation: 1 })
    expect(labels).toEqual(['one', 'two', 'three'])

    // The server could not resume (restarted, or the window passed): the UI refetches.
    second.onclose?.({ code: 1006 })
    await vi.runOnlyPendingTimersAsync()
    const third = FakeSocket.opened[2]!
    expect(third.url).toBe('ws://127.0.0.1:9/api/events?after=boot.3')
    third.deliver({ type: 'ready', resumed: false })
    expect(transport.getLinkState()).toMatchObject({ status: 'open', generation: 2 })
    transport.stop()
  })
})

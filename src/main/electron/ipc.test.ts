import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, EVENT_CHANNEL, READY_CHANNEL } from '../../shared/channels'
import { createDispatch, type Handlers } from '../core/api/dispatch'
import { createEventBus } from '../core/events'
import { silentLogger } from '../core/logger'
import { createEventForwarder, createFrameCheck, registerIpcHandlers } from './ipc'

type Handler = (event: unknown, input: unknown) => Promise<unknown>

/** A stand-in for ipcMain: Electron cannot run here, and these tests only need its registry. */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, Set<(event: unknown) => void>>()
  return {
    handlers,
    handle(channel: string, handler: Handler) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
      handlers.set(channel, handler)
    },
    removeHandler(channel: string) {
      handlers.delete(channel)
    },
    on(channel: string, listener: (event: unknown) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set())
      listeners.get(channel)!.add(listener)
      return this
    },
    off(channel: string, listener: (event: unknown) => void) {
      listeners.get(channel)?.delete(listener)
      return this
    },
    emit(channel: string, event: unknown) {
      for (const listener of listeners.get(channel) ?? []) listener(event)
    },
  }
}

const APP = 'file:///opt/irish/resources/app/out/renderer/index.html'
const mainFrame = (url: string) => ({ senderFrame: { url, parent: null } })
const childFrame = (url: string) => ({ senderFrame: { url, parent: {} } })

function setup() {
  const calls: unknown[] = []
  const handlers = new Proxy({} as Handlers, {
    get: (_target, name) => async (input: unknown) => {
      calls.push({ name, input })
      if (name === 'accounts:list') return []
      throw new Error('not used in this test')
    },
  })
  const dispatch = createDispatch(handlers, silentLogger())
  const ipcMain = fakeIpcMain()
  const unregister = registerIpcHandlers({
    ipcMain: ipcMain as never,
    dispatch,
    isTrustedFrame: createFrameCheck(['file://']),
    logger: silentLogger(),
  })
  return { ipcMain, calls, unregister }
}

describe('IPC handlers', () => {
  it('registers exactly one handler per contract command', () => {
    const { ipcMain, unregister } = setup()
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...COMMAND_NAMES].sort())
    unregister()
    expect(ipcMain.handlers.size).toBe(0)
  })

  it('answers the app page with the result envelope', async () => {
    const { ipcMain, calls } = setup()
    const result = await ipcMain.handlers.get('accounts:list')!(mainFrame(APP), {})
    expect(result).toEqual({ ok: true, value: [] })
    expect(calls).toHaveLength(1)
  })

  it('refuses a frame from another origin before the core runs', async () => {
    const { ipcMain, calls } = setup()
    const result = await ipcMain.handlers.get('accounts:list')!(mainFrame('https://evil.example/'), {})
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(calls).toHaveLength(0)
  })

  it('refuses a subframe even of the app origin, and a missing frame', async () => {
    const { ipcMain, calls } = setup()
    const handler = ipcMain.handlers.get('accounts:list')!
    expect(await handler(childFrame(APP), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await handler({ senderFrame: null }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(calls).toHaveLength(0)
  })

  it('parses input before the core sees it', async () => {
    const { ipcMain, calls } = setup()
    const result = await ipcMain.handlers.get('accounts:start')!(mainFrame(APP), { id: '../../etc/passwd' })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(calls).toHaveLength(0)
  })

  it('turns an unexpected throw into internal without its message', async () => {
    const { ipcMain } = setup()
    const result = (await ipcMain.handlers.get('accounts:stop')!(mainFrame(APP), { id: 'acc-1' })) as {
      ok: false
      error: { code: string; message: string }
    }
    expect(result.ok).toBe(false)
    expect(result.error.code).toBe('internal')
    expect(result.error.message).not.toContain('not used in this test')
  })
})

describe('event forwarding', () => {
  it('queues events until the page is ready, then sends them in order', () => {
    const events = createEventBus(silentLogger())
    const ipcMain = fakeIpcMain()
    const sent: unknown[] = []
    const webContents = { send: (channel: string, message: unknown) => sent.push({ channel, message }), isDestroyed: () => false }
    createEventForwarder({ events, ipcMain: ipcMain as never, webContents: webContents as never, isTrustedFrame: createFrameCheck(['file://']) })

    events.emit('accounts:removed', { id: 'acc-1' as never })
    events.emit('accounts:removed', { id: 'acc-2' as never })
    expect(sent).toHaveLength(0)

    // A ready signal from an untrusted frame does not release the queue.
    ipcMain.emit(READY_CHANNEL, mainFrame('https://evil.example/'))
    expect(sent).toHaveLength(0)

    ipcMain.emit(READY_CHANNEL, mainFrame(APP))
    expect(sent).toEqual([
      { channel: EVENT_CHANNEL, message: { event: 'accounts:removed', payload: { id: 'acc-1' } } },
      { channel: EVENT_CHANNEL, message: { event: 'accounts:removed', payload: { id: 'acc-2' } } },
    ])
    events.emit('accounts:removed', { id: 'acc-3' as never })
    expect(sent).toHaveLength(3)
  })

  it('keeps only the newest events when the page never gets ready', () => {
    const events = createEventBus(silentLogger())
    const ipcMain = fakeIpcMain()
    const sent: Array<{ message: { payload: { id: string } } }> = []
    const webContents = { send: (_c: string, message: never) => sent.push({ message }), isDestroyed: () => false }
    createEventForwarder({ events, ipcMain: ipcMain as never, webContents: webContents as never, isTrustedFrame: () => true, maxQueued: 3 })
    for (let i = 0; i < 10; i += 1) events.emit('accounts:removed', { id: `acc-${i}` as never })
    ipcMain.emit(READY_CHANNEL, mainFrame(APP))
    expect(sent.map((s) => s.message.payload.id)).toEqual(['acc-7', 'acc-8', 'acc-9'])
  })
})

// Wires the contract onto Electron IPC. Imports Electron types only, so it runs under Node in tests
// with a fake ipcMain. Every message's sender frame is checked before anything else runs (Electron
// security checklist item 17); results cross as { ok, value } | { ok: false, error }, never as a throw,
// because Electron reduces a thrown error to its message.

import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { COMMAND_NAMES, EVENT_CHANNEL, READY_CHANNEL } from '../../shared/channels'
import type { EventMessage } from '../../shared/contract'
import { localCaller } from '../core/access/caller'
import type { Dispatch } from '../core/api/dispatch'
import type { EventBus } from '../core/events'
import type { Logger } from '../core/logger'

/** The frame a message came from, as far as the check needs it. */
export interface SenderFrame {
  url: string
  /** True when the frame is its page's top frame. */
  isMainFrame: boolean
}

export type FrameCheck = (frame: SenderFrame | null) => boolean

/** Only the app's own page, in its top frame, may talk to the core. */
export function createFrameCheck(allowedOrigins: readonly string[]): FrameCheck {
  return function isTrustedFrame(frame) {
    if (!frame || !frame.isMainFrame) return false
    let origin: string
    try {
      const url = new URL(frame.url)
      // file: URLs have the origin "null": compare the scheme and path prefix instead.
      origin = url.protocol === 'file:' ? 'file://' : url.origin
    } catch {
      return false
    }
    return allowedOrigins.includes(origin)
  }
}

export function senderFrameOf(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): SenderFrame | null {
  const frame = event.senderFrame
  if (!frame) return null
  return { url: frame.url, isMainFrame: frame.parent === null }
}

export interface IpcWiring {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'off'>
  dispatch: Dispatch
  isTrustedFrame: FrameCheck
  logger: Logger
}

const DESKTOP = localCaller('ui')

export function registerIpcHandlers({ ipcMain, dispatch, isTrustedFrame, logger }: IpcWiring): () => void {
  for (const command of COMMAND_NAMES) {
    ipcMain.handle(command, async function handleCommand(event, input: unknown) {
      if (!isTrustedFrame(senderFrameOf(event))) {
        logger.warn({ command, url: senderFrameOf(event)?.url ?? null }, 'refused IPC from an untrusted frame')
        return { ok: false, error: { code: 'forbidden', message: 'This window may not use the app.' } }
      }
      // The desktop's own window: its user holds the data and the key, so it is admin.
      return dispatch(command, input, DESKTOP)
    })
  }
  return function unregister() {
    for (const command of COMMAND_NAMES) ipcMain.removeHandler(command)
  }
}

/**
 * Pushes core events to one page. Events are queued until the page says it is ready, so a QR code
 * emitted while the page loads is not lost; the queue is bounded, keeping the newest.
 */
export function createEventForwarder(options: {
  events: EventBus
  ipcMain: Pick<IpcMain, 'on' | 'off'>
  webContents: Pick<WebContents, 'send' | 'isDestroyed'>
  isTrustedFrame: FrameCheck
  maxQueued?: number
}): () => void {
  const maxQueued = options.maxQueued ?? 500
  let ready = false
  let queue: EventMessage[] = []

  const send = (message: EventMessage): void => {
    if (options.webContents.isDestroyed()) return
    options.webContents.send(EVENT_CHANNEL, message)
  }
  const onReady = (event: IpcMainInvokeEvent): void => {
    if (!isTrustedSender(event)) return
    ready = true
    const pending = queue
    queue = []
    for (const message of pending) send(message)
  }
  const isTrustedSender = (event: IpcMainInvokeEvent): boolean => options.isTrustedFrame(senderFrameOf(event))

  options.ipcMain.on(READY_CHANNEL, onReady as never)
  const unsubscribe = options.events.subscribe((message) => {
    if (ready) {
      send(message)
      return
    }
    queue.push(message)
    if (queue.length > maxQueued) queue.shift()
  })
  return function stopForwarding() {
    unsubscribe()
    options.ipcMain.off(READY_CHANNEL, onReady as never)
  }
}

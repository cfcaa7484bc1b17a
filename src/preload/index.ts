// The preload: runs sandboxed in the renderer's process before the page, CommonJS, no Node beyond
// Electron's sandbox. It exposes window.irish with invoke/onEvent/ready for the contract's names and
// nothing else: never the raw ipcRenderer, never a way to pick an arbitrary channel.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNEL, READY_CHANNEL, isCommandName, isEventName } from '../shared/channels'
import type { IrishBridge } from '../shared/bridge'

const bridge: IrishBridge = {
  invoke(command, input) {
    if (!isCommandName(command)) {
      return Promise.resolve({ ok: false, error: { code: 'not-found', message: 'Unknown command.' } })
    }
    return ipcRenderer.invoke(command, input)
  },
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, message: unknown): void => {
      const event = (message as { event?: unknown } | null)?.event
      if (isEventName(event)) listener(message as Parameters<typeof listener>[0])
    }
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler)
    }
  },
  ready() {
    ipcRenderer.send(READY_CHANNEL)
  },
}

contextBridge.exposeInMainWorld('irish', bridge)

// The Electron transport: commands and events through the preload's window.irish bridge. IPC cannot
// drop while the window lives, so the link is open from the start and never needs a token. Main hands
// the window every event; the event hub passes on those of the page's topics (nothing crosses a wire).

import type { IrishBridge } from '../../../shared/bridge'
import { AppError, isErrorInfo } from './api-error'
import { createEventHub, createLinkStore, type Transport } from './transport'

export function createIpcTransport(bridge: IrishBridge): Transport {
  const link = createLinkStore({ status: 'open', retryAt: null, failures: 0, generation: 1 })
  const events = createEventHub()
  let unsubscribe: (() => void) | null = null

  return {
    kind: 'ipc',
    async invoke(command, input) {
      let result: Awaited<ReturnType<IrishBridge['invoke']>>
      try {
        result = await bridge.invoke(command, input)
      } catch {
        // ipcRenderer.invoke rejects only when main has no handler or crashed mid-call.
        throw new AppError('unavailable', 'The app core did not answer. Restart the app; the details are in its log.')
      }
      if (result.ok) return result.value as never
      throw isErrorInfo(result.error) ? new AppError(result.error.code, result.error.message) : new AppError('internal', 'The app core sent an unreadable error.')
    },
    subscribe: events.subscribe,
    setTopics: events.setTopics,
    topicsApplied: () => Promise.resolve(),
    getLinkState: link.get,
    onLinkState: link.subscribe,
    start() {
      if (unsubscribe) return
      unsubscribe = bridge.onEvent(events.publish)
      // Main queues events (a QR code, say) until the page listens; this flushes them.
      bridge.ready()
    },
    stop() {
      unsubscribe?.()
      unsubscribe = null
    },
  }
}

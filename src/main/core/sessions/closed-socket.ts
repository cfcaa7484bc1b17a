// What the app does at Baileys' boundary when a socket has closed, so the closed socket's memory goes
// at once. Main process, Electron-free.

import { DisconnectReason, type WASocket } from '@whiskeysockets/baileys'
import { closeError } from '../whatsapp/close-errors'

/**
 * Baileys 7.0.0-rc14 ends a socket without failing the queries still waiting for an answer: end()
 * removes the WebSocket's 'close' listeners they wait on, so each waits for its own timeout (none, with
 * the app's socket settings: socket-timeouts.ts, whose watch follows only the account's current socket)
 * and keeps the closed socket, its buffers, caches and Signal repository reachable until then. After a
 * mass reconnect that doubled the heap for a minute. The waiters still listen for 'error'; one
 * error that looks like their own timeout (a Boom-shaped 408, which waitForMessage turns into
 * `undefined`, exactly as when the time runs out) ends them now. Nothing else listens by then: the
 * socket's own error handler sees it as already closed. Call it once the socket has reported its close.
 */
export function releaseClosedSocket(socket: WASocket): void {
  const ws = socket.ws as unknown as { listenerCount(event: string): number; emit(event: string, error: Error): boolean }
  if (ws.listenerCount('error') === 0) return
  ws.emit('error', closeError('Connection Closed', DisconnectReason.timedOut))
}


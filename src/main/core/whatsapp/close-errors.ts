// Baileys' errors for a closed connection, made and recognised in one place: the app ends sockets (and
// their waiting queries) with errors Baileys takes for its own, and tells a call that failed because
// its connection closed from one that failed otherwise. Main process, Electron-free.

import { DisconnectReason } from '@whiskeysockets/baileys'

/**
 * An error Baileys takes for one of its own (Boom-shaped, so `instanceof Boom` holds), with the close
 * code the app reads back from `lastDisconnect` (reconnect-policy.ts): for ending a socket, or its waiters.
 */
export function closeError(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: { statusCode, error: message, message }, headers: {} } })
}

/** Whether a call failed with Baileys' word that the connection closed under it (428, "Connection Closed"). */
export function closedConnection(err: unknown): boolean {
  const boom = err as { message?: unknown; output?: { statusCode?: unknown } } | null
  return boom?.output?.statusCode === DisconnectReason.connectionClosed || (typeof boom?.message === 'string' && /connection (closed|lost)/i.test(boom.message))
}

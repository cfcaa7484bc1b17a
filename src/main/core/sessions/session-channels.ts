// The session manager's diagnostics channel for reconnects (node:diagnostics_channel), the way the auth
// store publishes its timings (telemetry/channels.ts). Main process, Electron-free. Publishers check
// `hasSubscribers` first; metrics (core/metrics) subscribe by name without touching session code.

import diagnosticsChannel from 'node:diagnostics_channel'

export const SESSION_RECONNECT = 'session:reconnect'

/** A socket closed without the manager asking (or went stale), and a new one is opened. */
export interface SessionReconnectEvent {
  account: string
  /** The disconnect status code Baileys reported, or null when it closed without one. */
  code: number | null
  /** 'restart': at once (515, a stale socket); 'retry': after a backoff delay. */
  decision: 'restart' | 'retry'
  /** Set when the app itself replaced the socket rather than WhatsApp closing it: the socket had gone stale (liveness.ts). */
  reason?: 'stale-socket'
}

export const sessionReconnectChannel = diagnosticsChannel.channel(SESSION_RECONNECT)

export function publishReconnect(event: SessionReconnectEvent): void {
  if (sessionReconnectChannel.hasSubscribers) sessionReconnectChannel.publish(event)
}

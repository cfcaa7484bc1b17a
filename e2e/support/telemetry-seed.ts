// What the telemetry test server (telemetry-server.ts) tells the spec, and the slowed account's delay.
// Kept apart so the spec can import it without starting a server.

import type { AccountId } from '../../src/shared/ids'

/**
 * The slowed account's extra latency per read. The outlier answered in 40 ms; here it is more,
 * because on a loaded test machine the event loop alone can add tens of milliseconds to any account's
 * operation, and the ranking must single out the store, not the machine.
 */
export const SLOW_DELAY_MS = 150

export interface TelemetryServerInfo {
  url: string
  token: string
  slow: SeededAccount
  accounts: SeededAccount[]
}

export interface SeededAccount {
  id: AccountId
  label: string
  phone: string
}


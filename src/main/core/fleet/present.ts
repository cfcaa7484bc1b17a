// An account as a fleet shows it (accounts:list, and the events a lapse or a hand-over emits): which
// server runs it, and "moving" when none does although the operator wants it running and its last
// known state was running: its server stopped (or paused) and another one takes it over. Never stored:
// the owner's own status comes back with the next server's first event. Main process, Electron-free.

import type { AccountStatus, AccountSummary } from '../../../shared/contract'

const SHOWN_AS_MOVING: readonly AccountStatus[] = ['connecting', 'connected', 'reconnecting']

export function presentAccount(summary: AccountSummary, server: string | null, wantRunning: boolean): AccountSummary {
  if (server === null && wantRunning && SHOWN_AS_MOVING.includes(summary.status)) return { ...summary, server: null, status: 'moving' }
  return { ...summary, server }
}

// Key counts of every account in one answer (telemetry:key-counts), so a view of hundreds of accounts
// asks once instead of once per account. Main process, Electron-free. Counting is a GROUP BY per
// account, so counts are kept and an account is recounted only after something may have changed them:
// a finished keys_set (auth_store:stop) or a status change (logout, import, pairing: accounts:changed).

import diagnosticsChannel from 'node:diagnostics_channel'
import type { AccountId } from '../../../shared/ids'
import type { EventBus } from '../events'
import { AUTH_STORE_STOP, type AuthStoreStopEvent } from './channels'

export interface KeyCountSource {
  /** Every account that exists, in display order. */
  accounts(): readonly AccountId[]
  count(account: AccountId): Promise<Record<string, number>>
}

export interface AccountKeyCounts {
  account: AccountId
  counts: Record<string, number>
  total: number
}

export interface KeyCountOverview {
  /** Per key type, summed over every account. */
  totals: Record<string, number>
  accounts: AccountKeyCounts[]
}

export interface KeyCountIndex {
  overview(): Promise<KeyCountOverview>
  dispose(): void
}

export function createKeyCountIndex(options: { source: KeyCountSource; events: EventBus }): KeyCountIndex {
  const { source } = options
  const known = new Map<AccountId, AccountKeyCounts>()
  const dirty = new Set<AccountId>()
  let inFlight: Promise<KeyCountOverview> | null = null

  function onStop(message: unknown): void {
    const event = message as Partial<AuthStoreStopEvent> | null
    if (event?.req === 'keys_set' && typeof event.account === 'string') dirty.add(event.account as AccountId)
  }
  diagnosticsChannel.subscribe(AUTH_STORE_STOP, onStop)
  const unsubscribe = options.events.subscribe((message) => {
    if (message.event === 'accounts:changed') dirty.add((message.payload as { id: AccountId }).id)
    else if (message.event === 'accounts:removed') known.delete((message.payload as { id: AccountId }).id)
  })

  async function refresh(): Promise<KeyCountOverview> {
    const ids = source.accounts()
    const rows: AccountKeyCounts[] = []
    const totals: Record<string, number> = {}
    for (const account of ids) {
      let row = known.get(account)
      if (!row || dirty.has(account)) {
        // Cleared before counting: a write landing during the count marks it dirty again.
        dirty.delete(account)
        const counts = await source.count(account)
        row = { account, counts, total: Object.values(counts).reduce((sum, n) => sum + n, 0) }
        known.set(account, row)
      }
      rows.push(row)
      for (const [type, n] of Object.entries(row.counts)) totals[type] = (totals[type] ?? 0) + n
    }
    // Accounts removed since the last answer.
    if (known.size > ids.length) {
      const live = new Set(ids)
      for (const account of known.keys()) if (!live.has(account)) known.delete(account)
    }
    return { totals, accounts: rows }
  }

  return {
    overview() {
      // Two views asking at once share one pass over the store.
      inFlight ??= refresh().finally(() => {
        inFlight = null
      })
      return inFlight
    },
    dispose() {
      diagnosticsChannel.unsubscribe(AUTH_STORE_STOP, onStop)
      unsubscribe()
    },
  }
}

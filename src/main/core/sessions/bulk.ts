// Start, stop, restart, log out or re-pair many accounts in one command (accounts:bulk), or change their
// tags (accounts:tag). Each account's step runs in its
// own queue as a single command would; a few accounts run at once, so 500 stops neither take one
// request each nor open 500 socket closes together. A failure fails only its own entry.
// Main process, Electron-free.

import type { AccountSummary, BulkAction, BulkResult } from '../../../shared/contract'
import { assertNever } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { isRunningStatus } from '../../../shared/domain'
import { runPerAccount, type BulkOptions } from './per-account'
import type { SessionManager, TagChange } from './session-manager'

export { BULK_CONCURRENCY, type BulkOptions } from './per-account'

/** One result per distinct id, in the order the ids came; unknown ids are `not-found` without touching anything. */
export function runBulkAction(
  sessions: Pick<SessionManager, 'list' | 'start' | 'stop' | 'logout'>,
  ids: readonly AccountId[],
  action: BulkAction,
  options: BulkOptions,
): Promise<BulkResult[]> {
  return runPerAccount(sessions.list(), ids, (account) => act(sessions, account, action), options)
}

/** accounts:tag: the same change to each account's tags, answered per account. */
export function runTagChange(
  sessions: Pick<SessionManager, 'list' | 'tag'>,
  ids: readonly AccountId[],
  change: TagChange,
  options: BulkOptions,
): Promise<BulkResult[]> {
  return runPerAccount(sessions.list(), ids, async (account) => sessions.tag(account.id, change), options)
}

async function act(sessions: Pick<SessionManager, 'start' | 'stop' | 'logout'>, account: AccountSummary, action: BulkAction): Promise<AccountSummary> {
  const { id } = account
  switch (action) {
    case 'start':
      // Never a take-back: starting a moved account again is a choice made one account at a time.
      return sessions.start(id)
    case 'stop':
      return sessions.stop(id)
    case 'restart':
      // Stopped, failed or logged out, there is nothing to stop: a restart is a start (never a take-back).
      if (isRunningStatus(account.status)) await sessions.stop(id)
      return sessions.start(id)
    case 'logout':
      return sessions.logout(id)
    case 'repair':
      // Only for accounts WhatsApp logged out, banned or replaced, or whose pairing expired (lifecycle.ts).
      return sessions.start(id, { repair: true })
    default:
      return assertNever(action, 'bulk action')
  }
}

// Start, stop or log out many accounts in one command (accounts:bulk). Each account's step runs in its
// own queue as a single command would; a few accounts run at once, so 500 stops neither take one
// request each nor open 500 socket closes together. A failure fails only its own entry.
// Main process, Electron-free.

import type { AccountSummary, BulkAction, BulkResult } from '../../../shared/contract'
import { assertNever } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { runPerAccount, type BulkOptions } from './per-account'
import type { SessionManager } from './session-manager'

export { BULK_CONCURRENCY, type BulkOptions } from './per-account'

/** One result per distinct id, in the order the ids came; unknown ids are `not-found` without touching anything. */
export async function runBulkAction(
  sessions: Pick<SessionManager, 'list' | 'start' | 'stop' | 'logout'>,
  ids: readonly AccountId[],
  action: BulkAction,
  options: BulkOptions,
): Promise<BulkResult[]> {
  return runPerAccount(sessions.list(), ids, (id) => act(sessions, id, action), options)
}

function act(sessions: Pick<SessionManager, 'start' | 'stop' | 'logout'>, id: AccountId, action: BulkAction): Promise<AccountSummary> {
  switch (action) {
    case 'start':
      // Never a take-back: starting a moved account again is a choice made one account at a time.
      return sessions.start(id)
    case 'stop':
      return sessions.stop(id)
    case 'logout':
      return sessions.logout(id)
    default:
      return assertNever(action, 'bulk action')
  }
}

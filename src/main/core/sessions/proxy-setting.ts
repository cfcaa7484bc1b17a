// Setting and clearing accounts' proxies (accounts:set-proxy), answered per account as a bulk action is:
// the URL is sealed for each account and stored with its shown form; a running account keeps its socket
// until its next connect, or, when asked, reconnects now (a scheduled retry is cancelled first).
// Main process, Electron-free. Never log a URL.

import type { AccountSummary, BulkResult } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { toSummary } from '../accounts/account-repository'
import type { Doctor } from '../doctor/doctor'
import type { Logger } from '../logger'
import type { ProxySecrets } from '../proxy/proxy-secret'
import type { AccountBook } from './account-book'
import type { Runtimes } from './account-runtime'
import { runPerAccount, type BulkOptions } from './per-account'
import type { Connection } from './connection'

export interface ProxySetting {
  /** One result per distinct id, in the order given; `describe` maps a thrown error to what is answered. */
  setProxy(ids: readonly AccountId[], url: string | null, options: BulkOptions & { reconnect: boolean }): Promise<BulkResult[]>
  /** Seals `url` for a new account (the default proxy); no reconnect, nothing runs yet. */
  assign(id: AccountId, url: string | null): void
}

export function createProxySetting(deps: {
  book: AccountBook
  runtimes: Runtimes
  connection: Connection
  doctor: Pick<Doctor, 'proxyChanged'>
  secrets: ProxySecrets
  log: Logger
}): ProxySetting {
  const { book, runtimes, connection, secrets, log } = deps

  function assign(id: AccountId, url: string | null): void {
    book.setProxy(id, url === null ? null : secrets.seal({ account: id }, url))
  }

  async function one(id: AccountId, url: string | null, reconnect: boolean): Promise<AccountSummary> {
    return runtimes.serial(id, async () => {
      book.record(id)
      assign(id, url)
      // The failure was the old proxy's; the next attempt tells about the new one.
      deps.doctor.proxyChanged(id)
      book.refreshCondition(id)
      const rt = runtimes.peek(id)
      if (reconnect && rt && runtimes.isRunning(rt)) {
        log.info({ account: id }, 'reconnecting through the new proxy setting')
        await runtimes.quiesce(rt)
        rt.attempt = 0
        try {
          await connection.connect(rt)
        } catch (error) {
          connection.failed(rt, error)
          throw error
        }
      }
      return toSummary(book.record(id))
    })
  }

  return {
    assign,
    setProxy(ids, url, options) {
      return runPerAccount(book.list().map(toSummary), ids, ({ id }) => one(id, url, options.reconnect), options)
    },
  }
}

// Hand-off: taking an account's session out (export, as a copy or a move) and putting one in (import,
// as a new account or replacing one), always with the account quiesced so the store is consistent and
// never written by a socket at the same time. Main process, Electron-free.

import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountSummary } from '../../../shared/contract'
import type { AuthSnapshot, ManagedAuthStore } from '../auth-store/types'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { AccountBook } from './account-book'
import { toSummary } from '../accounts/account-repository'
import type { AccountRuntime, Runtimes } from './account-runtime'
import type { Connection } from './connection'
import { claimForChange } from './runs-elsewhere'

export interface HandOff {
  /** Marks an account moved (after an export elsewhere) and stops it here. */
  markMoved(id: AccountId, target: string): Promise<AccountSummary>
  /** Undoes a move the other side never completed: the account is stopped here, no longer moved. */
  cancelMove(id: AccountId): Promise<AccountSummary>
  /** The store of an account that is not running, for export and import. */
  withStoppedStore<T>(id: AccountId, work: (store: ManagedAuthStore) => Promise<T>): Promise<T>
  /**
   * Export: a consistent snapshot, taken with the socket closed, pending writes landed and the account's
   * queue held. Copy (`moveTo` null): a running account starts again right after the snapshot, then
   * `work` runs. Move: the account is marked moved before `work` runs (a crash mid-export leaves it moved,
   * never running in two places) and put back as it was, running again if it ran, when `work` throws.
   */
  exportSession<T>(id: AccountId, moveTo: string | null, work: (snapshot: AuthSnapshot, account: AccountSummary) => Promise<T>): Promise<T>
  /**
   * Import: puts a session in place and leaves the account stopped (the caller starts it). New account:
   * `fill` writes the new id's store first and the row is inserted only after that succeeded, so a failed
   * fill leaves no account (the row is the commit point; see transfer-service.ts). Replace: stops the account,
   * `fill` replaces its store (atomically, by the store), then the row is updated; the id stays.
   */
  importSession(
    target: { replace: AccountId } | { label: string; id?: AccountId | undefined },
    who: { phone: string; name: string | null },
    fill: (store: ManagedAuthStore) => Promise<void>,
    /** The proxy the bundle carried; none: a new account gets the default proxy, a replaced one keeps its own. */
    proxy?: string | null,
  ): Promise<AccountSummary>
  /** The account's whole proxy URL, for a bundle the operator asked to carry it; null when it has none. */
  proxyUrlOf(id: AccountId): Promise<string | null>
}

export interface HandOffDeps {
  book: AccountBook
  runtimes: Runtimes
  connection: Connection
  events: EventBus
  log: Logger
  openStore: (id: AccountId) => ManagedAuthStore
  now: () => number
  /** A new account's row exists: what every new account gets (the proxy carried, else the default; the default limits). */
  created: (id: AccountId, proxy: string | null) => void
  /** Stores an account's proxy (sealed), and reads it back whole. */
  proxies: { assign(id: AccountId, url: string | null): void; urlOf(id: AccountId): Promise<string | null> }
  /** In a fleet: takes the account's lease before a replace or a move writes its keys or its row (lifecycle.ts, `claim`). */
  claim: (id: AccountId) => Promise<void>
}

export function createHandOff(deps: HandOffDeps): HandOff {
  const { book, runtimes, now } = deps

  async function replaceInQueue(id: AccountId, who: { phone: string; name: string | null }, fill: (store: ManagedAuthStore) => Promise<void>, proxy: string | null) {
    const before = book.record(id)
    await claimForChange(deps.claim, id, 'Stop it there first, then import again.')
    const rt = runtimes.get(id)
    const restart = restarter(deps, rt)
    const store = await runtimes.quiesce(rt)
    try {
      await fill(store)
    } catch (error) {
      await restart()
      throw error
    }
    if (proxy !== null) deps.proxies.assign(id, proxy)
    return toSummary(
      book.setStatus(id, 'stopped', {
        phone: who.phone,
        name: who.name ?? before.name,
        wantRunning: false,
        movedTo: null,
        lastError: null,
        lastDisconnectCode: null,
        // Another session's keys: until they connect here, their retries are bounded (reconnect-policy).
        lastConnectedAt: null,
      }),
    )
  }

  async function importNew(
    label: string,
    who: { phone: string; name: string | null },
    fill: (store: ManagedAuthStore) => Promise<void>,
    proxy: string | null,
    keep?: AccountId,
  ) {
    // The id it had where it came from, when free here: systems that stored it keep finding the account.
    const id = keep !== undefined && !book.exists(keep) ? keep : book.newAccountId()
    const store = deps.openStore(id)
    try {
      await fill(store)
      deps.book.insert(book.newRecord(id, { label, phone: who.phone, name: who.name, status: 'stopped', wantRunning: false }))
      deps.created(id, proxy)
    } catch (error) {
      // No row names this id, so nothing shows it; clearing just avoids leaving orphaned keys behind.
      await store.clear().catch((err: unknown) => deps.log.warn({ err, account: id }, 'clearing a failed import failed'))
      runtimes.delete(id)
      throw error
    }
    const summary = toSummary(book.record(id))
    deps.events.emit('accounts:changed', summary)
    return summary
  }

  return {
    markMoved(id, target) {
      return runtimes.serial(id, async () => {
        await claimForChange(deps.claim, id, 'Ask again: the move goes to the server that runs it.')
        await runtimes.quiesce(runtimes.get(id))
        return toSummary(book.setStatus(id, 'moved', { wantRunning: false, movedTo: { target, at: now() }, lastError: null }))
      })
    },

    cancelMove(id) {
      return runtimes.serial(id, async () => {
        const current = book.record(id)
        if (current.status !== 'moved') return toSummary(current)
        await claimForChange(deps.claim, id, 'Ask again on the server that runs it.')
        return toSummary(book.setStatus(id, 'stopped', { wantRunning: false, movedTo: null, lastError: null }))
      })
    },

    withStoppedStore(id, work) {
      return runtimes.serial(id, async () => {
        const current = book.record(id)
        const rt = runtimes.get(id)
        if (runtimes.isRunning(rt)) {
          throw new AppError('conflict', `"${current.label}" is running. Stop it first.`)
        }
        return work(await runtimes.quiesce(rt))
      })
    },

    exportSession(id, moveTo, work) {
      const taken = runtimes.serial(id, () => exportInQueue(deps, id, moveTo, work))
      // A copy's work (encoding) runs outside the queue: the account is already running again.
      return taken.then((t) => (t.moved ? t.value : work(t.snapshot, t.account)))
    },

    async importSession(target, who, fill, proxy = null) {
      if ('replace' in target) return runtimes.serial(target.replace, () => replaceInQueue(target.replace, who, fill, proxy))
      return importNew(target.label, who, fill, proxy, target.id)
    },
    proxyUrlOf: (id) => deps.proxies.urlOf(id),
  }
}

/** Starts the account again if it ran before the hand-off began; a failure shows on the account. */
function restarter({ runtimes, connection }: HandOffDeps, rt: AccountRuntime): () => Promise<void> {
  const wasRunning = runtimes.isRunning(rt)
  return async () => {
    if (wasRunning) await connection.connect(rt).catch((err: unknown) => connection.failed(rt, err))
  }
}

async function exportInQueue<T>(
  deps: HandOffDeps,
  id: AccountId,
  moveTo: string | null,
  work: (snapshot: AuthSnapshot, account: AccountSummary) => Promise<T>,
): Promise<{ moved: true; value: T } | { moved: false; snapshot: AuthSnapshot; account: AccountSummary }> {
  const { book, runtimes, now } = deps
  const before = book.record(id)
  if (before.status === 'moved') {
    throw new AppError(
      'conflict',
      `"${before.label}" was moved to ${before.movedTo?.target ?? 'another place'}, so its keys here are out of date once that copy ran. Export it from there, or take it back here first.`,
    )
  }
  const rt = runtimes.get(id)
  const restart = restarter(deps, rt)
  // The next start reloads creds from the store instead of reusing this socket's copy.
  const store = await runtimes.quiesce(rt)
  let snapshot: AuthSnapshot | null
  try {
    snapshot = await store.exportSnapshot()
  } catch (error) {
    await restart()
    throw error
  }
  if (!snapshot?.creds.me) {
    await restart()
    throw new AppError('conflict', `"${before.label}" has no paired session to export. Pair it first.`)
  }
  if (moveTo === null) {
    await restart()
    return { moved: false, snapshot, account: toSummary(before) }
  }
  try {
    // The moved mark must land: a server without the lease would drop it, and the account could run twice.
    await claimForChange(deps.claim, id, 'Ask again: the export goes to the server that runs it.')
  } catch (error) {
    await restart()
    throw error
  }
  book.setStatus(id, 'moved', { wantRunning: false, movedTo: { target: moveTo, at: now() }, lastError: null })
  try {
    return { moved: true, value: await work(snapshot, toSummary(before)) }
  } catch (error) {
    book.update(id, { status: before.status, wantRunning: before.wantRunning, movedTo: before.movedTo, lastError: before.lastError })
    await restart()
    throw error
  }
}

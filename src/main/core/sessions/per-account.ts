// Runs one step for many accounts, a few at a time, answered per account ({ id, ok, account?, error? }):
// the shape of accounts:bulk and of every other command that acts on a selection (accounts:set-proxy).
// Main process, Electron-free.

import type { AccountSummary, BulkResult } from '../../../shared/contract'
import type { ErrorInfo } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'

/**
 * Accounts acted on at once. A stop or log-out waits for the socket to close and its writes to land;
 * eight overlap that waiting without making hundreds of sockets reconnect or close in the same instant.
 */
export const BULK_CONCURRENCY = 8

export interface BulkOptions {
  concurrency?: number
  /** Turns a thrown error into what crosses the boundary (the dispatcher's mapping: logs the unexpected). */
  describe: (error: unknown) => ErrorInfo
}

/**
 * Runs `step` for each distinct id of `ids` a few at a time (given the account as `accounts` has it), one
 * result per id in the order given; an id not among `accounts` is `not-found` without running anything,
 * and a failure fails only its own entry.
 */
export async function runPerAccount(
  accounts: readonly AccountSummary[],
  ids: readonly AccountId[],
  step: (account: AccountSummary) => Promise<AccountSummary>,
  options: BulkOptions,
): Promise<BulkResult[]> {
  const unique = [...new Set(ids)]
  const known = new Map(accounts.map((a) => [a.id, a]))
  const results: BulkResult[] = new Array(unique.length)
  let next = 0

  async function one(id: AccountId): Promise<BulkResult> {
    const account = known.get(id)
    if (account === undefined) return { id, ok: false, error: { code: 'not-found', message: `There is no account "${id}".` } }
    try {
      return { id, ok: true, account: await step(account) }
    } catch (error) {
      return { id, ok: false, error: options.describe(error) }
    }
  }

  async function worker(): Promise<void> {
    while (next < unique.length) {
      const index = next++
      results[index] = await one(unique[index]!)
    }
  }

  const concurrency = Math.max(1, options.concurrency ?? BULK_CONCURRENCY)
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, () => worker()))
  return results
}


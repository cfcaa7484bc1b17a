// Domain facts that several processes repeat, each with one home here: no electron, no node:*, no DOM.
// (The status list itself and the store request names live with their schemas in contract.ts; the
// default data dir's resolution, which needs node:*, lives in src/main/core/data-dir.ts.)

import type { AccountStatus } from './contract'

/** Statuses that claim a socket exists or is about to: an account in one of them is running. */
export const RUNNING_STATUSES: readonly AccountStatus[] = ['connecting', 'connected', 'reconnecting', 'pairing', 'moving']

export function isRunningStatus(status: AccountStatus): boolean {
  return RUNNING_STATUSES.includes(status)
}

/** The file name extension of a session bundle (docs/bundle-format.md). */
export const BUNDLE_EXTENSION = '.irishbundle'

/** The folder the app keeps its data in, under the platform's data directory. */
export const DATA_FOLDER_NAME = 'irish-desktop'

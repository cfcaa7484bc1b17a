// Starting an account was refused because another server of a fleet runs it (or is about to): nothing
// about the account changed here, and its status and the operator's intent stay as they are. Main
// process, Electron-free. The fleet throws it (fleet/fleet.ts ensureLease); connection.ts tells it apart
// from a failure of the account itself.

import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'

export class RunsElsewhereError extends AppError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'RunsElsewhereError'
  }
}

/**
 * Takes the account's lease (`claim`: fleet.ensureLease in a fleet, nothing alone) before an operator's
 * change writes its row or its keys: a fleet server drops the row writes of an account whose lease it
 * does not hold, and its store refuses the keys. Another server running the account is a conflict that
 * says so, followed by `advice`.
 */
export async function claimForChange(claim: (id: AccountId) => Promise<void>, id: AccountId, advice: string): Promise<void> {
  try {
    await claim(id)
  } catch (error) {
    if (error instanceof RunsElsewhereError) throw new AppError('conflict', `${error.message} ${advice}`)
    throw error
  }
}

// Starting an account was refused because another server of a fleet runs it (or is about to): nothing
// about the account changed here, and its status and the operator's intent stay as they are. Main
// process, Electron-free. The fleet throws it (fleet/fleet.ts ensureLease); connection.ts tells it apart
// from a failure of the account itself.

import { AppError } from '../../../shared/errors'

export class RunsElsewhereError extends AppError {
  constructor(message: string) {
    super('conflict', message)
    this.name = 'RunsElsewhereError'
  }
}
